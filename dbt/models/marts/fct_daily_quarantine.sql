{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Quarantined records per local day, feed, reason and (where known) region.
select
    date_local,
    source,
    reason,
    region,
    records,
    published_at
from {{ ref('stg_lakehouse_gold__quarantine_daily') }}
{{ republished_dates(ref('stg_lakehouse_gold__quarantine_daily')) }}

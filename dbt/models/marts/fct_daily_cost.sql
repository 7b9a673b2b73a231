{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Energy cost per local day, region and customer type at the hourly day-ahead price.
select
    date_local,
    md5(region) as region_key,
    region,
    customer_type,
    count(*) as meters,
    sum(energy_kwh) as energy_kwh,
    sum(cost_eur) as cost_eur,
    sum(unpriced_energy_kwh) as unpriced_energy_kwh,
    sum(cost_eur) * 1000.0 / nullif(sum(energy_kwh) - sum(unpriced_energy_kwh), 0) as effective_price_eur_mwh,
    max(published_at) as published_at
from {{ ref('stg_lakehouse_gold__meter_daily') }}
{{ republished_dates(ref('stg_lakehouse_gold__meter_daily')) }}
group by date_local, region, customer_type

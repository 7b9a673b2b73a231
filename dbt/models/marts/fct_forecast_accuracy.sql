{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Day-ahead forecast against actual load per region, hour and model version (empty until the
-- forecasting pipeline writes gold.forecast_accuracy).
select
    md5(region) as region_key,
    region,
    hour_utc,
    {{ to_local('hour_utc') }} as hour_local,
    date_local,
    model_version,
    forecast_mwh,
    actual_mwh,
    abs_error_mwh,
    forecast_mwh - actual_mwh as error_mwh,
    ape,
    published_at
from {{ ref('stg_lakehouse_gold__forecast_accuracy') }}
{{ republished_dates(ref('stg_lakehouse_gold__forecast_accuracy')) }}

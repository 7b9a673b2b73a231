{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Day-ahead load forecast per region, hour and model version: every hour of the target day, with
-- or without actuals (fct_forecast_accuracy holds only the hours that have them). D's run publishes
-- the D+1 forecast it made, so tomorrow's forecast is here before tomorrow's load is.
select
    md5(region) as region_key,
    region,
    hour_utc,
    {{ to_local('hour_utc') }} as hour_local,
    date_local,
    forecast_mwh,
    p10_mwh,
    p90_mwh,
    model_version,
    weather_source,
    price_source,
    forecast_made_at,
    published_at
from {{ ref('stg_lakehouse_gold__load_forecast') }}
{{ republished_dates(ref('stg_lakehouse_gold__load_forecast')) }}

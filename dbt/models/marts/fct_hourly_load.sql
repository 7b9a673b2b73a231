{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Energy per region and hour, with weather, price and cost. Rebuilt per republished local day.
select
    md5(region) as region_key,
    region,
    hour_utc,
    hour_local,
    date_local,
    energy_mwh,
    meters_reporting,
    readings,
    estimated_readings,
    temperature_c,
    price_eur_mwh,
    cost_eur,
    heating_degree_hours,
    is_holiday,
    is_dst_day,
    published_at
from {{ ref('int_region_hourly__enriched') }}
{{ republished_dates(ref('int_region_hourly__enriched')) }}

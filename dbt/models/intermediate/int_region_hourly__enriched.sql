-- Hourly region load with its calendar and weather features and its cost.
select
    load.region,
    load.hour_utc,
    {{ to_local('load.hour_utc') }} as hour_local,
    load.date_local,
    load.energy_mwh,
    load.meters_reporting,
    load.readings,
    load.estimated_readings,
    load.temperature_c,
    load.price_eur_mwh,
    load.energy_mwh * load.price_eur_mwh as cost_eur,
    features.heating_degree_hours,
    features.is_holiday,
    features.is_dst_day,
    load.published_at
from {{ ref('stg_lakehouse_gold__region_load_hourly') }} as load
left join {{ ref('stg_lakehouse_gold__load_features') }} as features
    on features.region = load.region
    and features.hour_utc = load.hour_utc

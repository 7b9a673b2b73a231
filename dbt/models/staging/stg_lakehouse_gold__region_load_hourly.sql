select
    region::text                    as region,
    hour_utc::timestamptz           as hour_utc,
    date_local::date                as date_local,
    energy_mwh::double precision    as energy_mwh,
    meters_reporting::integer       as meters_reporting,
    readings::bigint                as readings,
    estimated_readings::bigint      as estimated_readings,
    temperature_c::double precision as temperature_c,
    price_eur_mwh::double precision as price_eur_mwh,
    _published_at                   as published_at
from {{ source('lakehouse_gold', 'region_load_hourly') }}

select
    region::text                               as region,
    hour_utc::timestamptz                      as hour_utc,
    date_local::date                           as date_local,
    hour_local::integer                        as hour_local,
    weekday_local::integer                     as weekday_local,
    is_weekend::boolean                        as is_weekend,
    is_holiday::boolean                        as is_holiday,
    holiday_name::text                         as holiday_name,
    is_dst_day::boolean                        as is_dst_day,
    heating_degree_hours::double precision     as heating_degree_hours,
    shortwave_radiation_wm2::double precision  as shortwave_radiation_wm2,
    relative_humidity_pct::double precision    as relative_humidity_pct,
    wind_speed_kmh::double precision           as wind_speed_kmh,
    cloud_cover_pct::double precision          as cloud_cover_pct,
    lag_24h_mwh::double precision              as lag_24h_mwh,
    lag_168h_mwh::double precision             as lag_168h_mwh,
    _published_at                              as published_at
from {{ source('lakehouse_gold', 'load_features') }}

select
    region::text                   as region,
    hour_utc::timestamptz          as hour_utc,
    date_local::date               as date_local,
    forecast_mwh::double precision as forecast_mwh,
    p10_mwh::double precision      as p10_mwh,
    p90_mwh::double precision      as p90_mwh,
    model_version::text            as model_version,
    weather_source::text           as weather_source,
    price_source::text             as price_source,
    created_at::timestamptz        as forecast_made_at,
    _published_at                  as published_at
from {{ source('lakehouse_gold', 'load_forecast') }}

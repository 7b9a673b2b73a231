select
    region::text                    as region,
    hour_utc::timestamptz           as hour_utc,
    date_local::date                as date_local,
    forecast_mwh::double precision  as forecast_mwh,
    actual_mwh::double precision    as actual_mwh,
    abs_error_mwh::double precision as abs_error_mwh,
    ape::double precision           as ape,
    model_version::text             as model_version,
    _published_at                   as published_at
from {{ source('lakehouse_gold', 'forecast_accuracy') }}

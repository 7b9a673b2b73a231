select
    meter_id::text                as meter_id,
    region::text                  as region,
    customer_type::text           as customer_type,
    feeder_id::text               as feeder_id,
    latitude::double precision    as latitude,
    longitude::double precision   as longitude,
    installed_on::date            as installed_on,
    tariff::text                  as tariff,
    _published_at                 as published_at
from {{ source('lakehouse_gold', 'meters') }}

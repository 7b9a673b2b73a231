-- Slowly changing meter dimension (type 2): one row per meter version.
select
    meter_key,
    meter_id,
    version_number,
    region,
    customer_type,
    feeder_id,
    latitude,
    longitude,
    installed_on,
    tariff,
    valid_from_date,
    valid_to_date,
    valid_from,
    valid_to,
    is_current
from {{ ref('int_meters__versions') }}

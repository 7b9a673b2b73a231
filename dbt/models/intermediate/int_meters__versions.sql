-- Versions of each meter from the registry snapshot, with half-open local-date validity
-- [valid_from_date, valid_to_date). The first version of a meter is taken to hold since before its
-- first reading (the registry existed before the platform first snapshotted it).
with versions as (
    select
        meter_id,
        region,
        customer_type,
        feeder_id,
        latitude,
        longitude,
        installed_on,
        tariff,
        dbt_valid_from,
        dbt_valid_to,
        row_number() over (partition by meter_id order by dbt_valid_from) as version_number
    from {{ ref('snap_meters') }}
)

select
    md5(meter_id || '|' || version_number::text) as meter_key,
    meter_id,
    version_number,
    region,
    customer_type,
    feeder_id,
    latitude,
    longitude,
    installed_on,
    tariff,
    case when version_number = 1 then date '1900-01-01'
         else ({{ utc_naive_to_local('dbt_valid_from') }})::date end as valid_from_date,
    coalesce(({{ utc_naive_to_local('dbt_valid_to') }})::date, date '9999-12-31') as valid_to_date,
    dbt_valid_from as valid_from,
    dbt_valid_to as valid_to,
    dbt_valid_to is null as is_current
from versions

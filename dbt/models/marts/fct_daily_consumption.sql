{{ config(materialized='incremental', unique_key='date_local', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

-- Energy per meter and local day, keyed to the meter version valid that day (dim_meter).
select
    versions.meter_key,
    daily.meter_id,
    daily.date_local,
    md5(daily.region) as region_key,
    daily.region,
    daily.customer_type,
    daily.energy_kwh,
    daily.intervals,
    daily.intervals_with_energy,
    daily.estimated_intervals,
    daily.expected_intervals,
    daily.intervals::double precision / nullif(daily.expected_intervals, 0) as completeness_ratio,
    daily.intervals >= daily.expected_intervals as is_complete,
    daily.published_at
from {{ ref('stg_lakehouse_gold__meter_daily') }} as daily
left join {{ ref('int_meters__versions') }} as versions
    on versions.meter_id = daily.meter_id
    and daily.date_local >= versions.valid_from_date
    and daily.date_local < versions.valid_to_date
{% if is_incremental() %}
where daily.date_local in (
    select distinct date_local from {{ ref('stg_lakehouse_gold__meter_daily') }}
    where published_at > (select coalesce(max(published_at), '-infinity'::timestamptz) from {{ this }})
)
{% endif %}

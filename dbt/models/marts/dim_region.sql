-- One row per grid region: every region in the registry or in the load, with its current meters.
with regions as (
    select region from {{ ref('stg_lakehouse_gold__meters') }}
    union
    select region from {{ ref('stg_lakehouse_gold__region_load_hourly') }}
),

meters as (
    select
        region,
        count(*) as meters,
        count(*) filter (where customer_type = 'residential') as residential_meters,
        count(*) filter (where customer_type = 'commercial') as commercial_meters,
        count(*) filter (where customer_type = 'industrial') as industrial_meters,
        count(distinct feeder_id) as feeders
    from {{ ref('int_meters__versions') }}
    where is_current
    group by region
)

select
    md5(regions.region) as region_key,
    regions.region,
    coalesce(meters.meters, 0) as meters,
    coalesce(meters.residential_meters, 0) as residential_meters,
    coalesce(meters.commercial_meters, 0) as commercial_meters,
    coalesce(meters.industrial_meters, 0) as industrial_meters,
    coalesce(meters.feeders, 0) as feeders
from regions
left join meters on meters.region = regions.region
where regions.region is not null

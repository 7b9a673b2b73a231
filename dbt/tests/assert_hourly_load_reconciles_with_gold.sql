-- Energy per local day and region in fct_hourly_load equals the published gold.region_load_hourly.
with gold as (
    select date_local, region, sum(energy_mwh) as energy_mwh, count(*) as hours
    from {{ source('lakehouse_gold', 'region_load_hourly') }}
    group by date_local, region
),

mart as (
    select date_local, region, sum(energy_mwh) as energy_mwh, count(*) as hours
    from {{ ref('fct_hourly_load') }}
    group by date_local, region
)

select coalesce(gold.date_local, mart.date_local) as date_local,
       coalesce(gold.region, mart.region) as region,
       gold.energy_mwh as gold_mwh, mart.energy_mwh as mart_mwh
from gold
full outer join mart on mart.date_local = gold.date_local and mart.region = gold.region
where gold.energy_mwh is null or mart.energy_mwh is null
   or abs(gold.energy_mwh - mart.energy_mwh) > 1e-9
   or gold.hours <> mart.hours

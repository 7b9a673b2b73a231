-- mart_region_daily_summary carries gold's energy per region and day, and gold.meter_daily's cost.
with gold_energy as (
    select date_local, region, sum(energy_mwh) as energy_mwh
    from {{ source('lakehouse_gold', 'region_load_hourly') }}
    group by date_local, region
),

gold_cost as (
    select date_local, region, sum(cost_eur) as cost_eur
    from {{ source('lakehouse_gold', 'meter_daily') }}
    group by date_local, region
)

select summary.region, summary.date_local, summary.energy_mwh, gold_energy.energy_mwh as gold_energy_mwh,
       summary.cost_eur, gold_cost.cost_eur as gold_cost_eur
from {{ ref('mart_region_daily_summary') }} as summary
full outer join gold_energy
    on gold_energy.region = summary.region and gold_energy.date_local = summary.date_local
left join gold_cost
    on gold_cost.region = coalesce(summary.region, gold_energy.region)
    and gold_cost.date_local = coalesce(summary.date_local, gold_energy.date_local)
where summary.region is null or gold_energy.region is null
   or abs(summary.energy_mwh - gold_energy.energy_mwh) > 1e-9
   or abs(coalesce(summary.cost_eur, 0) - coalesce(gold_cost.cost_eur, 0)) > 1e-6

-- Energy per day in fct_daily_cost equals the sum over meters in fct_daily_consumption.
with cost as (
    select date_local, sum(energy_kwh) as energy_kwh from {{ ref('fct_daily_cost') }} group by date_local
),

consumption as (
    select date_local, sum(energy_kwh) as energy_kwh from {{ ref('fct_daily_consumption') }} group by date_local
)

select coalesce(cost.date_local, consumption.date_local) as date_local, cost.energy_kwh, consumption.energy_kwh
from cost
full outer join consumption on consumption.date_local = cost.date_local
where cost.energy_kwh is null or consumption.energy_kwh is null
   or abs(cost.energy_kwh - consumption.energy_kwh) > 1e-6

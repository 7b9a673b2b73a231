-- Per region and local day: cost and reporting meters from the meter-day rows.
select
    region,
    date_local,
    sum(energy_kwh) / 1000.0 as metered_energy_mwh,
    sum(cost_eur) as cost_eur,
    count(*) filter (where intervals_with_energy > 0) as meters_reporting
from {{ ref('stg_lakehouse_gold__meter_daily') }}
group by region, date_local

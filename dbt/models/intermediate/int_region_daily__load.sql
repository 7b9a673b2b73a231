-- Per region and local day: energy, peak hour, mean temperature and price from the hourly load.
-- The peak is the hour with the most energy (MWh in one hour = mean MW over it); ties go to the
-- earliest hour.
with ranked as (
    select
        region,
        date_local,
        hour_utc,
        energy_mwh,
        temperature_c,
        price_eur_mwh,
        row_number() over (
            partition by region, date_local order by energy_mwh desc nulls last, hour_utc
        ) as energy_rank
    from {{ ref('stg_lakehouse_gold__region_load_hourly') }}
)

select
    region,
    date_local,
    count(*) as hours,
    sum(energy_mwh) as energy_mwh,
    max(energy_mwh) as peak_mw,
    min({{ to_local('hour_utc') }}) filter (where energy_rank = 1) as peak_hour_local,
    avg(temperature_c) as avg_temperature_c,
    avg(price_eur_mwh) as avg_price_eur_mwh
from ranked
group by region, date_local

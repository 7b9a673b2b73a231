-- Per region and local day: mean absolute percentage error of the day-ahead forecast (latest model
-- version per hour when several forecast the same hour).
with latest as (
    select
        *,
        row_number() over (partition by region, hour_utc order by length(model_version) desc, model_version desc) as version_rank
    from {{ ref('stg_lakehouse_gold__forecast_accuracy') }}
)

select
    region,
    date_local,
    avg(ape) * 100.0 as forecast_mape_pct,
    count(*) as forecast_hours
from latest
where version_rank = 1
group by region, date_local

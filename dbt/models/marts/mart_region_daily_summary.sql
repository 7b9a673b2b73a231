-- One row per region and local day: what the daily report shows.
select
    md5(load.region) as region_key,
    load.region,
    load.date_local,
    calendar.is_holiday,
    calendar.holiday_name,
    calendar.hours_in_day,
    load.hours as hours_reported,
    load.energy_mwh,
    load.peak_mw,
    load.peak_hour_local,
    load.avg_temperature_c,
    load.avg_price_eur_mwh,
    consumption.cost_eur,
    coalesce(consumption.meters_reporting, 0) as meters_reporting,
    accuracy.forecast_mape_pct,
    coalesce(accuracy.forecast_hours, 0) as forecast_hours,
    coalesce(quarantine.quarantined_records, 0) as quarantined_records
from {{ ref('int_region_daily__load') }} as load
left join {{ ref('int_region_daily__consumption') }} as consumption
    on consumption.region = load.region and consumption.date_local = load.date_local
left join {{ ref('int_region_daily__forecast_accuracy') }} as accuracy
    on accuracy.region = load.region and accuracy.date_local = load.date_local
left join {{ ref('int_region_daily__quarantine') }} as quarantine
    on quarantine.region = load.region and quarantine.date_local = load.date_local
left join {{ ref('dim_date') }} as calendar
    on calendar.date_day = load.date_local

-- Per region and local day: the report day and the seven days before it (trailing-week comparison).
SELECT
    region,
    date_local,
    hours_in_day,
    hours_reported,
    energy_mwh,
    peak_mw,
    peak_hour_local,
    avg_temperature_c,
    avg_price_eur_mwh,
    cost_eur,
    meters_reporting,
    forecast_mape_pct,
    forecast_hours,
    quarantined_records
FROM warehouse.marts.mart_region_daily_summary
WHERE date_local BETWEEN {week_ago} AND {day}
ORDER BY date_local, region

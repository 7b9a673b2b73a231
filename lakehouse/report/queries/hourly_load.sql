-- Hourly load per region on the report day and the seven days before it (load curves against the
-- same weekday a week before, daily system peaks of the trailing week, temperature and price).
SELECT
    region,
    date_local,
    hour_utc,
    energy_mwh,
    meters_reporting,
    temperature_c,
    price_eur_mwh,
    cost_eur
FROM warehouse.marts.fct_hourly_load
WHERE date_local BETWEEN {week_ago} AND {day}
ORDER BY hour_utc, region

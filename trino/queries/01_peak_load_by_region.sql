-- Peak load by region: each region's highest hourly load (MW) and the local hour it happened.
SELECT
    region,
    max_by(hour_utc, energy_mwh) AS peak_hour_utc,
    format_datetime(max_by(hour_utc, energy_mwh) AT TIME ZONE 'Europe/Belgrade', 'yyyy-MM-dd HH:mm') AS peak_hour_local,
    round(max(energy_mwh), 6) AS peak_mw
FROM lakehouse.gold.region_load_hourly
GROUP BY region
ORDER BY peak_mw DESC, region

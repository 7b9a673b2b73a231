-- Weekday pattern: average daily energy per region and day of the week (1 = Monday).
WITH daily AS (
    SELECT region, date_local, sum(energy_mwh) AS energy_mwh
    FROM lakehouse.gold.region_load_hourly
    GROUP BY region, date_local
)
SELECT
    region,
    day_of_week(date_local) AS iso_weekday,
    format_datetime(CAST(date_local AS timestamp), 'EEEE') AS weekday,
    count(*) AS days,
    round(avg(energy_mwh), 6) AS avg_energy_mwh
FROM daily
GROUP BY region, day_of_week(date_local), format_datetime(CAST(date_local AS timestamp), 'EEEE')
ORDER BY region, iso_weekday

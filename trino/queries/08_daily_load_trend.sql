-- Daily load trend: energy per region and local day, with the change against the day before.
WITH daily AS (
    SELECT region, date_local, sum(energy_mwh) AS energy_mwh
    FROM lakehouse.gold.region_load_hourly
    GROUP BY region, date_local
)
SELECT
    region,
    date_local,
    round(energy_mwh, 6) AS energy_mwh,
    round(energy_mwh - lag(energy_mwh) OVER (PARTITION BY region ORDER BY date_local), 6) AS change_mwh
FROM daily
ORDER BY region, date_local

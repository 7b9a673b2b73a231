-- Load against temperature: average hourly load per region in 5-degree temperature bands (heating drives load).
SELECT
    region,
    CAST(floor(temperature_c / 5) * 5 AS integer) AS temperature_band_c,
    count(*) AS hours,
    round(avg(energy_mwh), 6) AS avg_load_mw
FROM lakehouse.gold.region_load_hourly
WHERE temperature_c IS NOT NULL
GROUP BY region, CAST(floor(temperature_c / 5) * 5 AS integer)
ORDER BY region, temperature_band_c

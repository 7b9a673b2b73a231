-- Price against load: Pearson correlation between the day-ahead price and each region's hourly load.
SELECT
    region,
    count(*) AS hours,
    round(corr(price_eur_mwh, energy_mwh), 6) AS price_load_correlation
FROM lakehouse.gold.region_load_hourly
WHERE price_eur_mwh IS NOT NULL
GROUP BY region
ORDER BY region

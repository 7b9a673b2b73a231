-- Heating demand: heating degree hours (base 18 C) against energy per region and local day.
SELECT
    region,
    date_local,
    round(sum(heating_degree_hours), 3) AS heating_degree_hours,
    round(sum(energy_mwh), 6) AS energy_mwh
FROM lakehouse.gold.load_features
GROUP BY region, date_local
ORDER BY region, date_local

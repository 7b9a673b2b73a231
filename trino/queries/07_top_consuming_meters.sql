-- Top consuming meters: the ten meters with the most energy over the period, with their share of their region.
WITH per_meter AS (
    SELECT meter_id, region, customer_type, sum(energy_kwh) AS energy_kwh
    FROM lakehouse.gold.meter_daily
    GROUP BY meter_id, region, customer_type
)
SELECT
    meter_id,
    region,
    customer_type,
    round(energy_kwh, 3) AS energy_kwh,
    round(100 * energy_kwh / sum(energy_kwh) OVER (PARTITION BY region), 2) AS pct_of_region
FROM per_meter
ORDER BY energy_kwh DESC, meter_id
LIMIT 10

-- Cost per customer type: energy, cost at the day-ahead price, and the effective price per MWh, per customer type.
SELECT
    customer_type,
    count(DISTINCT meter_id) AS meters,
    round(sum(energy_kwh), 3) AS energy_kwh,
    round(sum(cost_eur), 2) AS cost_eur,
    round(sum(cost_eur) * 1000 / nullif(sum(energy_kwh), 0), 2) AS eur_per_mwh
FROM lakehouse.gold.meter_daily
GROUP BY customer_type
ORDER BY cost_eur DESC

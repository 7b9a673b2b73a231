-- Energy and cost of the report day per customer type, at the hourly day-ahead price.
SELECT
    customer_type,
    sum(meters) AS meters,
    sum(energy_kwh) AS energy_kwh,
    sum(cost_eur) AS cost_eur,
    sum(unpriced_energy_kwh) AS unpriced_energy_kwh
FROM warehouse.marts.fct_daily_cost
WHERE date_local = {day}
GROUP BY customer_type
ORDER BY customer_type

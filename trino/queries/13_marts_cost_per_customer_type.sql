-- Cost per customer type per day from the warehouse marts: energy, cost and effective price per MWh.
SELECT
    date_local,
    customer_type,
    sum(meters) AS meters,
    round(sum(energy_kwh), 3) AS energy_kwh,
    round(sum(cost_eur), 2) AS cost_eur
FROM warehouse.marts.fct_daily_cost
GROUP BY date_local, customer_type
ORDER BY date_local, customer_type

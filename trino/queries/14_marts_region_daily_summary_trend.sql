-- Daily summary trend: each region's energy, peak and cost per day, with the 7-day moving average of energy.
SELECT
    region,
    date_local,
    round(energy_mwh, 6) AS energy_mwh,
    round(peak_mw, 6) AS peak_mw,
    round(cost_eur, 2) AS cost_eur,
    round(avg(energy_mwh) OVER (PARTITION BY region ORDER BY date_local ROWS BETWEEN 6 PRECEDING AND CURRENT ROW), 6)
        AS energy_mwh_7d_avg
FROM warehouse.marts.mart_region_daily_summary
ORDER BY region, date_local

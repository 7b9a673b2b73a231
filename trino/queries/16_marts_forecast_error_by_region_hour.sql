-- Forecast error by region and local hour: mean absolute and percentage error of the day-ahead forecast.
SELECT
    region,
    hour(hour_utc AT TIME ZONE 'Europe/Belgrade') AS hour_local,
    count(*) AS hours,
    round(avg(abs_error_mwh), 6) AS mae_mwh,
    round(100 * avg(ape), 2) AS mape_pct
FROM warehouse.marts.fct_forecast_accuracy
GROUP BY region, hour(hour_utc AT TIME ZONE 'Europe/Belgrade')
ORDER BY region, hour_local

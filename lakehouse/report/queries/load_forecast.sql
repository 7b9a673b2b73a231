-- Day-ahead load forecast per region and hour of the report day, for the load curve: every hour
-- the forecast covers, also those without actuals (latest model version per hour when several
-- forecast the same hour, as in forecast_accuracy.sql; the accuracy figures stay on that query).
SELECT region, hour_utc, model_version, forecast_mwh, p10_mwh, p90_mwh
FROM (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY region, hour_utc
            ORDER BY length(model_version) DESC, model_version DESC, forecast_made_at DESC
        ) AS version_rank
    FROM warehouse.marts.fct_load_forecast
    WHERE date_local = {day}
) AS ranked
WHERE version_rank = 1
ORDER BY hour_utc, region

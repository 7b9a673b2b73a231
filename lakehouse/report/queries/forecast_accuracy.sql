-- Day-ahead forecast against actual load per region and hour of the report day (latest model
-- version per hour when several forecast the same hour).
SELECT region, hour_utc, model_version, forecast_mwh, actual_mwh, abs_error_mwh, ape
FROM (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY region, hour_utc ORDER BY length(model_version) DESC, model_version DESC
        ) AS version_rank
    FROM warehouse.marts.fct_forecast_accuracy
    WHERE date_local = {day}
) AS ranked
WHERE version_rank = 1
ORDER BY hour_utc, region

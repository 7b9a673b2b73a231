-- The report day's most anomalous meters (gold.meter_anomalies: no mart holds them), flagged ones
-- first, highest score first, with how many meters were scored and flagged that day.
SELECT
    meter_id,
    region,
    score,
    reason,
    details,
    is_anomaly,
    count(*) OVER () AS scored_meters,
    sum(CASE WHEN is_anomaly THEN 1 ELSE 0 END) OVER () AS flagged_meters
FROM lakehouse.gold.meter_anomalies
WHERE date_local = {day}
ORDER BY is_anomaly DESC, score DESC, meter_id
LIMIT 10

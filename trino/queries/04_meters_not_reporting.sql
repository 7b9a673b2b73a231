-- Meters not reporting fully: meter-days with fewer readings than the day should have (gaps, ERR readings).
SELECT
    date_local,
    meter_id,
    region,
    intervals_with_energy,
    expected_intervals,
    expected_intervals - intervals_with_energy AS missing_intervals
FROM lakehouse.gold.meter_daily
WHERE intervals_with_energy < expected_intervals
ORDER BY missing_intervals DESC, date_local, meter_id

-- Reading completeness: how many meter-days fall in each completeness decile (integer division: 95% -> 9).
SELECT
    intervals_with_energy * 10 / expected_intervals AS completeness_decile,
    count(*) AS meter_days
FROM lakehouse.gold.meter_daily
WHERE expected_intervals > 0
GROUP BY intervals_with_energy * 10 / expected_intervals
ORDER BY completeness_decile

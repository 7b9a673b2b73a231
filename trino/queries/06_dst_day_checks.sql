-- DST-day checks: on days when clocks change, does every region have 23 or 25 hours of load, as the day has?
SELECT
    date_local,
    region,
    max(day_hours) AS hours_in_day,
    count(*) AS hours_with_load,
    count(*) = max(day_hours) AS complete
FROM lakehouse.gold.load_features
WHERE is_dst_day
GROUP BY date_local, region
ORDER BY date_local, region

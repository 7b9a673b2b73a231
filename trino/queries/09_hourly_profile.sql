-- Hourly load profile: average load per local hour of day, working days against weekends and holidays.
SELECT
    hour_local,
    round(avg(energy_mwh) FILTER (WHERE NOT is_weekend AND NOT is_holiday), 6) AS working_day_mw,
    round(avg(energy_mwh) FILTER (WHERE is_weekend OR is_holiday), 6) AS weekend_holiday_mw
FROM lakehouse.gold.load_features
GROUP BY hour_local
ORDER BY hour_local

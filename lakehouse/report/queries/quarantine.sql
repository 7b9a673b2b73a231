-- Records quarantined for the report day, by feed and reason.
SELECT source, reason, sum(records) AS records
FROM warehouse.marts.fct_daily_quarantine
WHERE date_local = {day}
GROUP BY source, reason
ORDER BY records DESC, source, reason

-- Quarantine reasons by feed: rejected records per feed (meters, weather, prices, registry) and reason.
SELECT
    source AS feed,
    reason,
    sum(records) AS records
FROM warehouse.marts.fct_daily_quarantine
GROUP BY source, reason
ORDER BY records DESC, feed, reason

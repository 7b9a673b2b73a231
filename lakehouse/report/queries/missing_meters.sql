-- Registered meters that sent no energy on the report day (first 50 by region and meter).
SELECT r.region, r.meter_id, r.customer_type, r.feeder_id
FROM warehouse.marts.dim_meter AS r
LEFT JOIN warehouse.marts.fct_daily_consumption AS c
    ON c.meter_id = r.meter_id AND c.date_local = {day}
WHERE r.valid_from_date <= {day} AND r.valid_to_date > {day}
  AND (r.installed_on IS NULL OR r.installed_on <= {day})
  AND coalesce(c.intervals_with_energy, 0) = 0
ORDER BY r.region, r.meter_id
LIMIT 50

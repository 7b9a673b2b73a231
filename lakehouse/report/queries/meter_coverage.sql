-- Per region: meters in the registry on the report day, meters that sent energy, and meters whose
-- day is incomplete (fewer readings than expected).
WITH registered AS (
    SELECT region, meter_id
    FROM warehouse.marts.dim_meter
    WHERE valid_from_date <= {day} AND valid_to_date > {day}
      AND (installed_on IS NULL OR installed_on <= {day})
),
consumption AS (
    SELECT meter_id, intervals_with_energy, is_complete
    FROM warehouse.marts.fct_daily_consumption
    WHERE date_local = {day}
)
SELECT
    r.region,
    count(*) AS registered,
    count(*) FILTER (WHERE c.intervals_with_energy > 0) AS reporting,
    count(*) FILTER (WHERE c.intervals_with_energy > 0 AND NOT c.is_complete) AS incomplete
FROM registered AS r
LEFT JOIN consumption AS c ON c.meter_id = r.meter_id
GROUP BY r.region
ORDER BY r.region

-- The grid's regions (what a complete day covers).
SELECT region
FROM warehouse.marts.dim_region
ORDER BY region

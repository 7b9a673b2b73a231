-- What the quality gates found for the report day: latest validation per table, the gate that ran
-- it, and the expectations that blocked it (a view: current even when the day was blocked).
SELECT
    table_name,
    expectations,
    failed_expectations,
    unexpected_rows,
    failed_expectation_names,
    gate_action,
    gate,
    blocking_expectation_names
FROM warehouse.marts.fct_quality_checks
WHERE date_local = {day}
ORDER BY table_name

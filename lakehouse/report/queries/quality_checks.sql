-- What the quality gates found for the report day: latest validation per table.
SELECT
    table_name,
    expectations,
    failed_expectations,
    unexpected_rows,
    failed_expectation_names,
    gate_action
FROM warehouse.marts.fct_quality_checks
WHERE date_local = {day}
ORDER BY table_name

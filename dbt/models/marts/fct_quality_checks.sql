{{ config(materialized='view') }}

-- Latest validation of each table and local day: expectations evaluated and failed, the gate that
-- ran them and what it did (empty until the quality gates have run). A view, not a table: on a day
-- that a gate blocked, publish_gold and the dbt marts never run, but the report task publishes the
-- day's quality results (marts_steps.publish_quality) and must see them without a dbt run.
with latest as (
    select
        *,
        max(validated_at) over (partition by table_name, date_local) as latest_validated_at
    from {{ ref('stg_lakehouse_gold__quality_results') }}
)

select
    table_name,
    date_local,
    validated_at,
    run_id,
    'validate_' || split_part(table_name, '.', 1) as gate,
    count(*) as expectations,
    count(*) filter (where not success) as failed_expectations,
    sum(unexpected_count) filter (where not success) as unexpected_rows,
    string_agg(expectation, ', ' order by expectation) filter (where not success) as failed_expectation_names,
    string_agg(expectation, ', ' order by expectation)
        filter (where not success and action in ('blocked', 'error')) as blocking_expectation_names,
    case
        when bool_or(action = 'blocked') then 'blocked'
        when bool_or(action = 'error') then 'error'
        when bool_or(action = 'quarantined') then 'quarantined'
        when bool_or(action = 'warned') then 'warned'
        else 'passed'
    end as gate_action
from latest
where validated_at = latest_validated_at
group by table_name, date_local, validated_at, run_id

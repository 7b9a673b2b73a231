-- Latest validation of each table and local day: expectations evaluated and failed, and what the
-- quality gate did (empty until the quality gates have run).
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
    count(*) as expectations,
    count(*) filter (where not success) as failed_expectations,
    sum(unexpected_count) filter (where not success) as unexpected_rows,
    string_agg(expectation, ', ' order by expectation) filter (where not success) as failed_expectation_names,
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

select
    run_id::text                           as run_id,
    validated_at::timestamptz              as validated_at,
    "table"::text                          as table_name,
    date_local::date                       as date_local,
    expectation::text                      as expectation,
    expectation_type::text                 as expectation_type,
    policy::text                           as policy,
    success::boolean                       as success,
    unexpected_count::bigint               as unexpected_count,
    element_count::bigint                  as element_count,
    unexpected_percent::double precision   as unexpected_percent,
    action::text                           as action,
    suite_version::text                    as suite_version,
    _published_at                          as published_at
from {{ source('lakehouse_gold', 'quality_results') }}

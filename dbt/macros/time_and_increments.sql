{#- Incremental filter of the date-keyed facts: on an incremental run, only the local days whose rows
    were (re)published into lakehouse_gold after this model's last build. The publish step replaces
    whole days, so every row of a republished day carries the new published_at; with
    unique_key='date_local' and delete+insert, dbt then replaces exactly those days. -#}
{% macro republished_dates(relation, date_column='date_local') -%}
    {%- if is_incremental() -%}
    where {{ date_column }} in (
        select distinct date_local from {{ relation }}
        where published_at > (select coalesce(max(published_at), '-infinity'::timestamptz) from {{ this }})
    )
    {%- endif -%}
{%- endmacro %}

{#- A UTC timestamp as local wall-clock time (timestamp without time zone) in the grid's zone. -#}
{% macro to_local(column) -%}
    ({{ column }} at time zone '{{ var("local_timezone") }}')
{%- endmacro %}

{#- A UTC timestamp without time zone (dbt snapshot times) as local wall-clock time. -#}
{% macro utc_naive_to_local(column) -%}
    (({{ column }} at time zone 'UTC') at time zone '{{ var("local_timezone") }}')
{%- endmacro %}

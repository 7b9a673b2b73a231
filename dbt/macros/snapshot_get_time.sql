{#- Snapshot times in UTC whatever the server's TimeZone setting: dbt-postgres stores them as
    timestamp without time zone, so int_meters__versions reads them back as UTC. -#}
{% macro postgres__snapshot_get_time() -%}
    (now() at time zone 'UTC')
{%- endmacro %}

{#- Schemas are exactly the names configured (staging, intermediate, marts, seeds, snapshots), not
    dbt's default "<target schema>_<custom>", so analysts and Trino find `warehouse.marts.*`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

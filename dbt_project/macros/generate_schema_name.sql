{#- Custom schemas are used as they are (staging, intermediate, marts, reference), not prefixed
    with the target schema: analysts query marts.fct_indicator_values.
    Write-audit-publish: a build runs with MDW_DBT_SCHEMA_SUFFIX=__build, so that every schema
    gets the suffix (marts__build, ...); monitor_dordt_west.warehouse_build swaps them into place
    only when everything passed. Without the variable (docs, ls, parse) the live schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set suffix = env_var('MDW_DBT_SCHEMA_SUFFIX', '') | trim -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{{ suffix }}{%- else -%}{{ custom_schema_name | trim }}{{ suffix }}{%- endif -%}
{%- endmacro %}

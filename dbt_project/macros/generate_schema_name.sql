{#- Custom schemas are used as they are (staging, intermediate, marts, reference), not prefixed
    with the target schema: analysts query marts.fct_indicator_values. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

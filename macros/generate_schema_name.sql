{#-
    Custom schemas are used as-is (`leader_hub`, `fraud`, `staging`), without the
    target-schema prefix dbt adds by default: the sync and the API read fixed names.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

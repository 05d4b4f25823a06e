{#-
    Custom schemas are used as-is (`leader_hub`, `fraud`, `staging`), without the
    target-schema prefix dbt adds by default: the sync and the API read fixed names.

    `kpi backfill` (var `history_backfill: true`) builds a past date's history: every
    model it needs upstream of the history then goes to a scratch schema
    `<schema>_backfill`, so the views and marts of the latest build are never replaced by
    a past date's; only the history models (and their log) keep their own schema, and
    seeds and staging views (no date in them: tests/python/test_history.py checks) are
    read where they are (docs/leader_hub.md "History").
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set schema = target.schema if custom_schema_name is none else custom_schema_name -%}
    {%- if var('history_backfill', false) and node is not none
        and node.resource_type == 'model' and node.fqn[1] != 'staging'
        and not is_history_model(node) -%}
        {{ schema | trim }}_backfill
    {%- else -%}
        {{ schema | trim }}
    {%- endif -%}
{%- endmacro %}

{#-
    A model that keeps every report date: the models of marts/leader_hub/history and
    marts/fraud/history.
-#}
{% macro is_history_model(node) -%}
    {{ return(node is not none and node.fqn[1] == 'marts' and node.fqn[3:4] == ['history']) }}
{%- endmacro %}

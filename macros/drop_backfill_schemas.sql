{#-
    `kpi backfill` runs this at the end: drops the `<schema>_backfill` scratch schemas
    its runs built the past dates' upstream models in (macros/generate_schema_name.sql),
    so they never linger next to the real ones. Only schemas ending in `_backfill`.
-#}
{% macro drop_backfill_schemas() %}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.schema.endswith('_backfill') and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for schema in schemas -%}
        {%- do adapter.drop_schema(api.Relation.create(database=target.database, schema=schema)) -%}
    {%- endfor -%}
{% endmacro %}

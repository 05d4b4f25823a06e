{#-
    String helpers. Postgres `regexp_replace` replaces only the first match unless given
    the 'g' flag; Redshift always replaces every match and rejects the flag.
-#}
{% macro digits_only(expr) -%}
    {{ return(adapter.dispatch('digits_only', 'clinical_kpi')(expr)) }}
{%- endmacro %}

{% macro default__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '', 'g')
{%- endmacro %}

{% macro redshift__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '')
{%- endmacro %}


{#-
    `expr` as text that orders by its UTF-8 bytes (code points), the same on both
    engines. Redshift orders strings by binary UTF-8 in its default (case-sensitive)
    collation; PostgreSQL orders by the database's collation (en_US.UTF-8 puts 'a'
    before 'B' and skips hyphens at first), so it is told to use "C" (byte order).
    For tie-breaks on text keys: an order the report depends on must not change with
    the warehouse.
-#}
{% macro text_in_byte_order(expr) -%}
    {{ return(adapter.dispatch('text_in_byte_order', 'clinical_kpi')(expr)) }}
{%- endmacro %}

{% macro default__text_in_byte_order(expr) -%}
    (cast({{ expr }} as text) collate "C")
{%- endmacro %}

{% macro redshift__text_in_byte_order(expr) -%}
    cast({{ expr }} as varchar(65535))
{%- endmacro %}

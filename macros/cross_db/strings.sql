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

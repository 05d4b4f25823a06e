{#-
    The report date D as a SQL date literal. `--vars '{as_of_date: 2026-01-31}'` rebuilds
    any past day exactly; without it D is the run's start date (UTC), fixed for the
    whole run so every model of one build agrees on it.
-#}
{% macro as_of_date() -%}
    cast('{{ as_of_date_string() }}' as date)
{%- endmacro %}

{% macro as_of_date_string() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value | string | trim == '' -%}
        {{ run_started_at.strftime('%Y-%m-%d') }}
    {%- else -%}
        {{ value | string | trim }}
    {%- endif -%}
{%- endmacro %}

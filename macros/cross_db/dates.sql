{#-
    Date and time arithmetic that Postgres and Redshift spell differently.
    Each macro dispatches: `default__` is the Postgres spelling, `redshift__` Redshift's.
-#}

{# Whole days from start_date to end_date (end − start), both dates. #}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'clinical_kpi')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{% macro redshift__days_between(start_date, end_date) -%}
    datediff(day, {{ start_date }}, {{ end_date }})
{%- endmacro %}


{# A date shifted by a whole number of days (may be negative); returns a date. #}
{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'clinical_kpi')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast({{ date_expr }} + ({{ days }}) as date)
{%- endmacro %}

{% macro redshift__add_days(date_expr, days) -%}
    cast(dateadd(day, {{ days }}, {{ date_expr }}) as date)
{%- endmacro %}


{# A timestamp shifted by a whole number of hours. #}
{% macro add_hours(timestamp_expr, hours) -%}
    {{ return(adapter.dispatch('add_hours', 'clinical_kpi')(timestamp_expr, hours)) }}
{%- endmacro %}

{% macro default__add_hours(timestamp_expr, hours) -%}
    ({{ timestamp_expr }} + make_interval(hours => {{ hours }}))
{%- endmacro %}

{% macro redshift__add_hours(timestamp_expr, hours) -%}
    dateadd(hour, {{ hours }}, {{ timestamp_expr }})
{%- endmacro %}


{#-
    Whole seconds from start_ts to end_ts: the exact difference truncated toward zero
    (SPEC §6), as bigint, identically on both engines. Source timestamps carry
    microseconds, so 1.2 s and 1.8 s are both 1 and -1.2 s is -1.
    Redshift's `datediff(second, …)` counts second boundaries crossed (1.2 s can be 2)
    and must not be used for a duration; `datediff(microsecond, …)` is exact, and the
    integer division by 10^6 is done on a non-negative dividend, so it truncates toward
    zero whatever convention the engine has for a negative one.
-#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'clinical_kpi')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    cast(trunc(extract(epoch from ({{ end_ts }} - {{ start_ts }}))) as bigint)
{%- endmacro %}

{% macro redshift__seconds_between(start_ts, end_ts) -%}
    {%- set microseconds = 'datediff(microsecond, ' ~ start_ts ~ ', ' ~ end_ts ~ ')' -%}
    cast(case
        when {{ microseconds }} < 0 then -((-{{ microseconds }}) / 1000000)
        else {{ microseconds }} / 1000000
    end as bigint)
{%- endmacro %}

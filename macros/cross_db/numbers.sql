{#-
    Numeric helpers shared by every metric.
-#}

{#-
    Round half away from zero to `scale` decimals (SPEC §6). Both engines round numeric
    half away from zero; the explicit precision matters on Redshift, where a bare
    `numeric` is numeric(18, 0) and would truncate, and on Postgres, where
    round(double precision, n) does not exist.
-#}
{% macro round_half_away(expr, scale) -%}
    round(cast({{ expr }} as numeric(38, 12)), {{ scale }})
{%- endmacro %}


{# A share as numeric: numerator / denominator, NULL when the denominator is 0 or NULL. #}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as numeric(38, 12)) / nullif({{ denominator }}, 0)
{%- endmacro %}


{#-
    Median as an aggregate (GROUP BY). Postgres has no MEDIAN; Redshift has both, but
    allows sort-based aggregates in one statement only when they all order by the same
    expression, so a model needing two different medians must use `median_by_rank`
    style logic (row_number) or separate table models.
-#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'clinical_kpi')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro redshift__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

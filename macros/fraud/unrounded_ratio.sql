{#-
    numerator / denominator as double precision, NULL when the denominator is 0 or
    NULL. For the fraud ratios, which SPEC §7 keeps unrounded: a float keeps every
    ratio of two counts exact to 15-16 significant digits on both engines, equal
    fractions (1/3 and 2/6) compare equal, and no numeric precision/scale rule of
    Redshift can truncate it.
-#}
{% macro fraud_unrounded_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif({{ denominator }}, 0)
{%- endmacro %}

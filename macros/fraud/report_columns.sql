{#-
    The exported columns of a fraud report (SPEC §7), written once for all four marts:
    the report's own `columns` ({name: type}, in output order), then the columns every
    report shares: report_date (D), report_rank, is_reported, outlier_score and
    is_statistical_outlier (from fraud_report_flags and fraud_outlier_score; their
    helper columns are dropped here).

    Every column is cast to the type its contract declares, so the mart has exactly that
    type on both engines whatever the expressions upstream infer (the enforced contract
    fails the build on any difference; docs/leader_hub.md "Types"). Usage, as the body
    of the last CTE:
        final as (
            {{ fraud_report_columns('scored', {
                'phone_number': 'varchar(32)',
                'patients_qty': 'bigint',
            }) }}
        )
-#}
{% macro fraud_report_columns(relation, columns) -%}
select
    {%- for name, data_type in columns.items() %}
    cast({{ name }} as {{ data_type }}) as {{ name }},
    {%- endfor %}
    {{ as_of_date() }} as report_date,
    cast(report_rank as bigint) as report_rank,
    is_reported,
    cast(outlier_score as numeric(18, 4)) as outlier_score,
    is_statistical_outlier
from {{ relation }}
{%- endmacro %}

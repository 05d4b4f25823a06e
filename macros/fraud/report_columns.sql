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
            }, key_columns=['phone_number']) }}
        )
-#}
{% macro fraud_report_columns(relation, columns, key_columns, row_id_prefix=none) -%}
{%- set row_id_parts = ([("'" ~ row_id_prefix ~ "'")] if row_id_prefix else [])
    + key_columns -%}
select
    {%- for name, data_type in columns.items() %}
    cast({{ name }} as {{ data_type }}) as {{ name }},
    {%- endfor %}
    {{ as_of_date() }} as report_date,
    cast(report_rank as bigint) as report_rank,
    is_reported,
    cast(outlier_score as numeric(18, 4)) as outlier_score,
    is_statistical_outlier,
    cast({{ row_id_parts | join(" || ':' || ") }} as varchar(128)) as row_id,
    cast(report_partition_rows as bigint) as partition_rows,
    cast(outlier_median as double precision) as partition_median,
    cast(outlier_median_deviation as double precision) as partition_mad,
    cast({{ var('outlier_threshold') }} as numeric(9, 4)) as outlier_threshold,
    cast(report_cap as bigint) as report_cap,
    cast(report_cutoff_value as double precision) as report_cutoff_value
from {{ relation }}
{%- endmacro %}

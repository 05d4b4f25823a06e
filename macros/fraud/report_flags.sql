{#-
    Report flags of a fraud report (SPEC §7), written once for all four marts.

    `relation` is a CTE holding the report's rows left after its threshold. Adds:
      - report_rank: row_number within the partition, ordered by every column of
        `sort_desc` descending with NULLs last, ties broken by `key_columns`
        ascending as text;
      - report_partition_rows: the partition's row count (helper, not exported);
      - is_reported: report_rank <= least(ceil(report_share x partition rows),
        report_max_rows), i.e. the top "least(5%, 25 rows)" of the seed.

    Usage, as the body of a CTE:
        flagged as (
            {{ fraud_report_flags('thresholded', sort_desc=['ratio_offline_patients_qty'],
                                  key_columns=['party_id', 'legal_entity_id'],
                                  partition_by=['settlement_type']) }}
        ),
-#}
{% macro fraud_report_flags(relation, sort_desc, key_columns, partition_by=[]) -%}
select
    report_ranked.*,
    report_ranked.report_rank <= least(
        ceil({{ var('report_share') }} * report_ranked.report_partition_rows),
        {{ var('report_max_rows') }}
    ) as is_reported
from (
    select
        report_source.*,
        row_number() over (
            {{ fraud_partition_by(partition_by) }}
            order by
            {%- for column in sort_desc %}
                {{ column }} desc nulls last,
            {%- endfor %}
            {%- for column in key_columns %}
                {{ text_in_byte_order(column) }} asc{{ ',' if not loop.last }}
            {%- endfor %}
        ) as report_rank,
        count(*) over ({{ fraud_partition_by(partition_by) }}) as report_partition_rows
    from {{ relation }} as report_source
) as report_ranked
{%- endmacro %}


{#- `partition by a, b` for a window, or nothing when the report is one partition. -#}
{% macro fraud_partition_by(columns) -%}
    {%- if columns -%}
        partition by {{ columns | join(', ') }}
    {%- endif -%}
{%- endmacro %}

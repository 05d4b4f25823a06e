{#-
    Report flags of a fraud report (SPEC §7), written once for all four marts.

    `relation` is a CTE holding the report's rows left after its threshold. Adds:
      - report_rank: row_number within the partition, ordered by every column of
        `sort_desc` descending with NULLs last, ties broken by `key_columns`
        ascending as text;
      - report_partition_rows: the partition's row count (exported as partition_rows);
      - report_cap: least(ceil(report_share x partition rows), report_max_rows), i.e.
        the "least(5%, 25 rows)" of the seed (SPEC §15);
      - is_reported: report_rank <= report_cap;
      - report_cutoff_value: the first `sort_desc` column's value (as double precision)
        of the partition's row at rank report_cap, the value a row must reach to be
        reported (NULL when that row's value is NULL, e.g. a doctor ranked by
        patient_increase_30d_0).

    Usage, as the body of a CTE:
        flagged as (
            {{ fraud_report_flags('thresholded', sort_desc=['ratio_offline_patients_qty'],
                                  key_columns=['party_id', 'legal_entity_id'],
                                  partition_by=['settlement_type']) }}
        ),
-#}
{% macro fraud_report_flags(relation, sort_desc, key_columns, partition_by=[]) -%}
{%- set partition = fraud_partition_by(partition_by) -%}
select
    report_capped.*,
    report_capped.report_rank <= report_capped.report_cap as is_reported,
    max(
        case
            when report_capped.report_rank = report_capped.report_cap
                then cast(report_capped.{{ sort_desc[0] }} as double precision)
        end
    ) over ({{ partition }}) as report_cutoff_value
from (
    select
        report_ranked.*,
        cast(least(
            ceil({{ var('report_share') }} * report_ranked.report_partition_rows),
            {{ var('report_max_rows') }}
        ) as bigint) as report_cap
    from (
        select
            report_source.*,
            row_number() over (
                {{ partition }}
                order by
                {%- for column in sort_desc %}
                    {{ column }} desc nulls last,
                {%- endfor %}
                {%- for column in key_columns %}
                    {{ text_in_byte_order(column) }} asc{{ ',' if not loop.last }}
                {%- endfor %}
            ) as report_rank,
            count(*) over ({{ partition }}) as report_partition_rows
        from {{ relation }} as report_source
    ) as report_ranked
) as report_capped
{%- endmacro %}


{#- `partition by a, b` for a window, or nothing when the report is one partition. -#}
{% macro fraud_partition_by(columns) -%}
    {%- if columns -%}
        partition by {{ columns | join(', ') }}
    {%- endif -%}
{%- endmacro %}

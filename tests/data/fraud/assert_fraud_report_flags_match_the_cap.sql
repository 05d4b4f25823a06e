{#-
    In every partition of every fraud report, report_rank runs 1..n without gaps or
    repeats, and exactly least(ceil(report_share x n), report_max_rows) rows are reported.
-#}

with

report_rows as (
    select
        'authorization_doctor' as report_name,
        settlement_type as report_partition,
        report_rank,
        is_reported
    from {{ ref('authorization_doctor') }}
    union all
    select
        'authorization_legal_entity' as report_name,
        settlement_type as report_partition,
        report_rank,
        is_reported
    from {{ ref('authorization_legal_entity') }}
    union all
    select
        'total_patients_doctor' as report_name,
        'all' as report_partition,
        report_rank,
        is_reported
    from {{ ref('total_patients_doctor') }}
    union all
    select
        'patients_phonenumber' as report_name,
        'all' as report_partition,
        report_rank,
        is_reported
    from {{ ref('patients_phonenumber') }}
),

partitions as (
    select
        report_name,
        report_partition,
        count(*) as partition_rows,
        count(distinct report_rank) as distinct_ranks,
        min(report_rank) as first_rank,
        max(report_rank) as last_rank,
        sum(case when is_reported then 1 else 0 end) as reported_rows,
        max(case when is_reported then report_rank end) as last_reported_rank
    from report_rows
    group by report_name, report_partition
)

select *
from partitions
where
    distinct_ranks != partition_rows
    or first_rank != 1
    or last_rank != partition_rows
    or reported_rows != least(
        ceil({{ var('report_share') }} * partition_rows), {{ var('report_max_rows') }}
    )
    or last_reported_rank != reported_rows

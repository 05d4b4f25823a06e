{#-
    The status of the reported rows on every report date kept (SPEC §15 "History"),
    recomputed from the whole flag history at every build and backfill (a table, not
    incremental: a backfilled past date changes the status of the dates after it).

    For a row reported on date D, with P the previous report date kept:
      - first_reported_date: the first date kept on which it was reported, up to D;
      - consecutive_reports: the consecutive report dates kept ending at D on which it
        was reported (1 = only D);
      - flag_status: `recurring` when it was reported on P, else `new`.
    A row reported on P and not on D is a `resolved` row of D (consecutive_reports 0):
    what `GET /v1/fraud-reports/{report}/resolved` lists.
-#}

with

dates as (
    select
        report_date,
        lag(report_date) over (order by report_date) as previous_report_date,
        row_number() over (order by report_date) as date_position
    from {{ ref('report_flag_dates') }}
),

flags as (
    select
        report,
        row_id,
        report_date
    from {{ ref('report_flag_history') }}
),

flags_positioned as (
    select
        flags.report,
        flags.row_id,
        flags.report_date,
        dates.previous_report_date,
        -- equal for the dates of one run of consecutive reports (gaps and islands)
        dates.date_position - row_number() over (
            partition by flags.report, flags.row_id
            order by flags.report_date
        ) as run_id,
        min(flags.report_date) over (
            partition by flags.report, flags.row_id
            order by flags.report_date
            rows between unbounded preceding and current row
        ) as first_reported_date
    from flags
    inner join dates
        on flags.report_date = dates.report_date
),

reported as (
    select
        report,
        row_id,
        report_date,
        previous_report_date,
        first_reported_date,
        row_number() over (
            partition by report, row_id, run_id
            order by report_date
        ) as consecutive_reports
    from flags_positioned
),

resolved as (
    select
        previously.report,
        previously.row_id,
        dates.report_date,
        dates.previous_report_date,
        previously.first_reported_date,
        0 as consecutive_reports
    from dates
    inner join reported as previously
        on dates.previous_report_date = previously.report_date
    left join flags as currently
        on
            previously.report = currently.report
            and previously.row_id = currently.row_id
            and dates.report_date = currently.report_date
    where currently.row_id is null
),

final as (
    select
        report,
        row_id,
        report_date,
        previous_report_date,
        cast(
            case when consecutive_reports > 1 then 'recurring' else 'new' end as varchar(16)
        ) as flag_status,
        first_reported_date,
        cast(consecutive_reports as bigint) as consecutive_reports
    from reported
    union all
    select
        report,
        row_id,
        report_date,
        previous_report_date,
        cast('resolved' as varchar(16)) as flag_status,
        first_reported_date,
        cast(consecutive_reports as bigint) as consecutive_reports
    from resolved
)

select * from final

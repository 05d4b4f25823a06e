{#-
    One row per report date of the fraud flag history, with the time its rows were last
    built. Built after report_flag_history (a failed one skips it), by a daily build and
    by `kpi backfill`: a date is kept once its row is here, also when no row was
    reported on it. The sync moves a date of the history only when its built_at differs
    from the one published (like metric_history_dates).
-#}

-- depends_on: {{ ref('report_flag_history') }}

select
    {{ as_of_date() }} as report_date,
    cast({{ dbt.current_timestamp() }} as timestamp) as built_at

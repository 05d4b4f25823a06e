{#-
    One row per clinician with a shift in either on-task window: on-task % over the
    provider's shifts in any market starting in (D − on_task_window_days, D] and
    (previous_*) in the same window ending at D − change_days.
-#}

with

windowed_shifts as (
    select
        provider_id,
        shift_seconds,
        on_break_seconds,
        on_task_seconds,
        {{ is_in_day_window('shift_date', var('on_task_window_days')) }}
            as is_in_current_window,
        {{ is_in_day_window('shift_date', var('on_task_window_days'), var('change_days')) }}
            as is_in_previous_window
    from {{ ref('int_shifts_by_provider') }}
    where
        (
            {{ is_in_day_window('shift_date', var('on_task_window_days')) }}
            or {{ is_in_day_window('shift_date', var('on_task_window_days'), var('change_days')) }}
        )
),

shifts_by_window as (
    {{ split_metric_windows('windowed_shifts', [
        'provider_id',
        'shift_seconds',
        'on_break_seconds',
        'on_task_seconds',
    ]) }}
),

metrics_by_window as (
    select
        provider_id,
        metric_window,
        count(*) as shift_count,
        {{ on_task_percent() }} as on_task_percent
    from shifts_by_window
    group by provider_id, metric_window
),

pivoted as (
    select
        provider_id,
        {{ pivot_metric_windows('shift_count') }},
        {{ pivot_metric_windows('on_task_percent') }}
    from metrics_by_window
    group by provider_id
)

select * from pivoted

{#-
    One row per market with at least one visit as of D: the visit metrics over the
    market's last `market_window` visits (all of its visits, whoever served them), as of
    D and (previous_*) as of D − change_days. Metrics are rounded.
-#}

with

ranked_visits as (
    select
        market_id,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_in_current_window,
        is_in_previous_window
    from {{ ref('int_visits_ranked_by_market') }}
    where is_in_current_window or is_in_previous_window
),

visits_by_window as (
    {{ split_metric_windows('ranked_visits', [
        'market_id',
        'on_scene_seconds',
        'is_chart_closed_on_time',
        'has_survey',
        'nps_score',
    ]) }}
),

metrics_by_window as (
    select
        market_id,
        metric_window,
        count(*) as visit_count,
        {{ on_scene_time_median_seconds() }} as on_scene_time_median_seconds,
        {{ chart_closure_rate() }} as chart_closure_rate,
        {{ survey_capture_rate() }} as survey_capture_rate,
        {{ net_promoter_score_average() }} as net_promoter_score_average
    from visits_by_window
    group by market_id, metric_window
),

pivoted as (
    select
        market_id,
        {{ pivot_metric_windows('visit_count') }},
        {{ pivot_metric_windows('on_scene_time_median_seconds') }},
        {{ pivot_metric_windows('chart_closure_rate') }},
        {{ pivot_metric_windows('survey_capture_rate') }},
        {{ pivot_metric_windows('net_promoter_score_average') }}
    from metrics_by_window
    group by market_id
)

select * from pivoted

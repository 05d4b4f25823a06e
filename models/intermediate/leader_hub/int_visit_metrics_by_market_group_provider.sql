{#-
    One row per (market group, clinician) with at least one visit in the group as of D:
    the visit metrics over the provider's last `visit_window` visits in any market of the
    group, as of D and (previous_*) as of D − change_days. Metrics are rounded; the
    job-title rule is applied by the mart.
-#}

with

ranked_visits as (
    select
        market_group_id,
        provider_id,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_in_current_window,
        is_in_previous_window
    from {{ ref('int_visits_ranked_by_market_group_provider') }}
    where is_in_current_window or is_in_previous_window
),

visits_by_window as (
    {{ split_metric_windows('ranked_visits', [
        'market_group_id',
        'provider_id',
        'on_scene_seconds',
        'is_chart_closed_on_time',
        'has_survey',
        'nps_score',
    ]) }}
),

metrics_by_window as (
    select
        market_group_id,
        provider_id,
        metric_window,
        count(*) as visit_count,
        {{ on_scene_time_median_seconds() }} as on_scene_time_median_seconds,
        {{ chart_closure_rate() }} as chart_closure_rate,
        {{ survey_capture_rate() }} as survey_capture_rate,
        {{ net_promoter_score_average() }} as net_promoter_score_average
    from visits_by_window
    group by market_group_id, provider_id, metric_window
),

pivoted as (
    select
        market_group_id,
        provider_id,
        {{ pivot_metric_windows('visit_count') }},
        {{ pivot_metric_windows('on_scene_time_median_seconds') }},
        {{ pivot_metric_windows('chart_closure_rate') }},
        {{ pivot_metric_windows('survey_capture_rate') }},
        {{ pivot_metric_windows('net_promoter_score_average') }}
    from metrics_by_window
    group by market_group_id, provider_id
)

select * from pivoted

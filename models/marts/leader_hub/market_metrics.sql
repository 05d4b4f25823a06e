{#-
    One row per market: on-scene time, chart closure, survey capture and NPS over the
    market's last `market_window` visits as of D, with their week changes. A market
    without visits has NULL metrics (SPEC §6).
-#}

with

markets as (
    select market_id
    from {{ ref('markets') }}
),

visit_metrics as (
    select
        market_id,
        visit_count,
        on_scene_time_median_seconds,
        previous_on_scene_time_median_seconds,
        chart_closure_rate,
        previous_chart_closure_rate,
        survey_capture_rate,
        previous_survey_capture_rate,
        net_promoter_score_average,
        previous_net_promoter_score_average
    from {{ ref('int_visit_metrics_by_market') }}
),

final as (
    select
        markets.market_id,
        {{ as_of_date() }} as as_of_date,
        coalesce(visit_metrics.visit_count, 0) as visit_count,
        visit_metrics.on_scene_time_median_seconds,
        {{ week_change(
            'visit_metrics.on_scene_time_median_seconds',
            'visit_metrics.previous_on_scene_time_median_seconds'
        ) }} as on_scene_time_week_change_seconds,
        visit_metrics.chart_closure_rate,
        {{ week_change(
            'visit_metrics.chart_closure_rate',
            'visit_metrics.previous_chart_closure_rate'
        ) }} as chart_closure_rate_week_change,
        visit_metrics.survey_capture_rate,
        {{ week_change(
            'visit_metrics.survey_capture_rate',
            'visit_metrics.previous_survey_capture_rate'
        ) }} as survey_capture_rate_week_change,
        visit_metrics.net_promoter_score_average,
        {{ week_change(
            'visit_metrics.net_promoter_score_average',
            'visit_metrics.previous_net_promoter_score_average'
        ) }} as net_promoter_score_week_change
    from markets
    left join visit_metrics
        on markets.market_id = visit_metrics.market_id
)

select * from final

{#-
    One row per clinician of `providers`: all seven metrics over the provider's last
    `visit_window` visits across all markets (on-task % over the provider's shifts in
    the last `on_task_window_days` days), with their week changes. Chart closure and
    ABX prescribing are NULL for DHMTs, survey capture for APPs (SPEC §6).
-#}

with

providers as (
    select
        provider_id,
        job_title
    from {{ ref('providers') }}
),

visit_metrics as (
    select
        provider_id,
        visit_count,
        on_scene_time_median_seconds,
        previous_on_scene_time_median_seconds,
        chart_closure_rate,
        previous_chart_closure_rate,
        survey_capture_rate,
        previous_survey_capture_rate,
        net_promoter_score_average,
        previous_net_promoter_score_average,
        escalation_rate,
        previous_escalation_rate,
        abx_prescribing_rate,
        previous_abx_prescribing_rate
    from {{ ref('int_visit_metrics_by_provider') }}
),

on_task as (
    select
        provider_id,
        on_task_percent,
        previous_on_task_percent
    from {{ ref('int_on_task_by_provider') }}
),

metrics_for_job_title as (
    select
        providers.provider_id,
        coalesce(visit_metrics.visit_count, 0) as visit_count,
        visit_metrics.on_scene_time_median_seconds,
        visit_metrics.previous_on_scene_time_median_seconds,
        {{ metric_for_job_title(
            'chart_closure_rate', 'visit_metrics.chart_closure_rate', 'providers.job_title'
        ) }} as chart_closure_rate,
        {{ metric_for_job_title(
            'chart_closure_rate', 'visit_metrics.previous_chart_closure_rate',
            'providers.job_title'
        ) }} as previous_chart_closure_rate,
        {{ metric_for_job_title(
            'survey_capture_rate', 'visit_metrics.survey_capture_rate', 'providers.job_title'
        ) }} as survey_capture_rate,
        {{ metric_for_job_title(
            'survey_capture_rate', 'visit_metrics.previous_survey_capture_rate',
            'providers.job_title'
        ) }} as previous_survey_capture_rate,
        visit_metrics.net_promoter_score_average,
        visit_metrics.previous_net_promoter_score_average,
        on_task.on_task_percent,
        on_task.previous_on_task_percent,
        visit_metrics.escalation_rate,
        visit_metrics.previous_escalation_rate,
        {{ metric_for_job_title(
            'abx_prescribing_rate', 'visit_metrics.abx_prescribing_rate', 'providers.job_title'
        ) }} as abx_prescribing_rate,
        {{ metric_for_job_title(
            'abx_prescribing_rate', 'visit_metrics.previous_abx_prescribing_rate',
            'providers.job_title'
        ) }} as previous_abx_prescribing_rate
    from providers
    left join visit_metrics
        on providers.provider_id = visit_metrics.provider_id
    left join on_task
        on providers.provider_id = on_task.provider_id
),

final as (
    select
        provider_id,
        {{ as_of_date() }} as as_of_date,
        visit_count,
        on_scene_time_median_seconds,
        {{ week_change(
            'on_scene_time_median_seconds', 'previous_on_scene_time_median_seconds'
        ) }} as on_scene_time_week_change_seconds,
        chart_closure_rate,
        {{ week_change('chart_closure_rate', 'previous_chart_closure_rate') }}
            as chart_closure_rate_week_change,
        survey_capture_rate,
        {{ week_change('survey_capture_rate', 'previous_survey_capture_rate') }}
            as survey_capture_rate_week_change,
        net_promoter_score_average,
        {{ week_change('net_promoter_score_average', 'previous_net_promoter_score_average') }}
            as net_promoter_score_week_change,
        on_task_percent,
        {{ week_change('on_task_percent', 'previous_on_task_percent') }}
            as on_task_percent_week_change,
        escalation_rate,
        {{ week_change('escalation_rate', 'previous_escalation_rate') }}
            as escalation_rate_week_change,
        abx_prescribing_rate,
        {{ week_change('abx_prescribing_rate', 'previous_abx_prescribing_rate') }}
            as abx_prescribing_rate_week_change
    from metrics_for_job_title
)

select * from final

{#-
    The SQL of the three metric marts, one macro each, so that a mart and its history
    (market_metrics / market_metric_history, ...) compute the same rows for the build's
    as_of_date from the same upstream models: the history never reads the mart's table,
    which holds only the latest date (SPEC §12, docs/leader_hub.md "History").
-#}

{% macro leader_hub_market_metrics() -%}
{%- set interval_metrics = interval_metrics_of('leader') %}

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
        previous_net_promoter_score_average,
        {{ interval_input_columns(interval_metrics) }}
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
        ) }} as net_promoter_score_week_change,
        {{ uncertainty_columns(interval_metrics, 'visit_metrics') }}
    from markets
    left join visit_metrics
        on markets.market_id = visit_metrics.market_id
)

select * from final
{%- endmacro %}

{% macro leader_hub_provider_metrics() -%}
{%- set interval_metrics = interval_metrics_of('provider') %}

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
        previous_abx_prescribing_rate,
        {{ interval_input_columns(interval_metrics) }}
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
        ) }} as previous_abx_prescribing_rate,
        {{ uncertainty_columns(interval_metrics, 'visit_metrics', 'providers.job_title') }}
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
            as abx_prescribing_rate_week_change,
        {{ uncertainty_column_names(interval_metrics) | join(',\n        ') }}
    from metrics_for_job_title
)

select * from final
{%- endmacro %}

{% macro leader_hub_market_provider_metrics() -%}
{%- set rank_partition = ['market_id', 'job_title'] %}
{%- set interval_metrics = interval_metrics_of('leader') %}

with

active_providers as (
    select
        market_id,
        provider_id
    from {{ ref('markets_active_providers') }}
),

markets as (
    select
        market_id,
        market_group_id
    from {{ ref('markets') }}
),

providers as (
    select
        provider_id,
        job_title
    from {{ ref('providers') }}
),

visit_metrics as (
    select
        market_group_id,
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
        {{ interval_input_columns(interval_metrics) }}
    from {{ ref('int_visit_metrics_by_market_group_provider') }}
),

on_task as (
    select
        market_group_id,
        provider_id,
        on_task_percent,
        previous_on_task_percent
    from {{ ref('int_on_task_by_market_group_provider') }}
),

metrics_for_job_title as (
    select
        active_providers.market_id,
        active_providers.provider_id,
        providers.job_title,
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
        {{ uncertainty_columns(interval_metrics, 'visit_metrics', 'providers.job_title') }}
    from active_providers
    left join markets
        on active_providers.market_id = markets.market_id
    left join providers
        on active_providers.provider_id = providers.provider_id
    left join visit_metrics
        on
            markets.market_group_id = visit_metrics.market_group_id
            and active_providers.provider_id = visit_metrics.provider_id
    left join on_task
        on
            markets.market_group_id = on_task.market_group_id
            and active_providers.provider_id = on_task.provider_id
),

ranked as (
    select
        market_id,
        provider_id,
        job_title,
        visit_count,
        on_scene_time_median_seconds,
        {{ week_change(
            'on_scene_time_median_seconds', 'previous_on_scene_time_median_seconds'
        ) }} as on_scene_time_week_change_seconds,
        {{ metric_rank('on_scene_time_median_seconds', rank_partition, 'asc') }}
            as on_scene_time_rank,
        {{ ranked_count('on_scene_time_median_seconds', rank_partition) }}
            as ranked_providers_on_scene_time,
        chart_closure_rate,
        {{ week_change('chart_closure_rate', 'previous_chart_closure_rate') }}
            as chart_closure_rate_week_change,
        {{ metric_rank('chart_closure_rate', rank_partition, 'desc') }}
            as chart_closure_rate_rank,
        {{ ranked_count('chart_closure_rate', rank_partition) }}
            as ranked_providers_chart_closure_rate,
        survey_capture_rate,
        {{ week_change('survey_capture_rate', 'previous_survey_capture_rate') }}
            as survey_capture_rate_week_change,
        {{ metric_rank('survey_capture_rate', rank_partition, 'desc') }}
            as survey_capture_rate_rank,
        {{ ranked_count('survey_capture_rate', rank_partition) }}
            as ranked_providers_survey_capture_rate,
        net_promoter_score_average,
        {{ week_change('net_promoter_score_average', 'previous_net_promoter_score_average') }}
            as net_promoter_score_week_change,
        {{ metric_rank('net_promoter_score_average', rank_partition, 'desc') }}
            as net_promoter_score_rank,
        {{ ranked_count('net_promoter_score_average', rank_partition) }}
            as ranked_providers_net_promoter_score,
        on_task_percent,
        {{ week_change('on_task_percent', 'previous_on_task_percent') }}
            as on_task_percent_week_change,
        {{ metric_rank('on_task_percent', rank_partition, 'desc') }}
            as on_task_percent_rank,
        {{ ranked_count('on_task_percent', rank_partition) }}
            as ranked_providers_on_task_percent,
        {{ uncertainty_column_names(interval_metrics) | join(',\n        ') }}
    from metrics_for_job_title
),

final as (
    select
        market_id,
        provider_id,
        {{ as_of_date() }} as as_of_date,
        job_title,
        visit_count,
        on_scene_time_median_seconds,
        on_scene_time_week_change_seconds,
        on_scene_time_rank,
        ranked_providers_on_scene_time,
        chart_closure_rate,
        chart_closure_rate_week_change,
        chart_closure_rate_rank,
        ranked_providers_chart_closure_rate,
        survey_capture_rate,
        survey_capture_rate_week_change,
        survey_capture_rate_rank,
        ranked_providers_survey_capture_rate,
        net_promoter_score_average,
        net_promoter_score_week_change,
        net_promoter_score_rank,
        ranked_providers_net_promoter_score,
        on_task_percent,
        on_task_percent_week_change,
        on_task_percent_rank,
        ranked_providers_on_task_percent,
        {{ uncertainty_column_names(interval_metrics) | join(',\n        ') }}
    from ranked
)

select * from final
{%- endmacro %}

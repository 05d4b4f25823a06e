{#-
    Leader Hub metric definitions (SPEC §6), written once and used by the provider, market
    and market-provider models. Each renders an aggregate over a set of visits W (or
    shifts S) grouped by the caller; every metric is rounded half away from zero here, so
    a week change is the difference of two rounded values.
-#}

{# median(completed_at − on_scene_at) over W, in whole seconds. #}
{% macro on_scene_time_median_seconds(seconds_column='on_scene_seconds') -%}
    cast(
        {{ round_half_away(median('cast(' ~ seconds_column ~ ' as double precision)'), 0) }}
        as bigint
    )
{%- endmacro %}


{# Share of W (0-1, 4 decimals) for which `condition` is true. #}
{% macro visit_share(condition) -%}
    {{ round_half_away(
        safe_ratio('sum(case when ' ~ condition ~ ' then 1 else 0 end)', 'count(*)'),
        4
    ) }}
{%- endmacro %}


{# Share of W whose chart was closed within chart_closure_hours of completion. #}
{% macro chart_closure_rate(flag_column='is_chart_closed_on_time') -%}
    {{ visit_share(flag_column) }}
{%- endmacro %}


{# Share of W with a surveys row (answered or not). #}
{% macro survey_capture_rate(flag_column='has_survey') -%}
    {{ visit_share(flag_column) }}
{%- endmacro %}


{# Share of W that was escalated. #}
{% macro escalation_rate(flag_column='is_escalated') -%}
    {{ visit_share(flag_column) }}
{%- endmacro %}


{# Share of W with antibiotics prescribed. #}
{% macro abx_prescribing_rate(flag_column='is_abx_prescribed') -%}
    {{ visit_share(flag_column) }}
{%- endmacro %}


{# mean(nps_score × 10) over W's answered surveys (0-100, 2 decimals); NULL if none. #}
{% macro net_promoter_score_average(score_column='nps_score') -%}
    {{ round_half_away(
        safe_ratio('10 * sum(' ~ score_column ~ ')', 'count(' ~ score_column ~ ')'),
        2
    ) }}
{%- endmacro %}


{# 100 × Σ on-task seconds / Σ (shift length − on-break seconds) over S (2 decimals). #}
{% macro on_task_percent(
    on_task_column='on_task_seconds',
    shift_column='shift_seconds',
    on_break_column='on_break_seconds'
) -%}
    {{ round_half_away(
        '100 * ' ~ safe_ratio(
            'sum(' ~ on_task_column ~ ')',
            'sum(' ~ shift_column ~ ' - ' ~ on_break_column ~ ')'
        ),
        2
    ) }}
{%- endmacro %}


{# value(D) − value(D − change_days); NULL when either side is NULL. #}
{% macro week_change(current_value, previous_value) -%}
    ({{ current_value }} - {{ previous_value }})
{%- endmacro %}


{#-
    The per-provider job-title rule (SPEC §6): chart closure and ABX prescribing are APP
    metrics, survey capture a DHMT metric; for the other title the value is NULL.
    Metrics not listed apply to both titles. Market-level metrics do not use this rule.
-#}
{% macro metric_for_job_title(metric_name, value, job_title_column='job_title') -%}
    {%- set only_for_job_title = {
        'chart_closure_rate': 'APP',
        'abx_prescribing_rate': 'APP',
        'survey_capture_rate': 'DHMT',
    } -%}
    {%- if metric_name in only_for_job_title -%}
        case
            when {{ job_title_column }} = '{{ only_for_job_title[metric_name] }}'
                then {{ value }}
        end
    {%- else -%}
        {{ value }}
    {%- endif -%}
{%- endmacro %}


{#-
    In-market rank (SPEC §6): DENSE_RANK of the rounded metric within the partition
    (market × job title), over rows whose metric is not NULL; NULL metric, NULL rank.
    direction: 'asc' for on-scene time (shorter is better), 'desc' for the rest.
-#}
{% macro metric_rank(metric, partition_by, direction) -%}
    case
        when {{ metric }} is not null
            then cast(dense_rank() over (
                partition by {{ partition_by | join(', ') }}
                order by {{ metric }} {{ direction }} nulls last
            ) as bigint)
    end
{%- endmacro %}


{# How many rows of the partition have the metric, i.e. were ranked (0 when none). #}
{% macro ranked_count(metric, partition_by) -%}
    cast(count({{ metric }}) over (partition by {{ partition_by | join(', ') }}) as bigint)
{%- endmacro %}

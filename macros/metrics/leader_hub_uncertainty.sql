{#-
    How much of a change is noise (SPEC §12 "Uncertainty"): a 95 % interval next to every
    visit metric, and whether the value as of D − change_days lies inside it. Each bound
    is computed unrounded, then clipped, then rounded like its metric; a bound is NULL
    whenever its metric is (an empty window has no group row, so no bound).
    Plain arithmetic, COUNT, SUM, MAX, STDDEV_SAMP and ROW_NUMBER only: the same SQL on
    PostgreSQL and Redshift, and no second ordered aggregate beside the MEDIAN.
-#}

{# z of a two-sided 95 % interval. #}
{% macro ci_z() -%}
    1.959964
{%- endmacro %}


{#-
    A Wilson score interval bound (side 'low' | 'high') for `successes` out of `trials`
    (aggregates over W, trials ≥ 1 in a group), clipped to [0, 1], 4 decimals:
    (p + z²/2n ∓ z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n).
-#}
{% macro wilson_bound(successes, trials, side) -%}
    {%- set z = ci_z() | trim -%}
    {%- set n = 'cast(' ~ trials ~ ' as double precision)' -%}
    {%- set p = 'cast(' ~ successes ~ ' as double precision) / ' ~ n -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    {{ round_half_away(
        'greatest(0, least(1, ((' ~ p ~ ') + ' ~ z ~ ' * ' ~ z ~ ' / (2 * ' ~ n ~ ') '
        ~ sign ~ ' ' ~ z ~ ' * sqrt((' ~ p ~ ') * (1 - (' ~ p ~ ')) / ' ~ n
        ~ ' + ' ~ z ~ ' * ' ~ z ~ ' / (4 * ' ~ n ~ ' * ' ~ n ~ '))) / (1 + '
        ~ z ~ ' * ' ~ z ~ ' / ' ~ n ~ ')))',
        4
    ) }}
{%- endmacro %}


{#-
    The 1-based position of the order statistic bounding a median of `n` sorted values
    (side 'low' | 'high'): max(1, floor((n − z√n)/2)) and min(n, ceil(1 + (n + z√n)/2)).
-#}
{% macro median_bound_position(n, side) -%}
    {%- set z = ci_z() | trim -%}
    {%- if side == 'low' -%}
        greatest(1, floor(({{ n }} - {{ z }} * sqrt({{ n }})) / 2))
    {%- else -%}
        least({{ n }}, ceil(1 + ({{ n }} + {{ z }} * sqrt({{ n }})) / 2))
    {%- endif -%}
{%- endmacro %}


{#-
    A bound of the on-scene median's interval (whole seconds), as an aggregate over rows
    carrying `value_rank` (row_number of the value, ascending, NULLs last) and
    `value_count` (how many values are not NULL) — see ranked_for_order_statistics:
    the value at median_bound_position; NULL when there is no value.
-#}
{% macro median_bound(value, value_rank, value_count, side) -%}
    cast({{ round_half_away(
        'max(case when ' ~ value_rank ~ ' = '
        ~ median_bound_position(value_count, side) ~ ' then cast(' ~ value
        ~ ' as double precision) end)',
        0
    ) }} as bigint)
{%- endmacro %}


{#-
    A bound of the NPS interval over the m answers (0-10) of W: 10 × (mean ∓ z·s/√m), s the
    sample standard deviation, clipped to [0, 100], 2 decimals; NULL when m < 2.
-#}
{% macro mean_score_bound(score, side) -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    case
        when count({{ score }}) >= 2
            then {{ round_half_away(
                'greatest(0, least(100, 10 * (avg(cast(' ~ score ~ ' as double precision)) '
                ~ sign ~ ' ' ~ (ci_z() | trim) ~ ' * stddev_samp(cast(' ~ score
                ~ ' as double precision)) / sqrt(count(' ~ score ~ ')))))',
                2
            ) }}
    end
{%- endmacro %}


{#-
    Every row of `relation` with `<value>_rank` (row_number of `value` ascending within
    `partition_by`, NULLs last) and `<value>_count` (its non-NULL values there): the
    order statistics median_bound reads. A SELECT body for a CTE.
-#}
{% macro ranked_for_order_statistics(relation, partition_by, value) -%}
    select
        {{ relation }}.*,
        row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by {{ value }} asc nulls last
        ) as {{ value }}_rank,
        count({{ value }}) over (partition by {{ partition_by | join(', ') }}) as {{ value }}_count
    from {{ relation }}
{%- endmacro %}


{#-
    The interval aggregates of the visit metric `metric` (a value column name of
    leader_hub_metrics) over the per-visit column `input`, as {name: aggregate}: the
    intermediate models compute them next to the metric, per window.
-#}
{% macro visit_metric_interval_aggregates(metric, input) -%}
    {%- set bounds = {} -%}
    {%- for side in ['low', 'high'] -%}
        {%- if metric == 'on_scene_time_median_seconds' -%}
            {%- set bound = median_bound(input, input ~ '_rank', input ~ '_count', side) -%}
        {%- elif metric == 'net_promoter_score_average' -%}
            {%- set bound = mean_score_bound(input, side) -%}
        {%- else -%}
            {%- set bound = wilson_bound(
                'sum(case when ' ~ input ~ ' then 1 else 0 end)', 'count(*)', side
            ) -%}
        {%- endif -%}
        {%- do bounds.update({metric ~ '_ci_' ~ side: bound}) -%}
    {%- endfor -%}
    {%- if metric == 'net_promoter_score_average' -%}
        {%- do bounds.update({'survey_answer_count': 'count(' ~ input ~ ')'}) -%}
    {%- endif -%}
    {{ return(bounds) }}
{%- endmacro %}


{#-
    Whether a week change is within noise: the published value as of D − change_days lies
    in the published [ci_low, ci_high] as of D, bounds included; NULL if either is NULL.
-#}
{% macro change_within_noise(previous_value, ci_low, ci_high) -%}
    case
        when {{ previous_value }} is not null and {{ ci_low }} is not null and {{ ci_high }} is not null
            then {{ previous_value }} >= {{ ci_low }} and {{ previous_value }} <= {{ ci_high }}
    end
{%- endmacro %}


{#-
    The visit metrics with an interval in a metric mart: 'provider' (provider_metrics,
    every visit metric) or 'leader' (market_metrics, market_provider_metrics).
-#}
{% macro interval_metrics_of(scope) -%}
    {%- set metrics = interval_metric_week_changes().keys() | list -%}
    {{ return(metrics if scope == 'provider' else metrics[:4]) }}
{%- endmacro %}


{# The week-change column of each visit metric with an interval (SPEC §6 names). #}
{% macro interval_metric_week_changes() -%}
    {{ return({
        'on_scene_time_median_seconds': 'on_scene_time_week_change_seconds',
        'chart_closure_rate': 'chart_closure_rate_week_change',
        'survey_capture_rate': 'survey_capture_rate_week_change',
        'net_promoter_score_average': 'net_promoter_score_week_change',
        'escalation_rate': 'escalation_rate_week_change',
        'abx_prescribing_rate': 'abx_prescribing_rate_week_change',
    }) }}
{%- endmacro %}


{# The intermediate columns uncertainty_columns reads for `metrics`, as a select list. #}
{% macro interval_input_columns(metrics) -%}
    survey_answer_count
    {%- for metric in metrics %},
        {{ metric }}_ci_low,
        {{ metric }}_ci_high
    {%- endfor %}
{%- endmacro %}


{# The uncertainty columns of a metric mart for `metrics`, in mart order (names only). #}
{% macro uncertainty_column_names(metrics) -%}
    {%- set names = ['survey_answer_count'] -%}
    {%- for metric in metrics -%}
        {%- do names.extend([
            metric ~ '_ci_low',
            metric ~ '_ci_high',
            interval_metric_week_changes()[metric] ~ '_within_noise',
        ]) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#-
    The uncertainty columns of a metric mart, appended after its other columns (the
    history appends new columns): survey_answer_count (0 when none), and per metric of
    `metrics` its ci_low, ci_high and week change's within_noise, read from the
    intermediate relation `source` (its `<metric>_ci_*` and `previous_<metric>`). With a
    `job_title_column`, the job-title rule NULLs the interval like the metric (SPEC §6).
-#}
{% macro uncertainty_columns(metrics, source, job_title_column=none) -%}
    coalesce({{ source }}.survey_answer_count, 0) as survey_answer_count
    {%- for metric in metrics %}
        {%- set bounds = {} -%}
        {%- for name in ['ci_low', 'ci_high', 'previous'] -%}
            {%- set column = source ~ '.' ~ (
                'previous_' ~ metric if name == 'previous' else metric ~ '_' ~ name
            ) -%}
            {%- if job_title_column -%}
                {%- set column = metric_for_job_title(metric, column, job_title_column) -%}
            {%- endif -%}
            {%- do bounds.update({name: column}) -%}
        {%- endfor %},
    {{ bounds['ci_low'] }} as {{ metric }}_ci_low,
    {{ bounds['ci_high'] }} as {{ metric }}_ci_high,
    {{ change_within_noise(bounds['previous'], bounds['ci_low'], bounds['ci_high']) }}
        as {{ interval_metric_week_changes()[metric] }}_within_noise
    {%- endfor %}
{%- endmacro %}

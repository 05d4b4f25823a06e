{#-
    The three shapes of the Leader Hub intermediate models, each written once and called
    by one short model per grain (provider, market, market group × provider):

      visits_ranked_last_n      int_visits_ranked_by_*     which visits are in a window
      visit_metrics_by_window   int_visit_metrics_by_*     visit metrics of both windows
      on_task_by_window         int_on_task_by_*           on-task % of both windows

    Each renders a whole statement (a model body). Both metric shapes end in
    `metrics_by_window`: rows are copied into the window(s) they belong to, aggregated
    per (key, window) and pivoted to `<metric>` / `previous_<metric>` columns.
-#}


{#-
    Every row of `relation` (one visit, or one visit × clinician) ranked newest first
    within `partition_by`, with whether it is among the partition's last `window_size`
    visits as of D (is_in_current_window) and as of D − change_days
    (is_in_previous_window, previous_visit_rank): one sort serves both windows (see
    last_n_visit_ranks). `columns` are the columns kept, in order; they must include
    care_request_id, service_date and completed_at (the order and the windows read them)
    and the partition columns. `where` optionally filters the rows before ranking.
-#}
{% macro visits_ranked_last_n(relation, partition_by, window_size, columns, where=none) -%}
{%- for column in ['care_request_id', 'service_date', 'completed_at'] + partition_by -%}
    {%- if column not in columns -%}
        {{ exceptions.raise_compiler_error(
            "visits_ranked_last_n: `columns` must include " ~ column
        ) }}
    {%- endif -%}
{%- endfor -%}
with

visits as (
    select
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
),

ranked as (
    select
        {{ columns | join(',\n        ') }},
        {{ last_n_visit_ranks(partition_by) }}
    from visits
),

windowed as (
    select
        {{ columns | join(',\n        ') }},
        visit_rank,
        {{ last_n_visit_windows(window_size) }}
    from ranked
)

select * from windowed
{%- endmacro %}


{#-
    One row per `key_columns` with a visit in either window of `ranked_relation` (an
    int_visits_ranked_by_* model): visit_count and each of `metrics` over the visits of
    the window as of D, and previous_* over those as of D − change_days. `metrics` names
    the visit metrics to compute, in output order; each reads one per-visit column.
    Metrics are rounded (leader_hub_metrics); the job-title rule is the marts' job.
-#}
{% macro visit_metrics_by_window(ranked_relation, key_columns, metrics) -%}
{%- set metric_inputs = {
    'on_scene_time_median_seconds': 'on_scene_seconds',
    'chart_closure_rate': 'is_chart_closed_on_time',
    'survey_capture_rate': 'has_survey',
    'net_promoter_score_average': 'nps_score',
    'escalation_rate': 'is_escalated',
    'abx_prescribing_rate': 'is_abx_prescribed',
} -%}
{%- set metric_aggregates = {
    'on_scene_time_median_seconds': on_scene_time_median_seconds(),
    'chart_closure_rate': chart_closure_rate(),
    'survey_capture_rate': survey_capture_rate(),
    'net_promoter_score_average': net_promoter_score_average(),
    'escalation_rate': escalation_rate(),
    'abx_prescribing_rate': abx_prescribing_rate(),
} -%}
{%- set input_columns = [] -%}
{%- set aggregates = {'visit_count': 'count(*)'} -%}
{%- for metric in metrics -%}
    {%- if metric not in metric_inputs -%}
        {{ exceptions.raise_compiler_error(
            "visit_metrics_by_window: unknown visit metric " ~ metric
        ) }}
    {%- endif -%}
    {%- do input_columns.append(metric_inputs[metric]) -%}
    {%- do aggregates.update({metric: metric_aggregates[metric]}) -%}
{%- endfor -%}
{#- the intervals (SPEC §12), as of D only: leader_hub_uncertainty -#}
{%- set current_only = {} -%}
{%- for metric in metrics -%}
    {%- do current_only.update(
        visit_metric_interval_aggregates(metric, metric_inputs[metric])
    ) -%}
{%- endfor -%}
{%- do aggregates.update(current_only) -%}
with

ranked_visits as (
    select
        {{ (key_columns + input_columns) | join(',\n        ') }},
        is_in_current_window,
        is_in_previous_window
    from {{ ranked_relation }}
    where is_in_current_window or is_in_previous_window
),

{{ metrics_by_window(
    'ranked_visits', key_columns, input_columns, aggregates,
    current_only=current_only.keys() | list,
    order_statistics=['on_scene_seconds'] if 'on_scene_time_median_seconds' in metrics else [],
) }}
{%- endmacro %}


{#-
    One row per `key_columns` with a shift of `shifts_relation` (int_shifts_by_provider)
    in either on-task window: shift_count and on_task_percent over the shifts starting in
    (D − on_task_window_days, D], and previous_* over those in the same window ending at
    D − change_days. `where` optionally narrows the shifts (e.g. to those with a market
    group).
-#}
{% macro on_task_by_window(shifts_relation, key_columns, where=none) -%}
{%- set input_columns = ['shift_seconds', 'on_break_seconds', 'on_task_seconds'] -%}
{%- set in_current_window = is_in_day_window('shift_date', var('on_task_window_days')) -%}
{%- set in_previous_window = is_in_day_window(
    'shift_date', var('on_task_window_days'), var('change_days')
) -%}
with

windowed_shifts as (
    select
        {{ (key_columns + input_columns) | join(',\n        ') }},
        {{ in_current_window }} as is_in_current_window,
        {{ in_previous_window }} as is_in_previous_window
    from {{ shifts_relation }}
    where
        ({{ in_current_window }} or {{ in_previous_window }})
        {%- if where %}
        and {{ where }}
        {%- endif %}
),

{{ metrics_by_window(
    'windowed_shifts',
    key_columns,
    input_columns,
    {'shift_count': 'count(*)', 'on_task_percent': on_task_percent()},
) }}
{%- endmacro %}


{#-
    The tail of both metric shapes, as CTEs after the caller's `with ...,`: the rows of
    `windowed_relation` (a CTE with is_in_current_window / is_in_previous_window and the
    key and input columns) split into their windows, `aggregates` ({name: aggregate
    expression}, in output order) computed per (key, window), then pivoted to one row per
    key with `<name>` (as of D) and `previous_<name>` (as of D − change_days).
    Aggregating per window keeps one sort-based aggregate (MEDIAN) per statement over a
    single expression, which Redshift requires. Names in `current_only` are pivoted to
    `<name>` alone (as of D); each column of `order_statistics` gets the row numbers the
    median's interval reads (ranked_for_order_statistics), per (key, window).
-#}
{% macro metrics_by_window(
    windowed_relation, key_columns, input_columns, aggregates,
    current_only=[], order_statistics=[]
) -%}
{%- set window_partition = key_columns + ['metric_window'] -%}
rows_by_window as (
    {{ split_metric_windows(windowed_relation, key_columns + input_columns) }}
),
{%- for value in order_statistics %}

{{ value }}_ranked as (
    {{ ranked_for_order_statistics(
        'rows_by_window' if loop.first else order_statistics[loop.index0 - 1] ~ '_ranked',
        window_partition,
        value,
    ) }}
),
{%- endfor %}

metrics_by_window as (
    select
        {{ key_columns | join(',\n        ') }},
        metric_window,
        {%- for name, expression in aggregates.items() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ order_statistics[-1] ~ '_ranked' if order_statistics else 'rows_by_window' }}
    group by {{ key_columns | join(', ') }}, metric_window
),

pivoted as (
    select
        {{ key_columns | join(',\n        ') }},
        {%- for name in aggregates %}
        {%- if name in current_only %}
        {{ metric_in_window(name, 'current') }} as {{ name }}{{ ',' if not loop.last }}
        {%- else %}
        {{ pivot_metric_windows(name) }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from metrics_by_window
    group by {{ key_columns | join(', ') }}
)

select * from pivoted
{%- endmacro %}

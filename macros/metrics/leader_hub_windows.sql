{#-
    Leader Hub windows (SPEC §5): which visits and shifts a metric is computed over, as of
    the report date D and as of D − change_days (the base of every week change). Every
    window is driven by a var; no window size is written in a model.
-#}

{# D − change_days: the report date the week changes compare against. #}
{% macro change_base_date() -%}
    {{ add_days(as_of_date(), -1 * (var('change_days') | int)) }}
{%- endmacro %}


{#-
    A day window (D − offset − window_days, D − offset] compared on dates, e.g. on-task
    shifts in (D − 30, D] (offset 0) and, for the week change, (D − 37, D − 7]
    (offset change_days). Renders a boolean expression.
-#}
{% macro is_in_day_window(date_expr, window_days, offset_days=0) -%}
    (
        {{ date_expr }} > {{ add_days(as_of_date(), -1 * ((window_days | int) + (offset_days | int))) }}
        and {{ date_expr }} <= {{ add_days(as_of_date(), -1 * (offset_days | int)) }}
    )
{%- endmacro %}


{#-
    The "last N visits" order (SPEC §5): completed_at desc, then care_request_id desc.
    A visit without completed_at (not expected for a complete visit) sorts last.
-#}
{% macro last_n_visit_order() -%}
    completed_at desc nulls last, care_request_id desc
{%- endmacro %}


{#-
    Ranks every visit of a partition (a provider, a market, a market group × provider)
    newest first, in one pass that serves both windows:
      - visit_rank: position among the partition's visits with service_date <= D
        (the relation must already exclude visits after D);
      - visits_after_change_base: how many visits at or before this one in that order
        have service_date > D − change_days. For a visit with service_date <=
        D − change_days, visit_rank − visits_after_change_base is its position among the
        visits as of D − change_days (both windows share one sort).
    Expects columns care_request_id, service_date, completed_at.
-#}
{% macro last_n_visit_ranks(partition_by) -%}
    row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by {{ last_n_visit_order() }}
    ) as visit_rank,
    sum(case when service_date > {{ change_base_date() }} then 1 else 0 end) over (
        partition by {{ partition_by | join(', ') }}
        order by {{ last_n_visit_order() }}
        rows between unbounded preceding and current row
    ) as visits_after_change_base
{%- endmacro %}


{#-
    From the columns of last_n_visit_ranks: the visit's rank as of D − change_days and
    whether it is among the last `window_size` visits as of D (current window) and as of
    D − change_days (previous window).
-#}
{% macro last_n_visit_windows(window_size) -%}
    case
        when service_date <= {{ change_base_date() }}
            then visit_rank - visits_after_change_base
    end as previous_visit_rank,
    coalesce(visit_rank <= {{ window_size | int }}, false) as is_in_current_window,
    coalesce(
        service_date <= {{ change_base_date() }}
        and visit_rank - visits_after_change_base <= {{ window_size | int }},
        false
    ) as is_in_previous_window
{%- endmacro %}


{#-
    One row per (row, window) the row belongs to: 'current' (as of D) and/or 'previous'
    (as of D − change_days). A metric then needs one aggregate per statement (Redshift
    allows several MEDIANs in one statement only over the same expression) and is
    grouped by metric_window.
-#}
{% macro split_metric_windows(relation, columns) -%}
    select
        cast('current' as varchar(8)) as metric_window,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    where is_in_current_window

    union all

    select
        cast('previous' as varchar(8)) as metric_window,
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    where is_in_previous_window
{%- endmacro %}


{# The value of an aggregated metric in one window, for pivoting the windows to columns. #}
{% macro metric_in_window(column, metric_window) -%}
    max(case when metric_window = '{{ metric_window }}' then {{ column }} end)
{%- endmacro %}


{#-
    Both windows of one aggregated metric as two columns: `<column>` (as of D) and
    `previous_<column>` (as of D − change_days). Used after grouping by metric_window.
-#}
{% macro pivot_metric_windows(column) -%}
    {{ metric_in_window(column, 'current') }} as {{ column }},
    {{ metric_in_window(column, 'previous') }} as previous_{{ column }}
{%- endmacro %}

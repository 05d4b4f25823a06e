{#-
    Why a metric moved (SPEC §12 "Drill-down"): the visits that entered and left a last-N
    window between D − change_days and D. The ranks of int_visits_ranked_by_* already
    serve both dates (last_n_visit_windows), so a change is a row whose two window flags
    differ: in the window as of D only ('entered') or as of D − change_days only ('left').
-#}

{#-
    One row per visit of `ranked_relation` (an int_visits_ranked_by_* model) that entered
    or left the window of its partition `key_columns`, with the per-visit values the
    metrics read and the visit's clinicians (`provider_ids`, ascending, comma-separated).
    A model body ending in the CTE `changes`; the caller selects the final columns.
-#}
{% macro visit_window_changes(ranked_relation, key_columns) -%}
with

changes as (
    select
        {{ key_columns | join(',\n        ') }},
        care_request_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        cast(
            case when is_in_current_window then 'entered' else 'left' end as varchar(8)
        ) as direction
    from {{ ranked_relation }}
    where is_in_current_window <> is_in_previous_window
),

changed_visits as (
    select distinct care_request_id
    from changes
),

clinicians as (
    select
        visits_by_provider.care_request_id,
        {{ dbt.listagg(
            'cast(visits_by_provider.provider_id as varchar(20))',
            "','",
            'order by visits_by_provider.provider_id'
        ) }} as provider_ids
    from {{ ref('int_visits_by_provider') }} as visits_by_provider
    inner join changed_visits
        on visits_by_provider.care_request_id = changed_visits.care_request_id
    group by visits_by_provider.care_request_id
)
{%- endmacro %}


{# The columns of a changes mart after its keys (the API's item fields), from `changes`. #}
{% macro visit_window_change_columns() -%}
    changes.care_request_id,
    {{ as_of_date() }} as as_of_date,
    changes.direction,
    cast(coalesce(clinicians.provider_ids, '') as varchar(1024)) as provider_ids,
    changes.service_date,
    changes.completed_at,
    cast(changes.on_scene_seconds as bigint) as on_scene_seconds,
    changes.is_chart_closed_on_time as is_chart_closed_within_24h,
    changes.has_survey,
    cast(changes.nps_score as integer) as nps_answer
{%- endmacro %}

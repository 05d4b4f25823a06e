{#-
    The rows of provider_shifts and provider_latest_shifts: one row per (shift, clinician
    member) of int_shifts_by_provider for which `condition` holds, with the marts' column
    names (SPEC §6). `condition` may use `shift_date` and `latest_shift_date` (the
    clinician's latest shift date on or before D).
-#}
{% macro leader_hub_provider_shift_rows(condition) -%}
with

shifts_by_provider as (
    select
        shift_team_id,
        provider_id,
        market_id,
        shift_date,
        started_at,
        ended_at,
        patients_seen,
        out_the_door_seconds,
        en_route_seconds,
        on_scene_seconds,
        on_break_seconds,
        idle_seconds,
        is_break_skipped,
        max(shift_date) over (partition by provider_id) as latest_shift_date
    from {{ ref('int_shifts_by_provider') }}
),

final as (
    select
        shift_team_id,
        provider_id,
        market_id,
        shift_date as service_date,
        started_at as start_time,
        ended_at as end_time,
        patients_seen,
        out_the_door_seconds as out_the_door_duration_seconds,
        en_route_seconds as en_route_duration_seconds,
        on_scene_seconds as on_scene_duration_seconds,
        on_break_seconds as on_break_duration_seconds,
        idle_seconds as idle_duration_seconds,
        is_break_skipped
    from shifts_by_provider
    where {{ condition }}
)

select * from final
{%- endmacro %}

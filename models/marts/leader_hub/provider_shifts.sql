{#-
    One row per (shift, clinician member) for shifts starting in
    (D − shift_history_days, D]: the shift's times, patients seen and seconds per phase
    (SPEC §6). Non-clinician members never appear.
-#}

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
        is_break_skipped
    from {{ ref('int_shifts_by_provider') }}
    where {{ is_in_day_window('shift_date', var('shift_history_days')) }}
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
)

select * from final

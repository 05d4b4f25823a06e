{#-
    SPEC §6 durations: every phase and every shift is truncated to whole seconds on its
    own, so a shift's phases (which tile it) never add up to more than its length, and
    out-the-door time never exceeds it: the time left beside the phases is never negative.
-#}

with

shifts as (
    select
        shift_team_id,
        shift_seconds,
        out_the_door_seconds,
        en_route_seconds + on_scene_seconds + on_break_seconds + idle_seconds
            as phase_seconds
    from {{ ref('int_shifts_summarized') }}
),

final as (
    select
        shift_team_id,
        shift_seconds,
        phase_seconds,
        out_the_door_seconds
    from shifts
    where
        phase_seconds > shift_seconds
        or out_the_door_seconds > shift_seconds
        or out_the_door_seconds < 0
)

select * from final

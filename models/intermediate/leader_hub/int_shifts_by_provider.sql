{#-
    One row per (shift, clinician member) for shifts starting on or before D, with the
    shift's summary. Non-clinician members never appear.
-#}

with

shifts as (
    select
        shift_team_id,
        market_id,
        market_group_id,
        shift_date,
        started_at,
        ended_at,
        shift_seconds,
        out_the_door_seconds,
        en_route_seconds,
        on_scene_seconds,
        on_break_seconds,
        idle_seconds,
        on_task_seconds,
        is_break_skipped,
        patients_seen
    from {{ ref('int_shifts_summarized') }}
),

shift_team_members as (
    select
        shift_team_id,
        provider_id
    from {{ ref('stg_station__shift_team_members') }}
),

clinicians as (
    select
        provider_id,
        job_title
    from {{ ref('stg_station__providers') }}
    where is_clinician
),

shifts_by_provider as (
    select
        shifts.shift_team_id,
        clinicians.provider_id,
        clinicians.job_title,
        shifts.market_id,
        shifts.market_group_id,
        shifts.shift_date,
        shifts.started_at,
        shifts.ended_at,
        shifts.shift_seconds,
        shifts.out_the_door_seconds,
        shifts.en_route_seconds,
        shifts.on_scene_seconds,
        shifts.on_break_seconds,
        shifts.idle_seconds,
        shifts.on_task_seconds,
        shifts.is_break_skipped,
        shifts.patients_seen
    from shifts
    inner join shift_team_members
        on shifts.shift_team_id = shift_team_members.shift_team_id
    inner join clinicians
        on shift_team_members.provider_id = clinicians.provider_id
)

select * from shifts_by_provider

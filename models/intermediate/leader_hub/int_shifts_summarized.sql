{#-
    One row per shift team starting on or before D: its length, the seconds spent in each
    phase (a phase that never happened is 0), on-task seconds, out-the-door time (shift
    start to the first en_route phase; NULL without one), whether the break was skipped
    and how many patients (visits) the team saw.
-#}

with

shift_teams as (
    select
        shift_team_id,
        market_id,
        started_at,
        ended_at,
        shift_date
    from {{ ref('stg_station__shift_teams') }}
    where shift_date <= {{ as_of_date() }}
),

markets as (
    select
        market_id,
        market_group_id
    from {{ ref('stg_station__markets') }}
),

shift_snapshots as (
    select
        shift_team_id,
        started_at,
        phase,
        is_on_task,
        is_on_break,
        {{ seconds_between('started_at', 'ended_at') }} as phase_seconds
    from {{ ref('stg_station__shift_snapshots') }}
),

visits as (
    select
        care_request_id,
        shift_team_id
    from {{ ref('int_visits_enriched') }}
    where shift_team_id is not null
),

phases_summarized as (
    select
        shift_team_id,
        sum(case when phase = 'en_route' then phase_seconds else 0 end) as en_route_seconds,
        sum(case when phase = 'on_scene' then phase_seconds else 0 end) as on_scene_seconds,
        sum(case when phase = 'idle' then phase_seconds else 0 end) as idle_seconds,
        sum(case when is_on_break then phase_seconds else 0 end) as on_break_seconds,
        sum(case when is_on_task then phase_seconds else 0 end) as on_task_seconds,
        sum(case when is_on_break then 1 else 0 end) as on_break_phase_count,
        min(case when phase = 'en_route' then started_at end) as first_en_route_at
    from shift_snapshots
    group by shift_team_id
),

patients_seen as (
    select
        shift_team_id,
        count(*) as patients_seen
    from visits
    group by shift_team_id
),

summarized as (
    select
        shift_teams.shift_team_id,
        shift_teams.market_id,
        markets.market_group_id,
        shift_teams.shift_date,
        shift_teams.started_at,
        shift_teams.ended_at,
        {{ seconds_between('shift_teams.started_at', 'shift_teams.ended_at') }}
            as shift_seconds,
        {{ seconds_between('shift_teams.started_at', 'phases_summarized.first_en_route_at') }}
            as out_the_door_seconds,
        cast(coalesce(phases_summarized.en_route_seconds, 0) as bigint) as en_route_seconds,
        cast(coalesce(phases_summarized.on_scene_seconds, 0) as bigint) as on_scene_seconds,
        cast(coalesce(phases_summarized.on_break_seconds, 0) as bigint) as on_break_seconds,
        cast(coalesce(phases_summarized.idle_seconds, 0) as bigint) as idle_seconds,
        cast(coalesce(phases_summarized.on_task_seconds, 0) as bigint) as on_task_seconds,
        coalesce(phases_summarized.on_break_phase_count, 0) = 0 as is_break_skipped,
        cast(coalesce(patients_seen.patients_seen, 0) as bigint) as patients_seen
    from shift_teams
    left join markets
        on shift_teams.market_id = markets.market_id
    left join phases_summarized
        on shift_teams.shift_team_id = phases_summarized.shift_team_id
    left join patients_seen
        on shift_teams.shift_team_id = patients_seen.shift_team_id
)

select * from summarized

{#-
    Every phase snapshot of every shift in provider_shifts, for the shift breakdown
    modal: phase, start, end and position (SPEC §6); and of the shifts in
    provider_latest_shifts, which the personal look back shows however old they are.
-#}

with

provider_shifts as (
    select shift_team_id
    from {{ ref('provider_shifts') }}
    union
    select shift_team_id
    from {{ ref('provider_latest_shifts') }}
),

shift_snapshots as (
    select
        shift_team_id,
        started_at,
        ended_at,
        phase,
        latitude_e6,
        longitude_e6
    from {{ ref('stg_station__shift_snapshots') }}
),

final as (
    select
        shift_snapshots.shift_team_id,
        shift_snapshots.started_at as start_time,
        shift_snapshots.ended_at as end_time,
        shift_snapshots.phase,
        shift_snapshots.latitude_e6,
        shift_snapshots.longitude_e6
    from shift_snapshots
    inner join provider_shifts
        on shift_snapshots.shift_team_id = provider_shifts.shift_team_id
)

select * from final

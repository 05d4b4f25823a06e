with

source as (
    select * from {{ source('station', 'shift_snapshots') }}
),

shift_phase_types as (
    select
        phase,
        is_on_task,
        is_on_break
    from {{ ref('shift_phase_types') }}
),

categorized as (
    select
        source.shift_team_id,
        source.start_time as started_at,
        source.end_time as ended_at,
        source.phase,
        source.latitude_e6,
        source.longitude_e6,
        coalesce(shift_phase_types.is_on_task, false) as is_on_task,
        coalesce(shift_phase_types.is_on_break, false) as is_on_break
    from source
    left join shift_phase_types
        on source.phase = shift_phase_types.phase
)

select * from categorized

with

source as (
    select * from {{ source('station', 'shift_teams') }}
),

renamed as (
    select
        shift_team_id,
        market_id,
        start_time as started_at,
        end_time as ended_at,
        cast(start_time as date) as shift_date
    from source
)

select * from renamed

with

source as (
    select * from {{ source('station', 'shift_team_members') }}
),

renamed as (
    select
        shift_team_id,
        provider_id
    from source
)

select * from renamed

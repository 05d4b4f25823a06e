with

source as (
    select * from {{ source('station', 'market_groups') }}
),

renamed as (
    select
        market_group_id,
        name as market_group_name,
        short_name as market_group_short_name
    from source
)

select * from renamed

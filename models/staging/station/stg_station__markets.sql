with

source as (
    select * from {{ source('station', 'markets') }}
),

renamed as (
    select
        market_id,
        name as market_name,
        short_name as market_short_name,
        market_group_id
    from source
)

select * from renamed

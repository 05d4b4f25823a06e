{#- Every Station market with its names and market group. -#}

with

markets as (
    select
        market_id,
        market_name,
        market_short_name,
        market_group_id
    from {{ ref('stg_station__markets') }}
),

final as (
    select
        market_id,
        -- `name` is the column the API and seed 000 know; it is no reserved word.
        market_name as name,  -- noqa: RF04
        market_short_name as short_name,
        market_group_id
    from markets
)

select * from final

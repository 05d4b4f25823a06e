{#- Every Station market group with its names. -#}

with

market_groups as (
    select
        market_group_id,
        market_group_name,
        market_group_short_name
    from {{ ref('stg_station__market_groups') }}
),

final as (
    select
        market_group_id,
        -- `name` is the column the API and seed 000 know; it is no reserved word.
        market_group_name as name,  -- noqa: RF04
        market_group_short_name as short_name
    from market_groups
)

select * from final

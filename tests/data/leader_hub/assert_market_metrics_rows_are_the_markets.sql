{#- SPEC §6 row set: market_metrics has one row per market, with or without visits. -#}

with

markets as (
    select market_id from {{ ref('markets') }}
),

market_metrics as (
    select market_id from {{ ref('market_metrics') }}
),

final as (
    select
        markets.market_id as market_id_in_markets,
        market_metrics.market_id as market_id_in_market_metrics
    from markets
    full outer join market_metrics
        on markets.market_id = market_metrics.market_id
    where markets.market_id is null or market_metrics.market_id is null
)

select * from final

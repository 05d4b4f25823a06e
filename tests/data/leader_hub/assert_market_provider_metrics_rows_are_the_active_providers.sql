{#-
    SPEC §6 row set: market_provider_metrics has exactly the (market, provider) rows of
    markets_active_providers.
-#}

with

markets_active_providers as (
    select
        market_id,
        provider_id
    from {{ ref('markets_active_providers') }}
),

market_provider_metrics as (
    select
        market_id,
        provider_id
    from {{ ref('market_provider_metrics') }}
),

final as (
    select
        markets_active_providers.market_id as active_market_id,
        markets_active_providers.provider_id as active_provider_id,
        market_provider_metrics.market_id as metrics_market_id,
        market_provider_metrics.provider_id as metrics_provider_id
    from markets_active_providers
    full outer join market_provider_metrics
        on
            markets_active_providers.market_id = market_provider_metrics.market_id
            and markets_active_providers.provider_id = market_provider_metrics.provider_id
    where
        markets_active_providers.market_id is null
        or market_provider_metrics.market_id is null
)

select * from final

{#- SPEC §6 row set: provider_metrics has one row per row of providers, no more, no less. -#}

with

providers as (
    select provider_id from {{ ref('providers') }}
),

provider_metrics as (
    select provider_id from {{ ref('provider_metrics') }}
),

final as (
    select
        providers.provider_id as provider_id_in_providers,
        provider_metrics.provider_id as provider_id_in_provider_metrics
    from providers
    full outer join provider_metrics
        on providers.provider_id = provider_metrics.provider_id
    where providers.provider_id is null or provider_metrics.provider_id is null
)

select * from final

{#-
    The visits that entered and left a provider's last `visit_window` visits in a market's
    group between D − change_days and D, for each market the provider is active in (a
    market's row uses its group's window, like market_provider_metrics; SPEC §12).
-#}

{{ visit_window_changes(
    ref('int_visits_ranked_by_market_group_provider'), ['market_group_id', 'provider_id']
) }},

active_providers as (
    select
        markets_active_providers.market_id,
        markets_active_providers.provider_id,
        markets.market_group_id
    from {{ ref('markets_active_providers') }} as markets_active_providers
    inner join {{ ref('markets') }} as markets
        on markets_active_providers.market_id = markets.market_id
),

final as (
    select
        active_providers.market_id,
        active_providers.provider_id,
        {{ visit_window_change_columns() }}
    from changes
    inner join active_providers
        on
            changes.market_group_id = active_providers.market_group_id
            and changes.provider_id = active_providers.provider_id
    left join clinicians
        on changes.care_request_id = clinicians.care_request_id
)

select * from final

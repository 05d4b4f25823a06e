{#-
    One row per (market, active provider) of markets_active_providers: on-scene time,
    chart closure (APP), survey capture (DHMT), NPS and on-task % over the provider's
    last `visit_window` visits (and `on_task_window_days` days of shifts) in any market
    of the market's group, with week changes and the provider's rank among the market's
    providers of the same job title.
-#}

{{ leader_hub_market_provider_metrics() }}

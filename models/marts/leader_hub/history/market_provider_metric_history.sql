{#-
    market_provider_metrics for every report date kept, ranks included: ranked among the
    date's own rows (see market_metric_history).
-#}

{{ leader_hub_market_provider_metrics() }}

{#- provider_metrics for every report date kept (see market_metric_history). -#}

{{ leader_hub_provider_metrics() }}

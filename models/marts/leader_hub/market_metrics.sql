{#-
    One row per market: on-scene time, chart closure, survey capture and NPS over the
    market's last `market_window` visits as of D, with their week changes. A market
    without visits has NULL metrics (SPEC §6).
-#}

{{ leader_hub_market_metrics() }}

{#-
    market_metrics for every report date kept: a build inserts its date's rows, computed
    by the mart's own macro (folder config in dbt_project.yml: incremental, delete+insert
    on as_of_date, full_refresh off).
-#}

{{ leader_hub_market_metrics() }}

{#-
    One row per clinician of `providers`: all seven metrics over the provider's last
    `visit_window` visits across all markets (on-task % over the provider's shifts in
    the last `on_task_window_days` days), with their week changes. Chart closure and
    ABX prescribing are NULL for DHMTs, survey capture for APPs (SPEC §6).
-#}

{{ leader_hub_provider_metrics() }}

{#-
    One row per (market group, clinician) with a shift of the group in either on-task
    window: on-task % over the provider's shifts in any market of the group (the scope of
    the market-provider visit metrics), with shifts starting in
    (D − on_task_window_days, D] and (previous_*) in the same window ending at
    D − change_days.
-#}

{{ on_task_by_window(
    ref('int_shifts_by_provider'),
    key_columns=['market_group_id', 'provider_id'],
    where='market_group_id is not null',
) }}

{#-
    One row per clinician with a shift in either on-task window: on-task % over the
    provider's shifts in any market starting in (D − on_task_window_days, D] and
    (previous_*) in the same window ending at D − change_days.
-#}

{{ on_task_by_window(ref('int_shifts_by_provider'), key_columns=['provider_id']) }}

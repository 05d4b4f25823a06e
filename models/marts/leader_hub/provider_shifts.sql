{#-
    One row per (shift, clinician member) for shifts starting in
    (D − shift_history_days, D]: the shift's times, patients seen and seconds per phase
    (SPEC §6). Non-clinician members never appear.
-#}

{{ leader_hub_provider_shift_rows(is_in_day_window('shift_date', var('shift_history_days'))) }}

{#-
    My Performance Hub's look back (SPEC §11): every clinician's shifts of their latest
    day with a shift on or before D, however old (a shift's day is its start date), with
    the columns of provider_shifts.
-#}

{{ leader_hub_provider_shift_rows('shift_date = latest_shift_date') }}

{#-
    Every phase in provider_shift_breakdowns belongs to a shift the app publishes: one of
    provider_shifts or of provider_latest_shifts (the look back's latest day).
-#}

with

published_shifts as (
    select shift_team_id from {{ ref('provider_shifts') }}
    union
    select shift_team_id from {{ ref('provider_latest_shifts') }}
),

breakdowns as (
    select distinct shift_team_id
    from {{ ref('provider_shift_breakdowns') }}
)

select breakdowns.shift_team_id
from breakdowns
left join published_shifts
    on breakdowns.shift_team_id = published_shifts.shift_team_id
where published_shifts.shift_team_id is null

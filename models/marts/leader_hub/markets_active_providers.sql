{#-
    The clinicians active in each market: a shift team membership in that market
    (shift_teams.market_id) starting in (D − active_provider_days, D]. Decides who the
    Leader Hub lists for a market and which providers a lead may open.
-#}

with

recent_shifts as (
    select
        market_id,
        provider_id,
        shift_date
    from {{ ref('int_shifts_by_provider') }}
    where {{ is_in_day_window('shift_date', var('active_provider_days')) }}
),

final as (
    select
        market_id,
        provider_id,
        max(shift_date) as last_shift_date
    from recent_shifts
    group by market_id, provider_id
)

select * from final

{#-
    The visits that entered and left a market's last `market_window` visits between
    D − change_days and D: why a market metric's week change moved (SPEC §12).
-#}

{{ visit_window_changes(ref('int_visits_ranked_by_market'), ['market_id']) }},

final as (
    select
        changes.market_id,
        {{ visit_window_change_columns() }}
    from changes
    left join clinicians
        on changes.care_request_id = clinicians.care_request_id
)

select * from final

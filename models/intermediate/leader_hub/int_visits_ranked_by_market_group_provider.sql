{#-
    Every (visit, clinician) as of D, ranked newest first within the provider's visits in
    one market group (any market of the group), with membership of the provider's last
    `visit_window` visits in that group as of D and as of D − change_days
    (market-provider metrics: a market's row uses its group's window).
-#}

{{ visits_ranked_last_n(
    ref('int_visits_by_provider'),
    partition_by=['market_group_id', 'provider_id'],
    window_size=var('visit_window'),
    where='market_group_id is not null',
    columns=[
        'care_request_id',
        'provider_id',
        'market_group_id',
        'service_date',
        'completed_at',
        'on_scene_seconds',
        'is_chart_closed_on_time',
        'has_survey',
        'nps_score',
    ],
) }}

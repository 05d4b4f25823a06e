{#-
    Every visit as of D, ranked newest first within its market (care_requests.market_id),
    with membership of the market's last `market_window` visits as of D and as of
    D − change_days (market metrics).
-#}

{{ visits_ranked_last_n(
    ref('int_visits_enriched'),
    partition_by=['market_id'],
    window_size=var('market_window'),
    columns=[
        'care_request_id',
        'market_id',
        'service_date',
        'completed_at',
        'on_scene_seconds',
        'is_chart_closed_on_time',
        'has_survey',
        'nps_score',
    ],
) }}

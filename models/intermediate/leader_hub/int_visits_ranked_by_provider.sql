{#-
    Every (visit, clinician) as of D, ranked newest first within the provider's visits
    across all markets, with membership of the provider's last `visit_window` visits as
    of D and as of D − change_days (provider metrics, provider_visits).
-#}

{{ visits_ranked_last_n(
    ref('int_visits_by_provider'),
    partition_by=['provider_id'],
    window_size=var('visit_window'),
    columns=[
        'care_request_id',
        'provider_id',
        'job_title',
        'market_id',
        'service_date',
        'completed_at',
        'on_scene_seconds',
        'is_chart_closed_on_time',
        'has_survey',
        'nps_score',
        'is_escalated',
        'is_abx_prescribed',
    ],
) }}

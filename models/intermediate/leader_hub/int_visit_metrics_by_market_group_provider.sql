{#-
    One row per (market group, clinician) with at least one visit in the group as of D:
    the visit metrics over the provider's last `visit_window` visits in any market of the
    group, as of D and (previous_*) as of D − change_days. Metrics are rounded; the
    job-title rule is applied by the mart.
-#}

{{ visit_metrics_by_window(
    ref('int_visits_ranked_by_market_group_provider'),
    key_columns=['market_group_id', 'provider_id'],
    metrics=[
        'on_scene_time_median_seconds',
        'chart_closure_rate',
        'survey_capture_rate',
        'net_promoter_score_average',
    ],
) }}

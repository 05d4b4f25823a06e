{#-
    One row per clinician with at least one visit as of D: the visit metrics over the
    provider's last `visit_window` visits across all markets, as of D and (previous_*)
    as of D − change_days. Metrics are rounded; the job-title rule is applied by the mart.
-#}

{{ visit_metrics_by_window(
    ref('int_visits_ranked_by_provider'),
    key_columns=['provider_id'],
    metrics=[
        'on_scene_time_median_seconds',
        'chart_closure_rate',
        'survey_capture_rate',
        'net_promoter_score_average',
        'escalation_rate',
        'abx_prescribing_rate',
    ],
) }}

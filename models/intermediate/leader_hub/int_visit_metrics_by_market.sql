{#-
    One row per market with at least one visit as of D: the visit metrics over the
    market's last `market_window` visits (all of its visits, whoever served them), as of
    D and (previous_*) as of D − change_days. Metrics are rounded.
-#}

{{ visit_metrics_by_window(
    ref('int_visits_ranked_by_market'),
    key_columns=['market_id'],
    metrics=[
        'on_scene_time_median_seconds',
        'chart_closure_rate',
        'survey_capture_rate',
        'net_promoter_score_average',
    ],
) }}

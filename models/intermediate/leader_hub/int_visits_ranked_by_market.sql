{#-
    Every visit as of D, ranked newest first within its market (care_requests.market_id),
    with membership of the market's last `market_window` visits as of D and as of
    D − change_days (market metrics).
-#}

with

visits as (
    select
        care_request_id,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score
    from {{ ref('int_visits_enriched') }}
),

ranked as (
    select
        care_request_id,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        {{ last_n_visit_ranks(['market_id']) }}
    from visits
),

windowed as (
    select
        care_request_id,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        visit_rank,
        {{ last_n_visit_windows(var('market_window')) }}
    from ranked
)

select * from windowed

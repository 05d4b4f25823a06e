{#-
    Every (visit, clinician) as of D, ranked newest first within the provider's visits in
    one market group (any market of the group), with membership of the provider's last
    `visit_window` visits in that group as of D and as of D − change_days
    (market-provider metrics: a market's row uses its group's window).
-#}

with

visits_by_provider as (
    select
        care_request_id,
        provider_id,
        market_group_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score
    from {{ ref('int_visits_by_provider') }}
    where market_group_id is not null
),

ranked as (
    select
        care_request_id,
        provider_id,
        market_group_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        {{ last_n_visit_ranks(['market_group_id', 'provider_id']) }}
    from visits_by_provider
),

windowed as (
    select
        care_request_id,
        provider_id,
        market_group_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        visit_rank,
        {{ last_n_visit_windows(var('visit_window')) }}
    from ranked
)

select * from windowed

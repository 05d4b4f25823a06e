{#-
    Every (visit, clinician) as of D, ranked newest first within the provider's visits
    across all markets, with membership of the provider's last `visit_window` visits as
    of D and as of D − change_days (provider metrics, provider_visits).
-#}

with

visits_by_provider as (
    select
        care_request_id,
        provider_id,
        job_title,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_escalated,
        is_abx_prescribed
    from {{ ref('int_visits_by_provider') }}
),

ranked as (
    select
        care_request_id,
        provider_id,
        job_title,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_escalated,
        is_abx_prescribed,
        {{ last_n_visit_ranks(['provider_id']) }}
    from visits_by_provider
),

windowed as (
    select
        care_request_id,
        provider_id,
        job_title,
        market_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_escalated,
        is_abx_prescribed,
        visit_rank,
        {{ last_n_visit_windows(var('visit_window')) }}
    from ranked
)

select * from windowed

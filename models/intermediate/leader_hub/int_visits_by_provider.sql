{#-
    One row per (visit, clinician): a visit counts for every APP and DHMT on its shift
    team (SPEC §5). Non-clinician members and visits without a shift team drop out.
-#}

with

visits as (
    select
        care_request_id,
        shift_team_id,
        market_id,
        market_group_id,
        service_date,
        completed_at,
        on_scene_seconds,
        is_chart_closed_on_time,
        has_survey,
        nps_score,
        is_escalated,
        is_abx_prescribed
    from {{ ref('int_visits_enriched') }}
),

shift_team_members as (
    select
        shift_team_id,
        provider_id
    from {{ ref('stg_station__shift_team_members') }}
),

clinicians as (
    select
        provider_id,
        job_title
    from {{ ref('stg_station__providers') }}
    where is_clinician
),

visits_by_provider as (
    select
        visits.care_request_id,
        clinicians.provider_id,
        clinicians.job_title,
        visits.market_id,
        visits.market_group_id,
        visits.service_date,
        visits.completed_at,
        visits.on_scene_seconds,
        visits.is_chart_closed_on_time,
        visits.has_survey,
        visits.nps_score,
        visits.is_escalated,
        visits.is_abx_prescribed
    from visits
    inner join shift_team_members
        on visits.shift_team_id = shift_team_members.shift_team_id
    inner join clinicians
        on shift_team_members.provider_id = clinicians.provider_id
)

select * from visits_by_provider

{#-
    One row per visit (complete care request) with service_date <= D, with everything the
    visit metrics need: seconds on scene, whether the chart was closed in time, whether a
    survey was captured and its NPS answer, and the market group of the visit's market.
    Patient and clinical detail columns ride along for the provider_visits mart.
-#}

with

care_requests as (
    select
        care_request_id,
        shift_team_id,
        market_id,
        service_date,
        on_scene_at,
        completed_at,
        chart_closed_at,
        patient_first_name,
        patient_last_name,
        patient_athena_id,
        chief_complaint,
        diagnosis,
        is_abx_prescribed,
        abx_details,
        is_escalated,
        escalated_reason
    from {{ ref('stg_station__care_requests') }}
    where
        is_complete
        and service_date <= {{ as_of_date() }}
),

surveys as (
    select
        care_request_id,
        nps_score
    from {{ ref('stg_station__surveys') }}
),

markets as (
    select
        market_id,
        market_group_id
    from {{ ref('stg_station__markets') }}
),

enriched as (
    select
        care_requests.care_request_id,
        care_requests.shift_team_id,
        care_requests.market_id,
        markets.market_group_id,
        care_requests.service_date,
        care_requests.completed_at,
        {{ seconds_between('care_requests.on_scene_at', 'care_requests.completed_at') }}
            as on_scene_seconds,
        coalesce(
            care_requests.chart_closed_at
            <= {{ add_hours('care_requests.completed_at', var('chart_closure_hours')) }},
            false
        ) as is_chart_closed_on_time,
        surveys.care_request_id is not null as has_survey,
        surveys.nps_score,
        coalesce(care_requests.is_escalated, false) as is_escalated,
        coalesce(care_requests.is_abx_prescribed, false) as is_abx_prescribed,
        care_requests.patient_first_name,
        care_requests.patient_last_name,
        care_requests.patient_athena_id,
        care_requests.chief_complaint,
        care_requests.diagnosis,
        care_requests.abx_details,
        care_requests.escalated_reason
    from care_requests
    left join surveys
        on care_requests.care_request_id = surveys.care_request_id
    left join markets
        on care_requests.market_id = markets.market_id
)

select * from enriched

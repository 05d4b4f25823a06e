{#-
    The visits a provider's page lists: every (visit, clinician) pair with service_date
    in (D − visit_history_days, D], plus the clinician's last `visit_window` visits
    however old, for every clinician including inactive ones (SPEC §6).
-#}

with

ranked_visits as (
    select
        care_request_id,
        provider_id,
        visit_rank
    from {{ ref('int_visits_ranked_by_provider') }}
    where
        is_in_current_window
        or {{ is_in_day_window('service_date', var('visit_history_days')) }}
),

visits as (
    select
        care_request_id,
        market_id,
        service_date,
        completed_at,
        patient_first_name,
        patient_last_name,
        patient_athena_id,
        chief_complaint,
        diagnosis,
        is_abx_prescribed,
        abx_details,
        is_escalated,
        escalated_reason
    from {{ ref('int_visits_enriched') }}
),

final as (
    select
        ranked_visits.care_request_id,
        ranked_visits.provider_id,
        visits.market_id,
        visits.service_date,
        visits.completed_at,
        ranked_visits.visit_rank,
        visits.patient_first_name,
        visits.patient_last_name,
        visits.patient_athena_id,
        visits.chief_complaint,
        visits.diagnosis,
        visits.is_abx_prescribed,
        visits.abx_details,
        visits.is_escalated,
        visits.escalated_reason
    from ranked_visits
    inner join visits
        on ranked_visits.care_request_id = visits.care_request_id
)

select * from final

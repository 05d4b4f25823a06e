with

source as (
    select * from {{ source('station', 'care_requests') }}
),

renamed as (
    select
        care_request_id,
        shift_team_id,
        market_id,
        status,
        patient_first_name,
        patient_last_name,
        patient_athena_id,
        service_date,
        on_scene_at,
        completed_at,
        chart_closed_at,
        chief_complaint,
        diagnosis,
        is_abx_prescribed,
        abx_details,
        is_escalated,
        escalated_reason,
        coalesce(status = 'complete', false) as is_complete
    from source
)

select * from renamed

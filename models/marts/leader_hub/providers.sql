{#- Every APP and DHMT in Station, active or not (SPEC §6). -#}

with

clinicians as (
    select
        provider_id,
        first_name,
        last_name,
        avatar_url,
        job_title
    from {{ ref('stg_station__providers') }}
    where is_clinician
),

final as (
    select
        provider_id,
        first_name,
        last_name,
        avatar_url,
        job_title
    from clinicians
)

select * from final

with

source as (
    select * from {{ source('station', 'providers') }}
),

provider_positions as (
    select
        position,
        job_title,
        is_clinician
    from {{ ref('provider_positions') }}
),

categorized as (
    select
        source.provider_id,
        source.first_name,
        source.last_name,
        source.avatar_url,
        source.position,
        provider_positions.job_title,
        coalesce(provider_positions.is_clinician, false) as is_clinician
    from source
    left join provider_positions
        on source.position = provider_positions.position
)

select * from categorized

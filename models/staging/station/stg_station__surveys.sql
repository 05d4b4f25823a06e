with

source as (
    select * from {{ source('station', 'surveys') }}
),

renamed as (
    select
        care_request_id,
        captured_at,
        nps_score
    from source
)

select * from renamed

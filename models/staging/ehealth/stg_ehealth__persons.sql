with

source as (
    select * from {{ source('ehealth', 'persons') }}
),

renamed as (
    select
        cast(id as varchar(36)) as person_id,
        status as person_status
    from source
)

select * from renamed

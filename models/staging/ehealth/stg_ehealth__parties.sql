with

source as (
    select * from {{ source('ehealth', 'parties') }}
),

renamed as (
    select
        cast(id as varchar(36)) as party_id,
        first_name,
        last_name
    from source
)

select * from renamed

with

source as (
    select * from {{ source('ehealth', 'employees') }}
),

renamed as (
    select
        cast(id as varchar(36)) as employee_id,
        cast(party_id as varchar(36)) as party_id,
        cast(legal_entity_id as varchar(36)) as legal_entity_id,
        cast(division_id as varchar(36)) as division_id,
        employee_type,
        status as employee_status,
        is_active,
        inserted_at,
        cast(inserted_at as date) as inserted_date
    from source
)

select * from renamed

with

source as (
    select * from {{ source('ehealth', 'declarations') }}
),

renamed as (
    select
        cast(id as varchar(36)) as declaration_id,
        cast(person_id as varchar(36)) as person_id,
        cast(employee_id as varchar(36)) as employee_id,
        cast(legal_entity_id as varchar(36)) as legal_entity_id,
        cast(division_id as varchar(36)) as division_id,
        status as declaration_status,
        is_active,
        start_date,
        inserted_at,
        cast(inserted_at as date) as inserted_date
    from source
)

select * from renamed

with

source as (
    select * from {{ source('ehealth', 'divisions') }}
),

renamed as (
    select
        cast(id as varchar(36)) as division_id,
        cast(legal_entity_id as varchar(36)) as legal_entity_id,
        name as division_name,
        type as division_type,
        status as division_status,
        is_active
    from source
)

select * from renamed

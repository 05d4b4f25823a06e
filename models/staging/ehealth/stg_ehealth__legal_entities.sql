with

source as (
    select * from {{ source('ehealth', 'legal_entities') }}
),

renamed as (
    select
        cast(id as varchar(36)) as legal_entity_id,
        name as legal_entity_name,
        edrpou,
        type as legal_entity_type,
        status as legal_entity_status
    from source
)

select * from renamed

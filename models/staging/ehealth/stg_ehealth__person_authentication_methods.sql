with

source as (
    select * from {{ source('ehealth', 'person_authentication_methods') }}
),

renamed as (
    select
        cast(person_id as varchar(36)) as person_id,
        type as authentication_method_type,
        phone_number as registry_phone_number,
        -- digits only; NULL when nothing is left (no number, or no digit in it)
        cast(nullif({{ digits_only('phone_number') }}, '') as varchar(32)) as phone_number
    from source
)

select * from renamed

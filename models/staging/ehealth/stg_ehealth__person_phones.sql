with

source as (
    select * from {{ source('ehealth', 'person_phones') }}
),

renamed as (
    select
        cast(person_id as varchar(36)) as person_id,
        type as phone_type,
        number as registry_phone_number,
        -- digits only; NULL when no digit is left
        cast(nullif({{ digits_only('number') }}, '') as varchar(32)) as phone_number
    from source
)

select * from renamed

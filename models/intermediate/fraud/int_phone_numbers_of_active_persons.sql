{#-
    The distinct (phone number, person) pairs of active persons: every person_phones
    number (any type) plus every OTP authentication number, normalized to digits in
    staging. Numbers without a digit are dropped.
-#}

with

active_persons as (
    select person_id
    from {{ ref('stg_ehealth__persons') }}
    where person_status = 'active'
),

person_phones as (
    select
        person_id,
        phone_number
    from {{ ref('stg_ehealth__person_phones') }}
    where phone_number is not null
),

otp_phones as (
    select
        person_id,
        phone_number
    from {{ ref('stg_ehealth__person_authentication_methods') }}
    where
        authentication_method_type = 'OTP'
        and phone_number is not null
),

all_phones as (
    select
        person_id,
        phone_number
    from person_phones
    union
    select
        person_id,
        phone_number
    from otp_phones
),

final as (
    select
        all_phones.phone_number,
        all_phones.person_id
    from all_phones
    inner join active_persons
        on all_phones.person_id = active_persons.person_id
)

select * from final

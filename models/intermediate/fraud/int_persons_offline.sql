{#-
    The persons who authenticate OFFLINE: one row per person having at least one OFFLINE
    authentication-method row, whatever other methods (OTP, NA) they also have.
-#}

with

authentication_methods as (
    select
        person_id,
        authentication_method_type
    from {{ ref('stg_ehealth__person_authentication_methods') }}
),

final as (
    select distinct person_id
    from authentication_methods
    where authentication_method_type = 'OFFLINE'
)

select * from final

{#-
    Every declaration registered on or before D with a qualifying doctor employee
    (int_doctors), carrying the doctor's key and settlement type. The doctor and legal
    entity are the employee's (seed 004 joins employee.id = declarations.employee_id).
-#}

with

declarations as (
    select
        declaration_id,
        person_id,
        employee_id,
        declaration_status,
        is_active,
        inserted_date
    from {{ ref('stg_ehealth__declarations') }}
    where inserted_date <= {{ as_of_date() }}
),

doctors as (
    select
        employee_id,
        party_id,
        legal_entity_id,
        settlement_type
    from {{ ref('int_doctors') }}
),

final as (
    select
        declarations.declaration_id,
        declarations.person_id,
        declarations.employee_id,
        doctors.party_id,
        doctors.legal_entity_id,
        doctors.settlement_type,
        declarations.declaration_status,
        declarations.is_active,
        declarations.inserted_date,
        -- an active declaration: the record is active and its status is 'active'
        coalesce(
            declarations.is_active and declarations.declaration_status = 'active', false
        ) as is_active_declaration
    from declarations
    inner join doctors
        on declarations.employee_id = doctors.employee_id
)

select * from final

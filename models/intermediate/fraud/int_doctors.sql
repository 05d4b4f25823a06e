{#-
    The qualifying doctor employee rows (SPEC §7): employee_type DOCTOR, active, APPROVED,
    registered on or before D. A doctor is (party_id, legal_entity_id); one doctor can
    have several such rows (several divisions), so this model keeps the employee grain
    and carries the doctor-level first registration date and lifetime on every row.
-#}

with

employees as (
    select
        employee_id,
        party_id,
        legal_entity_id,
        division_id,
        inserted_date
    from {{ ref('stg_ehealth__employees') }}
    where
        employee_type = 'DOCTOR'
        and is_active
        and employee_status = 'APPROVED'
        and inserted_date <= {{ as_of_date() }}
),

residence_addresses as (
    select
        division_id,
        settlement_type
    from {{ ref('stg_ehealth__division_addresses') }}
    where address_type = 'RESIDENCE'
),

division_settlement_types as (
    -- a division with several RESIDENCE addresses is CITY when any of them is
    select
        division_id,
        max(case when settlement_type = 'CITY' then 1 else 0 end) as has_city_residence
    from residence_addresses
    group by division_id
),

doctor_employees as (
    select
        employees.employee_id,
        employees.party_id,
        employees.legal_entity_id,
        employees.division_id,
        employees.inserted_date,
        -- no division, or no RESIDENCE address: OTHER
        case
            when division_settlement_types.has_city_residence = 1 then 'CITY' else 'OTHER'
        end as settlement_type,
        min(employees.inserted_date) over (
            partition by employees.party_id, employees.legal_entity_id
        ) as first_inserted_date
    from employees
    left join division_settlement_types
        on employees.division_id = division_settlement_types.division_id
),

final as (
    select
        employee_id,
        party_id,
        legal_entity_id,
        division_id,
        cast(settlement_type as varchar(8)) as settlement_type,
        inserted_date,
        first_inserted_date,
        cast({{ days_between('first_inserted_date', as_of_date()) }} as integer)
            as lifetime_days
    from doctor_employees
)

select * from final

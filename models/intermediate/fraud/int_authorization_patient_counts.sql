{#-
    The patients of each doctor and of each legal entity, per settlement type: the
    distinct persons with an active declaration and those of them who authenticate
    OFFLINE (SPEC §7). Distinct counts do not roll up (a person may have several doctors
    of one legal entity), so each grain counts its own rows of `int_declarations_active`;
    `report_grain` says which, and a legal entity's rows have no party_id.
-#}

with

active_declarations as (
    select
        person_id,
        party_id,
        legal_entity_id,
        settlement_type,
        is_offline_person
    from {{ ref('int_declarations_active') }}
),

doctor_patients as (
    select
        cast('doctor' as varchar(16)) as report_grain,
        party_id,
        legal_entity_id,
        settlement_type,
        count(distinct person_id) as patients_qty,
        count(distinct case when is_offline_person then person_id end) as offline_patients_qty
    from active_declarations
    group by party_id, legal_entity_id, settlement_type
),

legal_entity_patients as (
    select
        cast('legal_entity' as varchar(16)) as report_grain,
        cast(null as varchar(36)) as party_id,
        legal_entity_id,
        settlement_type,
        count(distinct person_id) as patients_qty,
        count(distinct case when is_offline_person then person_id end) as offline_patients_qty
    from active_declarations
    group by legal_entity_id, settlement_type
),

final as (
    select
        report_grain,
        party_id,
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty
    from doctor_patients
    union all
    select
        report_grain,
        party_id,
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty
    from legal_entity_patients
)

select * from final

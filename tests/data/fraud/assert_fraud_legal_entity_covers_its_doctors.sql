{#-
    A legal entity's patients (per settlement type) include each of its doctors' patients
    there: a doctor with more than legal_entity_min_patients patients implies a legal
    entity row with at least as many patients and offline patients.
-#}

with

doctors as (
    select
        party_id,
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty
    from {{ ref('authorization_doctor') }}
    where patients_qty > {{ var('legal_entity_min_patients') }}
),

legal_entities as (
    select
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty
    from {{ ref('authorization_legal_entity') }}
)

select
    doctors.party_id,
    doctors.legal_entity_id,
    doctors.settlement_type,
    doctors.patients_qty,
    legal_entities.patients_qty as legal_entity_patients_qty
from doctors
left join legal_entities
    on
        doctors.legal_entity_id = legal_entities.legal_entity_id
        and doctors.settlement_type = legal_entities.settlement_type
where
    legal_entities.patients_qty is null
    or legal_entities.patients_qty < doctors.patients_qty
    or legal_entities.offline_patients_qty < doctors.offline_patients_qty

{#-
    A doctor's row per settlement type in authorization_doctor counts a subset of the
    doctor's patients in total_patients_doctor: the total row exists and is not smaller.
-#}

with

doctor_settlement_rows as (
    select
        party_id,
        legal_entity_id,
        settlement_type,
        patients_qty
    from {{ ref('authorization_doctor') }}
),

doctor_totals as (
    select
        party_id,
        legal_entity_id,
        patients_qty
    from {{ ref('total_patients_doctor') }}
)

select
    doctor_settlement_rows.party_id,
    doctor_settlement_rows.legal_entity_id,
    doctor_settlement_rows.settlement_type,
    doctor_settlement_rows.patients_qty,
    doctor_totals.patients_qty as total_patients_qty
from doctor_settlement_rows
left join doctor_totals
    on
        doctor_settlement_rows.party_id = doctor_totals.party_id
        and doctor_settlement_rows.legal_entity_id = doctor_totals.legal_entity_id
where
    doctor_totals.patients_qty is null
    or doctor_totals.patients_qty < doctor_settlement_rows.patients_qty

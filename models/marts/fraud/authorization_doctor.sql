{#-
    Authorizations report by doctor (SPEC §7): one row per doctor and settlement type with
    more than `doctor_min_patients` patients, with the share of them who authenticate
    OFFLINE, ranked by that share within each settlement type.
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

patients_counted as (
    select
        party_id,
        legal_entity_id,
        settlement_type,
        count(distinct person_id) as patients_qty,
        count(distinct case when is_offline_person then person_id end) as offline_patients_qty
    from active_declarations
    group by party_id, legal_entity_id, settlement_type
),

thresholded as (
    select
        party_id,
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty,
        {{ fraud_unrounded_ratio('offline_patients_qty', 'patients_qty') }}
            as ratio_offline_patients_qty
    from patients_counted
    where patients_qty > {{ var('doctor_min_patients') }}
),

flagged as (
    {{ fraud_report_flags(
        'thresholded',
        sort_desc=['ratio_offline_patients_qty'],
        key_columns=['party_id', 'legal_entity_id'],
        partition_by=['settlement_type'],
    ) }}
),

scored as (
    {{ fraud_outlier_score(
        'flagged', 'ratio_offline_patients_qty', partition_by=['settlement_type']
    ) }}
),

final as (
    {{ fraud_report_columns('scored', {
        'party_id': 'varchar(36)',
        'legal_entity_id': 'varchar(36)',
        'settlement_type': 'varchar(8)',
        'patients_qty': 'bigint',
        'offline_patients_qty': 'bigint',
        'ratio_offline_patients_qty': 'double precision',
    }) }}
)

select * from final

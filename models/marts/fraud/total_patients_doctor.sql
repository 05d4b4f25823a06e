{#-
    Doctors report (SPEC §7): one row per doctor (party, legal entity) with more than
    `doctor_min_patients` patients and the growth of its new declarations, ranked by
    patient_increase_30d, then patient_increase_30d_0 (one report partition).
-#}

with

active_declarations as (
    select
        person_id,
        party_id,
        legal_entity_id
    from {{ ref('int_declarations_active') }}
),

doctor_declarations as (
    select
        declaration_id,
        party_id,
        legal_entity_id,
        declaration_status,
        inserted_date
    from {{ ref('int_declarations_of_doctors') }}
),

doctors as (
    select distinct
        party_id,
        legal_entity_id,
        lifetime_days
    from {{ ref('int_doctors') }}
),

patients_counted as (
    select
        party_id,
        legal_entity_id,
        count(distinct person_id) as patients_qty
    from active_declarations
    group by party_id, legal_entity_id
),

new_declarations_counted as (
    -- declarations of any status but rejected, by inserted_at's date:
    -- new_30 in (D - 30, D], new_prev_60 in (D - 90, D - 30]
    select
        party_id,
        legal_entity_id,
        count(
            case
                when inserted_date > {{ add_days(as_of_date(), -var('new_patients_days')) }}
                    then declaration_id
            end
        ) as new_30,
        count(
            case
                when inserted_date <= {{ add_days(as_of_date(), -var('new_patients_days')) }}
                    then declaration_id
            end
        ) as new_prev_60
    from doctor_declarations
    where
        declaration_status != 'rejected'
        and inserted_date > {{ add_days(
            as_of_date(), -(var('new_patients_days') + var('previous_patients_days'))
        ) }}
    group by party_id, legal_entity_id
),

thresholded as (
    select
        patients_counted.party_id,
        patients_counted.legal_entity_id,
        patients_counted.patients_qty,
        doctors.lifetime_days,
        coalesce(new_declarations_counted.new_30, 0) as new_30,
        coalesce(new_declarations_counted.new_prev_60, 0) as new_prev_60
    from patients_counted
    inner join doctors
        on
            patients_counted.party_id = doctors.party_id
            and patients_counted.legal_entity_id = doctors.legal_entity_id
    left join new_declarations_counted
        on
            patients_counted.party_id = new_declarations_counted.party_id
            and patients_counted.legal_entity_id = new_declarations_counted.legal_entity_id
    where patients_counted.patients_qty > {{ var('doctor_min_patients') }}
),

increases as (
    -- (new_30 / 30) / (new_prev_60 / 60), computed as one division of the counts
    select
        party_id,
        legal_entity_id,
        patients_qty,
        new_30,
        new_prev_60,
        lifetime_days,
        case
            when lifetime_days > {{ var('doctor_min_lifetime_days') }} and new_prev_60 > 0
                then {{ fraud_unrounded_ratio(
                    'new_30 * ' ~ var('previous_patients_days'),
                    'new_prev_60 * ' ~ var('new_patients_days')
                ) }}
        end as patient_increase_30d,
        case
            when lifetime_days > {{ var('doctor_min_lifetime_days') }} and new_prev_60 = 0
                then new_30
        end as patient_increase_30d_0
    from thresholded
),

flagged as (
    {{ fraud_report_flags(
        'increases',
        sort_desc=['patient_increase_30d', 'patient_increase_30d_0'],
        key_columns=['party_id', 'legal_entity_id'],
    ) }}
),

scored as (
    {{ fraud_outlier_score('flagged', 'patient_increase_30d') }}
),

final as (
    {{ fraud_report_columns('scored', {
        'party_id': 'varchar(36)',
        'legal_entity_id': 'varchar(36)',
        'patients_qty': 'bigint',
        'new_30': 'bigint',
        'new_prev_60': 'bigint',
        'lifetime_days': 'integer',
        'patient_increase_30d': 'double precision',
        'patient_increase_30d_0': 'bigint',
    }, key_columns=['party_id', 'legal_entity_id']) }}
)

select * from final

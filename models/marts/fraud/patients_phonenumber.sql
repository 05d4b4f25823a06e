{#-
    Phone numbers report (SPEC §7): one row per phone number carried by more than
    `phone_min_patients` active persons, ranked by how many (one report partition).
-#}

with

phone_numbers as (
    select
        phone_number,
        person_id
    from {{ ref('int_phone_numbers_of_active_persons') }}
),

patients_counted as (
    select
        phone_number,
        count(distinct person_id) as patients_qty
    from phone_numbers
    group by phone_number
),

thresholded as (
    select
        phone_number,
        patients_qty
    from patients_counted
    where patients_qty > {{ var('phone_min_patients') }}
),

flagged as (
    {{ fraud_report_flags(
        'thresholded', sort_desc=['patients_qty'], key_columns=['phone_number']
    ) }}
),

scored as (
    {{ fraud_outlier_score('flagged', 'patients_qty') }}
),

final as (
    {{ fraud_report_columns('scored', {
        'phone_number': 'varchar(32)',
        'patients_qty': 'bigint',
    }, key_columns=['phone_number']) }}
)

select * from final

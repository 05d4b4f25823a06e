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
    select
        cast(phone_number as varchar(32)) as phone_number,
        cast(patients_qty as bigint) as patients_qty,
        {{ as_of_date() }} as report_date,
        cast(report_rank as bigint) as report_rank,
        is_reported,
        cast(outlier_score as numeric(18, 4)) as outlier_score,
        is_statistical_outlier
    from scored
)

select * from final

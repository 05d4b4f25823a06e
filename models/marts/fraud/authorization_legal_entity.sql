with

active_declarations as (
    select
        person_id,
        legal_entity_id,
        settlement_type,
        is_offline_person
    from {{ ref('int_declarations_active') }}
),

patients_counted as (
    select
        legal_entity_id,
        settlement_type,
        count(distinct person_id) as patients_qty,
        count(distinct case when is_offline_person then person_id end) as offline_patients_qty
    from active_declarations
    group by legal_entity_id, settlement_type
),

thresholded as (
    select
        legal_entity_id,
        settlement_type,
        patients_qty,
        offline_patients_qty,
        {{ fraud_unrounded_ratio('offline_patients_qty', 'patients_qty') }}
            as ratio_offline_patients_qty
    from patients_counted
    where patients_qty > {{ var('legal_entity_min_patients') }}
),

flagged as (
    {{ fraud_report_flags(
        'thresholded',
        sort_desc=['ratio_offline_patients_qty'],
        key_columns=['legal_entity_id'],
        partition_by=['settlement_type'],
    ) }}
),

scored as (
    {{ fraud_outlier_score(
        'flagged', 'ratio_offline_patients_qty', partition_by=['settlement_type']
    ) }}
),

final as (
    select
        cast(legal_entity_id as varchar(36)) as legal_entity_id,
        cast(settlement_type as varchar(8)) as settlement_type,
        cast(patients_qty as bigint) as patients_qty,
        cast(offline_patients_qty as bigint) as offline_patients_qty,
        cast(ratio_offline_patients_qty as double precision) as ratio_offline_patients_qty,
        {{ as_of_date() }} as report_date,
        cast(report_rank as bigint) as report_rank,
        is_reported,
        cast(outlier_score as numeric(18, 4)) as outlier_score,
        is_statistical_outlier
    from scored
)

select * from final

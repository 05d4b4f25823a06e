{#-
    The body of an authorizations report (SPEC §7, seed 004 `autorization_doctor` and
    `autorization_legal_entity`), written once for both marts: per `key_columns` and
    settlement type, the patients (distinct persons with an active declaration) and
    those of them who authenticate OFFLINE, counted at the report's `report_grain` by
    int_authorization_patient_counts, kept when there are more than `min_patients`
    patients; the report ranks rows by the unrounded OFFLINE share within each
    settlement type. The two reports differ only in their grain and key (a doctor is
    (party_id, legal_entity_id)) and threshold; the keys are registry uuids, varchar(36).
-#}
{% macro fraud_authorization_report(counts_relation, report_grain, key_columns, min_patients) -%}
{%- set group_columns = key_columns + ['settlement_type'] -%}
{%- set report_columns = {} -%}
{%- for column in key_columns -%}
    {%- do report_columns.update({column: 'varchar(36)'}) -%}
{%- endfor -%}
{%- do report_columns.update({
    'settlement_type': 'varchar(8)',
    'patients_qty': 'bigint',
    'offline_patients_qty': 'bigint',
    'ratio_offline_patients_qty': 'double precision',
}) -%}
with

patients_counted as (
    select
        {{ group_columns | join(',\n        ') }},
        patients_qty,
        offline_patients_qty
    from {{ counts_relation }}
    where report_grain = '{{ report_grain }}'
),

thresholded as (
    select
        {{ group_columns | join(',\n        ') }},
        patients_qty,
        offline_patients_qty,
        {{ fraud_unrounded_ratio('offline_patients_qty', 'patients_qty') }}
            as ratio_offline_patients_qty
    from patients_counted
    where patients_qty > {{ min_patients }}
),

flagged as (
    {{ fraud_report_flags(
        'thresholded',
        sort_desc=['ratio_offline_patients_qty'],
        key_columns=key_columns,
        partition_by=['settlement_type'],
    ) }}
),

scored as (
    {{ fraud_outlier_score(
        'flagged', 'ratio_offline_patients_qty', partition_by=['settlement_type']
    ) }}
),

final as (
    {{ fraud_report_columns(
        'scored',
        report_columns,
        key_columns=group_columns,
        row_id_prefix=report_grain | upper,
    ) }}
)

select * from final
{%- endmacro %}

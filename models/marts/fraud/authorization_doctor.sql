{#-
    Authorizations report by doctor (SPEC §7): one row per doctor and settlement type with
    more than `doctor_min_patients` patients, with the share of them who authenticate
    OFFLINE, ranked by that share within each settlement type.
-#}

{{ fraud_authorization_report(
    ref('int_authorization_patient_counts'),
    report_grain='doctor',
    key_columns=['party_id', 'legal_entity_id'],
    min_patients=var('doctor_min_patients'),
) }}

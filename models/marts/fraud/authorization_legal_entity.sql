{#-
    Authorizations report by legal entity (SPEC §7): one row per legal entity and
    settlement type with more than `legal_entity_min_patients` patients, with the share
    of them who authenticate OFFLINE, ranked by that share within each settlement type.
-#}

{{ fraud_authorization_report(
    ref('int_authorization_patient_counts'),
    report_grain='legal_entity',
    key_columns=['legal_entity_id'],
    min_patients=var('legal_entity_min_patients'),
) }}

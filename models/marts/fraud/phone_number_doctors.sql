{#-
    Links of the phone numbers report (SPEC §15 "Links"): per phone number of
    patients_phonenumber, the doctors (party, legal entity of the DOCTOR employee record
    on the declaration) holding active declarations of the number's active persons, with
    how many of those persons each holds.
-#}

{{ fraud_phone_number_links(['party_id', 'legal_entity_id']) }}

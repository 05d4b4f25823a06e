{#-
    Links of the phone numbers report (SPEC §15 "Links"): per phone number of
    patients_phonenumber, the legal entities whose doctors hold active declarations of
    the number's active persons, with how many of those persons each holds (a person
    with two doctors of the entity counts once).
-#}

{{ fraud_phone_number_links(['legal_entity_id']) }}

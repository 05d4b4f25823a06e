{#-
    The active declarations of qualifying doctors, each with whether its person
    authenticates OFFLINE. The patients of a doctor or legal entity are the distinct
    persons here; the person's own status is not checked (SPEC §7).
-#}

with

declarations as (
    select
        declaration_id,
        person_id,
        party_id,
        legal_entity_id,
        settlement_type
    from {{ ref('int_declarations_of_doctors') }}
    where is_active_declaration
),

offline_persons as (
    select person_id
    from {{ ref('int_persons_offline') }}
),

final as (
    select
        declarations.declaration_id,
        declarations.person_id,
        declarations.party_id,
        declarations.legal_entity_id,
        declarations.settlement_type,
        offline_persons.person_id is not null as is_offline_person
    from declarations
    left join offline_persons
        on declarations.person_id = offline_persons.person_id
)

select * from final

{#-
    The phone number -> doctors / legal entities links (SPEC §15 "Links"), written once
    for both marts: per phone number of the phone numbers report (every row, reported or
    not) and per `holder_columns` (the doctor's party_id and legal_entity_id, or the
    legal_entity_id), the distinct active persons carrying the number who hold an active
    declaration with that holder (int_declarations_active: the DOCTOR employee record on
    the declaration). Holders with none of the number's persons have no row.
-#}
{% macro fraud_phone_number_links(holder_columns) -%}
with

reported_numbers as (
    select
        phone_number,
        report_date
    from {{ ref('patients_phonenumber') }}
),

number_persons as (
    select
        phone_number,
        person_id
    from {{ ref('int_phone_numbers_of_active_persons') }}
),

declarations as (
    select
        person_id,
        {{ holder_columns | join(',\n        ') }}
    from {{ ref('int_declarations_active') }}
),

persons_held as (
    select
        reported_numbers.phone_number,
        {%- for column in holder_columns %}
        declarations.{{ column }},
        {%- endfor %}
        reported_numbers.report_date,
        count(distinct number_persons.person_id) as patients_qty
    from reported_numbers
    inner join number_persons
        on reported_numbers.phone_number = number_persons.phone_number
    inner join declarations
        on number_persons.person_id = declarations.person_id
    group by
        reported_numbers.phone_number,
        {%- for column in holder_columns %}
        declarations.{{ column }},
        {%- endfor %}
        reported_numbers.report_date
),

final as (
    select
        cast(phone_number as varchar(32)) as phone_number,
        {%- for column in holder_columns %}
        cast({{ column }} as varchar(36)) as {{ column }},
        {%- endfor %}
        cast(patients_qty as bigint) as patients_qty,
        report_date
    from persons_held
)

select * from final
{%- endmacro %}

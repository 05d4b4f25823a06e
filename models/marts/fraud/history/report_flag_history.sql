{#-
    The reported rows of the three fraud reports (SPEC §15 "History"), for every report
    date kept: a build inserts its date's `is_reported` rows, read from the report marts
    as built for that date (a `kpi backfill` builds them for a past date in scratch
    schemas); folder config in dbt_project.yml: incremental, delete+insert on
    report_date, full_refresh off. `report` is the API's name of the report; row_id is
    unique within it (authorizations carry their type in the id).
-#}

{%- set reports = [
    {
        'model': 'authorization_doctor', 'report': 'authorizations',
        'authorization_type': 'DOCTOR', 'value': 'ratio_offline_patients_qty',
        'keys': ['party_id', 'legal_entity_id', 'settlement_type'],
    },
    {
        'model': 'authorization_legal_entity', 'report': 'authorizations',
        'authorization_type': 'LEGAL_ENTITY', 'value': 'ratio_offline_patients_qty',
        'keys': ['legal_entity_id', 'settlement_type'],
    },
    {
        'model': 'patients_phonenumber', 'report': 'phone-numbers',
        'authorization_type': none, 'value': 'patients_qty', 'keys': ['phone_number'],
    },
    {
        'model': 'total_patients_doctor', 'report': 'doctors',
        'authorization_type': none, 'value': 'patient_increase_30d',
        'keys': ['party_id', 'legal_entity_id'],
    },
] -%}
{%- set key_types = {
    'party_id': 'varchar(36)',
    'legal_entity_id': 'varchar(36)',
    'settlement_type': 'varchar(8)',
    'phone_number': 'varchar(32)',
} %}

with

{% for item in reports %}
{{ item.model }} as (
    select
        cast('{{ item.report }}' as varchar(16)) as report,
        row_id,
        report_date,
        {%- if item.authorization_type %}
        cast('{{ item.authorization_type }}' as varchar(16)) as authorization_type,
        {%- else %}
        cast(null as varchar(16)) as authorization_type,
        {%- endif %}
        {%- for column, data_type in key_types.items() %}
        {%- if column in item['keys'] %}
        cast({{ column }} as {{ data_type }}) as {{ column }},
        {%- else %}
        cast(null as {{ data_type }}) as {{ column }},
        {%- endif %}
        {%- endfor %}
        report_rank,
        cast({{ item.value }} as double precision) as report_value,
        outlier_score,
        is_statistical_outlier
    from {{ ref(item.model) }}
    where is_reported
),

{% endfor %}
final as (
    {%- for item in reports %}
    select * from {{ item.model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final

with

source as (
    select * from {{ source('ehealth', 'division_addresses') }}
),

settlement_types as (
    select
        registry_settlement_type,
        settlement_type
    from {{ ref('settlement_types') }}
),

categorized as (
    select
        cast(source.division_id as varchar(36)) as division_id,
        source.type as address_type,
        source.settlement_type as registry_settlement_type,
        -- CITY stays CITY; TOWNSHIP, VILLAGE, SETTLEMENT, unknown and missing are OTHER
        cast(coalesce(settlement_types.settlement_type, 'OTHER') as varchar(8))
            as settlement_type
    from source
    left join settlement_types
        on source.settlement_type = settlement_types.registry_settlement_type
)

select * from categorized

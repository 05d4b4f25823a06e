{#-
    My Performance Hub's look back (SPEC §11): one row per clinician and day in
    (D − look_back_days, D] with a shift of theirs (a shift counts for its start date).
    The day's figures are those of the market group where they saw the most patients that
    day (ties: the lowest market_group_id): their patients seen and on-shift seconds
    (end − start, breaks included) there, beside that group's average per clinician with a
    shift in it that day (both job titles): Σ / distinct clinicians, 2 decimals.
-#}

with

shifts as (
    select
        provider_id,
        market_group_id,
        shift_date,
        shift_seconds,
        patients_seen
    from {{ ref('int_shifts_by_provider') }}
    where {{ is_in_day_window('shift_date', var('look_back_days')) }}
),

market_groups as (
    select
        market_group_id,
        name
    from {{ ref('market_groups') }}
),

clinician_days as (
    select
        provider_id,
        market_group_id,
        shift_date,
        sum(patients_seen) as patients_seen,
        sum(shift_seconds) as on_shift_seconds
    from shifts
    group by provider_id, market_group_id, shift_date
),

group_days as (
    select
        market_group_id,
        shift_date,
        count(*) as group_clinicians,
        {{ round_half_away(safe_ratio('sum(patients_seen)', 'count(*)'), 2) }}
            as group_average_patients_seen,
        {{ round_half_away(safe_ratio('sum(on_shift_seconds)', 'count(*)'), 2) }}
            as group_average_on_shift_seconds
    from clinician_days
    group by market_group_id, shift_date
),

busiest_group as (
    select
        provider_id,
        market_group_id,
        shift_date,
        patients_seen,
        on_shift_seconds,
        row_number() over (
            partition by provider_id, shift_date
            order by patients_seen desc, market_group_id asc
        ) as preference
    from clinician_days
),

final as (
    select
        busiest_group.provider_id,
        busiest_group.shift_date as service_date,
        busiest_group.market_group_id,
        market_groups.name as market_group_name,
        cast(busiest_group.patients_seen as bigint) as patients_seen,
        cast(busiest_group.on_shift_seconds as bigint) as on_shift_seconds,
        cast(group_days.group_clinicians as bigint) as group_clinicians,
        group_days.group_average_patients_seen,
        group_days.group_average_on_shift_seconds,
        {{ as_of_date() }} as as_of_date
    from busiest_group
    inner join group_days
        on
            busiest_group.market_group_id = group_days.market_group_id
            and busiest_group.shift_date = group_days.shift_date
    left join market_groups
        on busiest_group.market_group_id = market_groups.market_group_id
    where busiest_group.preference = 1
)

select * from final

{#-
    The build's settings the personal hub's API applies (SPEC §9, §11), published with
    the data they belong to so the API never reads a copy: one row.
-#}

with

final as (
    select
        {{ as_of_date() }} as as_of_date,
        cast({{ var('personal_min_visits') | int }} as integer) as personal_min_visits,
        cast({{ var('look_back_days') | int }} as integer) as look_back_days
)

select * from final

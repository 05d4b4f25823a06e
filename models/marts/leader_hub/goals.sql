{#-
    The goal in force as of D for every metric with a goal, job-title scope and market
    scope (SPEC §13). Among the seed rows with valid_from <= D that apply to the scope, a
    market-specific row beats an all-markets row, then a job-title row beats an
    empty job title, then the latest valid_from wins. A scope without any such row has
    no row here: the API reports its goal as NULL.

    Scopes: job_title APP or DHMT (a provider's own metrics and rankings), or ALL (market
    tiles and overall metrics, which use only the empty-job-title rows); market_id a
    market, or 0 for the all-markets scope (provider_metrics, across every market), which
    uses only the empty-market rows.
-#}

with

seed_goals as (
    select
        metric,
        job_title,
        market_id,
        direction,
        goal,
        valid_from
    from {{ ref('metric_goals') }}
    where valid_from <= {{ as_of_date() }}
),

job_title_scopes as (
    select cast('APP' as varchar(8)) as job_title
    union all
    select cast('DHMT' as varchar(8)) as job_title
    union all
    select cast('ALL' as varchar(8)) as job_title
),

market_scopes as (
    select market_id from {{ ref('markets') }}
    union all
    select cast(0 as bigint) as market_id
),

candidates as (
    select
        seed_goals.metric,
        job_title_scopes.job_title,
        market_scopes.market_id,
        seed_goals.direction,
        seed_goals.goal,
        seed_goals.valid_from,
        row_number() over (
            partition by seed_goals.metric, job_title_scopes.job_title, market_scopes.market_id
            order by
                case when seed_goals.market_id is null then 1 else 0 end,
                case when seed_goals.job_title is null then 1 else 0 end,
                seed_goals.valid_from desc
        ) as preference
    from seed_goals
    cross join job_title_scopes
    cross join market_scopes
    where
        (seed_goals.market_id is null or seed_goals.market_id = market_scopes.market_id)
        and (seed_goals.job_title is null or seed_goals.job_title = job_title_scopes.job_title)
),

final as (
    select
        metric,
        job_title,
        market_id,
        direction,
        goal,
        valid_from,
        {{ as_of_date() }} as as_of_date
    from candidates
    where preference = 1
)

select * from final

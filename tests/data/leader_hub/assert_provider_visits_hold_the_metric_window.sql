{#-
    provider_visits always holds the provider's last `visit_window` visits: per provider,
    its rows ranked within the window number exactly provider_metrics.visit_count (the
    visits the provider's metrics are computed over). Returns the providers that differ.
-#}

with

provider_metrics as (
    select
        provider_id,
        visit_count
    from {{ ref('provider_metrics') }}
),

provider_visits as (
    select
        provider_id,
        visit_rank
    from {{ ref('provider_visits') }}
    where visit_rank <= {{ var('visit_window') | int }}
),

window_visits as (
    select
        provider_id,
        count(*) as window_visit_rows
    from provider_visits
    group by provider_id
),

final as (
    select
        provider_metrics.provider_id,
        provider_metrics.visit_count,
        coalesce(window_visits.window_visit_rows, 0) as window_visit_rows
    from provider_metrics
    left join window_visits
        on provider_metrics.provider_id = window_visits.provider_id
    where provider_metrics.visit_count != coalesce(window_visits.window_visit_rows, 0)
)

select * from final

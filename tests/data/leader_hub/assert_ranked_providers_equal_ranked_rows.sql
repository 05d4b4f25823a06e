{#-
    For every (market, job title) and ranked metric: ranked_providers_<metric> on every
    row equals the number of rows whose metric is not NULL, those rows have ranks 1..k
    with no gap (dense), and rows whose metric is NULL have no rank.
    Returns the offending groups.
-#}

{%- set ranked_metrics = [
    ('on_scene_time', 'on_scene_time_median_seconds'),
    ('chart_closure_rate', 'chart_closure_rate'),
    ('survey_capture_rate', 'survey_capture_rate'),
    ('net_promoter_score', 'net_promoter_score_average'),
    ('on_task_percent', 'on_task_percent'),
] %}

with

market_provider_metrics as (
    select * from {{ ref('market_provider_metrics') }}
),

{% for rank_name, metric in ranked_metrics %}
{{ rank_name }}_groups as (
    select
        market_provider_metrics.market_id,
        market_provider_metrics.job_title,
        cast('{{ rank_name }}' as varchar(32)) as ranked_metric,
        count(market_provider_metrics.{{ metric }}) as non_null_rows,
        min(market_provider_metrics.ranked_providers_{{ rank_name }}) as min_ranked_providers,
        max(market_provider_metrics.ranked_providers_{{ rank_name }}) as max_ranked_providers,
        count(distinct market_provider_metrics.{{ metric }}) as distinct_values,
        max(market_provider_metrics.{{ rank_name }}_rank) as max_rank,
        sum(
            case
                when
                    market_provider_metrics.{{ metric }} is null
                    and market_provider_metrics.{{ rank_name }}_rank is not null
                    then 1
                when
                    market_provider_metrics.{{ metric }} is not null
                    and market_provider_metrics.{{ rank_name }}_rank is null
                    then 1
                else 0
            end
        ) as rank_null_mismatches
    from market_provider_metrics
    group by market_provider_metrics.market_id, market_provider_metrics.job_title
),

{% endfor %}

all_groups as (
    {% for rank_name, metric in ranked_metrics %}
    select
        market_id,
        job_title,
        ranked_metric,
        non_null_rows,
        min_ranked_providers,
        max_ranked_providers,
        distinct_values,
        max_rank,
        rank_null_mismatches
    from {{ rank_name }}_groups
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        market_id,
        job_title,
        ranked_metric,
        non_null_rows,
        min_ranked_providers,
        max_ranked_providers,
        distinct_values,
        max_rank,
        rank_null_mismatches
    from all_groups
    where
        min_ranked_providers != non_null_rows
        or max_ranked_providers != non_null_rows
        or coalesce(max_rank, 0) != distinct_values
        or rank_null_mismatches > 0
)

select * from final

"""Leader Hub SQL: one parameterized statement per endpoint, over precomputed mart columns.

The list statements are :func:`api.db.paged_query` (page, true total, snapshot and the
visibility predicate of ``api.policy`` in one statement); the one-row statements read
the snapshot themselves. Column lists are built from constants only.
"""

from __future__ import annotations

import re

from api.db import SNAPSHOT, paged_query
from api.goals import ALL_JOB_TITLES, ALL_MARKETS, with_goals
from api.leader_hub import uncertainty
from api.leader_hub.schemas import MarketMetricPoint, MarketProviderMetricPoint, ProviderMetricPoint
from api.params import RANKED_METRICS
from api.policy import PROVIDER_VISIBLE, SHIFT_VISIBLE

MAX_LIST_ROWS = 10_000  # unpaged lists (markets, breakdowns) stop here

PROVIDER_COLUMNS = (
    "providers.provider_id, providers.first_name, providers.last_name,"
    " providers.avatar_url, providers.job_title"
)

MARKETS_SQL = paged_query(
    """
    select markets.market_id, markets.name, markets.short_name, markets.market_group_id
    from leader_hub.markets as markets
    where markets.market_id = any(%(token_markets)s::bigint[])
""",
    order_by="name, market_id",
)

MARKET_SQL = f"""
with {SNAPSHOT}
select
    markets.market_id, markets.name, markets.short_name, markets.market_group_id,
    metrics.on_scene_time_median_seconds, metrics.on_scene_time_week_change_seconds,
    metrics.chart_closure_rate, metrics.chart_closure_rate_week_change,
    metrics.survey_capture_rate, metrics.survey_capture_rate_week_change,
    metrics.net_promoter_score_average, metrics.net_promoter_score_week_change,
    {uncertainty.select_list("metrics", uncertainty.LEADER_METRICS)},
    coalesce(metrics.as_of_date, snapshot.as_of_date) as as_of_date,
    snapshot.synced_at
from leader_hub.markets as markets
left join leader_hub.market_metrics as metrics on metrics.market_id = markets.market_id
left join snapshot on true
where markets.market_id = %(market_id)s
"""

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _metric_columns(metric: str, columns: dict[str, str]) -> tuple[str, str, str, str]:
    """(value, week change, rank, ranked count): the metric's market_provider_metrics columns,
    named by the dbt var `leader_hub_ranked_metrics` and the marts' rank naming scheme."""
    names = (
        columns["value"],
        columns["week_change"],
        f"{metric}_rank",
        f"ranked_providers_{metric}",
    )
    for name in names:  # they become SQL text: identifiers only
        if not _IDENTIFIER.match(name):
            raise ValueError(f"leader_hub_ranked_metrics: {name!r} is not a column name")
    return names


METRIC_COLUMNS = {metric: _metric_columns(metric, cols) for metric, cols in RANKED_METRICS.items()}

# Every pattern matches the first or the last name. A per-row scalar subquery, not an
# anti-join: as an anti-join the planner guessed it kept 1 % of the providers and read
# the whole providers table for a ranking page (2.7 ms instead of 0.15 ms, EXPLAIN ANALYZE
# in BENCHMARKS.md).
NAME_SEARCH = """coalesce((
            select bool_and(
                coalesce(providers.first_name, '') ilike search.pattern escape '\\'
                or coalesce(providers.last_name, '') ilike search.pattern escape '\\'
            )
            from unnest(%(patterns)s::text[]) as search (pattern)
        ), true)"""


MARKET_EXISTS = """exists (
    select 1 from leader_hub.markets as market where market.market_id = %(market_id)s
)"""


def _ranking_sql(metric: str, value: str, change: str, rank: str, ranked: str) -> str:
    return paged_query(
        f"""
    select
        {PROVIDER_COLUMNS},
        metrics.{value} as metric_value,
        metrics.{change} as metric_week_change,
        metrics.{rank} as metric_rank,
        metrics.{ranked} as metric_ranked_providers,
        {uncertainty.ranking_select_list(metric)}
    from leader_hub.market_provider_metrics as metrics
    inner join leader_hub.providers as providers on providers.provider_id = metrics.provider_id
    where metrics.market_id = %(market_id)s
        -- the ranks' own job title, on the (market_id, job_title) index
        and metrics.job_title = %(job_title)s
        and {NAME_SEARCH}
""",
        # "No data" rows (rank null) last; search never changes ranks or ranked counts
        order_by="metric_rank asc nulls last, last_name, first_name, provider_id",
        visible=MARKET_EXISTS,
    )


RANKING_SQL = {metric: _ranking_sql(metric, *columns) for metric, columns in METRIC_COLUMNS.items()}

MARKET_PROVIDER_SQL = f"""
with {SNAPSHOT}
select
    metrics.market_id, {PROVIDER_COLUMNS},
    {", ".join(f"metrics.{column}" for columns in METRIC_COLUMNS.values() for column in columns)},
    {uncertainty.select_list("metrics", uncertainty.LEADER_METRICS)},
    coalesce(metrics.as_of_date, snapshot.as_of_date) as as_of_date,
    snapshot.synced_at
from leader_hub.market_provider_metrics as metrics
inner join leader_hub.providers as providers on providers.provider_id = metrics.provider_id
left join snapshot on true
where metrics.market_id = %(market_id)s and metrics.provider_id = %(provider_id)s
"""

PROVIDER_SQL = f"""
with {SNAPSHOT}
select
    {PROVIDER_COLUMNS},
    metrics.on_scene_time_median_seconds, metrics.on_scene_time_week_change_seconds,
    metrics.chart_closure_rate, metrics.chart_closure_rate_week_change,
    metrics.survey_capture_rate, metrics.survey_capture_rate_week_change,
    metrics.net_promoter_score_average, metrics.net_promoter_score_week_change,
    metrics.on_task_percent, metrics.on_task_percent_week_change,
    metrics.escalation_rate, metrics.escalation_rate_week_change,
    metrics.abx_prescribing_rate, metrics.abx_prescribing_rate_week_change,
    {uncertainty.select_list("metrics", uncertainty.PROVIDER_METRICS)},
    coalesce(metrics.as_of_date, snapshot.as_of_date) as as_of_date,
    snapshot.synced_at
from leader_hub.providers as providers
left join leader_hub.provider_metrics as metrics on metrics.provider_id = providers.provider_id
left join snapshot on true
where providers.provider_id = %(provider_id)s
    and {PROVIDER_VISIBLE}
"""

PROVIDER_MARKETS_SQL = paged_query(
    f"""
    select markets.market_id, markets.name, markets.short_name, markets.market_group_id
    from leader_hub.markets_active_providers as active
    inner join leader_hub.markets as markets on markets.market_id = active.market_id
    where active.provider_id = %(provider_id)s
        and {PROVIDER_VISIBLE}
""",
    order_by="name, market_id",
    visible=PROVIDER_VISIBLE,
)

VISITS_SQL = paged_query(
    f"""
    select
        visits.care_request_id, visits.market_id, visits.service_date, visits.completed_at,
        visits.patient_first_name, visits.patient_last_name, visits.patient_athena_id,
        visits.chief_complaint, visits.diagnosis,
        visits.is_abx_prescribed, visits.abx_details,
        visits.is_escalated, visits.escalated_reason
    from leader_hub.provider_visits as visits
    where visits.provider_id = %(provider_id)s
        and {PROVIDER_VISIBLE}
        and (%(is_abx_prescribed)s::boolean is null
            or visits.is_abx_prescribed = %(is_abx_prescribed)s::boolean)
        and (%(is_escalated)s::boolean is null
            or visits.is_escalated = %(is_escalated)s::boolean)
        and not exists (
            select 1 from unnest(%(patterns)s::text[]) as search (pattern)
            where not (
                coalesce(visits.patient_first_name, '') ilike search.pattern escape '\\'
                or coalesce(visits.patient_last_name, '') ilike search.pattern escape '\\'
                or coalesce(visits.patient_athena_id, '') ilike search.pattern escape '\\'
            )
        )
""",
    # the order of SPEC §5's "last N visits"
    order_by="completed_at desc nulls last, care_request_id desc",
    visible=PROVIDER_VISIBLE,
)


def _shifts_sql(direction: str) -> str:
    return paged_query(
        f"""
    select
        shifts.shift_team_id, shifts.market_id, shifts.service_date,
        shifts.start_time, shifts.end_time, shifts.patients_seen,
        shifts.out_the_door_duration_seconds, shifts.en_route_duration_seconds,
        shifts.on_scene_duration_seconds, shifts.on_break_duration_seconds,
        shifts.idle_duration_seconds, shifts.is_break_skipped
    from leader_hub.provider_shifts as shifts
    where shifts.provider_id = %(provider_id)s
        and {PROVIDER_VISIBLE}
        -- last_days: shifts whose date is in (D - last_days, D], D = the published as_of_date
        and (%(last_days)s::integer is null
            or shifts.service_date > coalesce((select as_of_date from snapshot), current_date)
                - %(last_days)s::integer)
""",
        order_by=f"start_time {direction}, shift_team_id {direction}",
        visible=PROVIDER_VISIBLE,
    )


SHIFTS_SQL = {"asc": _shifts_sql("asc"), "desc": _shifts_sql("desc")}

BREAKDOWNS_SQL = paged_query(
    f"""
    select
        breakdowns.start_time, breakdowns.end_time, breakdowns.phase,
        breakdowns.latitude_e6, breakdowns.longitude_e6
    from leader_hub.provider_shift_breakdowns as breakdowns
    where breakdowns.shift_team_id = %(shift_team_id)s
        and {SHIFT_VISIBLE}
""",
    order_by="start_time, end_time",
    visible=SHIFT_VISIBLE,
)


# ------------------------------------------------------------------------------ history


def _history_sql(table: str, key: str, point: type, visible: str) -> str:
    """A metric history: one row per date D - step * %(step_days)s for step 0 to
    %(points)s - 1, D the published as_of_date, left-joined with ``table``'s row of the
    key (``key``: the SQL predicate on ``history``), so a date without a row is a row of
    nulls; oldest first. A :func:`paged_query` (the snapshot, the ``visible`` predicate for
    the 404s) whose page is every point (bind ``%(limit)s`` = points, ``%(offset)s`` = 0)."""
    columns = ", ".join(f"history.{name}" for name in point.__struct_fields__[1:])
    return paged_query(
        f"""
    select points.as_of_date, {columns}
    from (
        select (snapshot.as_of_date - steps.step * %(step_days)s::integer) as as_of_date
        from snapshot
        cross join generate_series(0, %(points)s::integer - 1) as steps (step)
    ) as points
    left join leader_hub.{table} as history
        on {key} and history.as_of_date = points.as_of_date
""",
        order_by="as_of_date",
        visible=visible,
    )


MARKET_HISTORY_SQL = _history_sql(
    "market_metric_history",
    "history.market_id = %(market_id)s",
    MarketMetricPoint,
    MARKET_EXISTS,
)
PROVIDER_HISTORY_SQL = _history_sql(
    "provider_metric_history",
    "history.provider_id = %(provider_id)s",
    ProviderMetricPoint,
    PROVIDER_VISIBLE,
)
# The base endpoint's 404: the provider is not active in the market (no metrics row there)
MARKET_PROVIDER_VISIBLE = """exists (
    select 1 from leader_hub.markets_active_providers as active
    where active.market_id = %(market_id)s and active.provider_id = %(provider_id)s
)"""
MARKET_PROVIDER_HISTORY_SQL = _history_sql(
    "market_provider_metric_history",
    "history.market_id = %(market_id)s and history.provider_id = %(provider_id)s",
    MarketProviderMetricPoint,
    MARKET_PROVIDER_VISIBLE,
)


# ------------------------------------------------------------------------------ goals
# The one-row and ranking statements with their scope's goals (SPEC §13, api.goals):
# market tiles and overall metrics the job-title-free goals, a market-provider row and a
# ranking those of the provider's job title in the market.
MARKET_GOALS_SQL = with_goals(MARKET_SQL, f"'{ALL_JOB_TITLES}'", "%(market_id)s")
PROVIDER_GOALS_SQL = with_goals(PROVIDER_SQL, f"'{ALL_JOB_TITLES}'", str(ALL_MARKETS))
MARKET_PROVIDER_GOALS_SQL = with_goals(
    MARKET_PROVIDER_SQL, f"coalesce(base.job_title, '{ALL_JOB_TITLES}')", "%(market_id)s"
)
RANKING_GOALS_SQL = {
    metric: with_goals(sql, "%(job_title)s", "%(market_id)s") for metric, sql in RANKING_SQL.items()
}

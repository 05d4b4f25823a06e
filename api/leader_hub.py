"""Leader Hub endpoints (/v1/leader-hub-metrics): markets, rankings, providers, visits, shifts.

Each handler: parameters (validated by their types) → policy (guards in api.auth, or its
SQL predicates) → one SQL query over precomputed mart columns → a typed response.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Router, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from api import cache
from api.auth import (
    PROVIDER_VISIBLE,
    SHIFT_VISIBLE,
    Principal,
    all_of,
    authenticated,
    leader_role_required,
    token_market_required,
)
from api.db import SNAPSHOT, Database, meta, page_items, paged_query
from api.errors import PROTECTED_RESPONSES, not_found
from api.params import (
    AbxFilter,
    EscalatedFilter,
    JobTitle,
    JobTitleParam,
    LastDays,
    MarketId,
    Metric,
    MetricParam,
    PageNumber,
    PerPage,
    ProviderId,
    ProviderSearch,
    ShiftTeamId,
    SortOrder,
    SortParam,
    VisitSearch,
    offset,
    search_patterns,
    single_query_values,
    strict_path_ids,
)
from api.responses import (
    LocalDateTime,
    OptionalLocalDateTime,
    Paged,
    Snapshot,
    from_row,
    paging,
)

MAX_LIST_ROWS = 10_000  # unpaged lists (markets, breakdowns) stop here

# --------------------------------------------------------------------------- responses


class Market(msgspec.Struct):
    market_id: int
    name: str | None
    short_name: str | None
    market_group_id: int | None


class MarketList(Snapshot, kw_only=True):
    items: list[Market]


class MarketMetrics(Snapshot, kw_only=True):
    """A market's metrics over its last `market_window` visits, with week changes."""

    market_id: int
    name: str | None
    short_name: str | None
    market_group_id: int | None
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None


class ProviderSummary(msgspec.Struct):
    provider_id: int
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    job_title: str | None


class ProviderRanking(msgspec.Struct):
    """One row of a market's ranking for the chosen metric ("rank 3 of 25")."""

    provider: ProviderSummary
    value: float | None
    """The metric (seconds for on_scene_time); null is "No data"."""
    week_change: float | None
    rank: int | None
    """Dense rank within (market, job title); null when the value is null."""
    ranked_providers: int | None
    """How many providers of this market and job title have a rank."""


class ProviderRankingPage(Paged, kw_only=True):
    metric: Metric
    job_title: JobTitle
    items: list[ProviderRanking]


class MarketProviderMetrics(Snapshot, kw_only=True):
    """A provider's metrics, week changes and ranks within one market."""

    market_id: int
    provider: ProviderSummary
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    on_scene_time_rank: int | None
    ranked_providers_on_scene_time: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    chart_closure_rate_rank: int | None
    ranked_providers_chart_closure_rate: int | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    survey_capture_rate_rank: int | None
    ranked_providers_survey_capture_rate: int | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None
    net_promoter_score_rank: int | None
    ranked_providers_net_promoter_score: int | None
    on_task_percent: float | None
    on_task_percent_week_change: float | None
    on_task_percent_rank: int | None
    ranked_providers_on_task_percent: int | None


class ProviderMetrics(Snapshot, kw_only=True):
    """A provider's overall metrics (last `visit_window` visits, all markets)."""

    provider: ProviderSummary
    on_scene_time_median_seconds: int | None
    on_scene_time_week_change_seconds: int | None
    chart_closure_rate: float | None
    chart_closure_rate_week_change: float | None
    survey_capture_rate: float | None
    survey_capture_rate_week_change: float | None
    net_promoter_score_average: float | None
    net_promoter_score_week_change: float | None
    on_task_percent: float | None
    on_task_percent_week_change: float | None
    escalation_rate: float | None
    escalation_rate_week_change: float | None
    abx_prescribing_rate: float | None
    abx_prescribing_rate_week_change: float | None


class ProviderVisit(msgspec.Struct):
    care_request_id: int
    market_id: int | None
    service_date: date | None
    completed_at: OptionalLocalDateTime
    patient_first_name: str | None
    patient_last_name: str | None
    patient_athena_id: str | None
    chief_complaint: str | None
    diagnosis: str | None
    is_abx_prescribed: bool | None
    abx_details: str | None
    is_escalated: bool | None
    escalated_reason: str | None


class ProviderVisitPage(Paged, kw_only=True):
    items: list[ProviderVisit]


class ProviderShift(msgspec.Struct):
    shift_team_id: int
    market_id: int | None
    service_date: date | None
    start_time: OptionalLocalDateTime
    end_time: OptionalLocalDateTime
    patients_seen: int | None
    out_the_door_duration_seconds: int | None
    en_route_duration_seconds: int | None
    on_scene_duration_seconds: int | None
    on_break_duration_seconds: int | None
    idle_duration_seconds: int | None
    is_break_skipped: bool | None


class ProviderShiftPage(Paged, kw_only=True):
    last_days: int | None
    sort: SortOrder
    items: list[ProviderShift]


class ShiftBreakdown(msgspec.Struct):
    start_time: LocalDateTime
    end_time: OptionalLocalDateTime
    phase: str | None
    latitude_e6: int | None
    longitude_e6: int | None


class ShiftBreakdownList(Snapshot, kw_only=True):
    shift_team_id: int
    items: list[ShiftBreakdown]


# ---------------------------------------------------------------------------- queries

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
    coalesce(metrics.as_of_date, snapshot.as_of_date) as as_of_date,
    snapshot.synced_at
from leader_hub.markets as markets
left join leader_hub.market_metrics as metrics on metrics.market_id = markets.market_id
left join snapshot on true
where markets.market_id = %(market_id)s
"""

# metric -> (value, week change, rank, ranked count) columns of market_provider_metrics
METRIC_COLUMNS: dict[str, tuple[str, str, str, str]] = {
    "on_scene_time": (
        "on_scene_time_median_seconds",
        "on_scene_time_week_change_seconds",
        "on_scene_time_rank",
        "ranked_providers_on_scene_time",
    ),
    "chart_closure_rate": (
        "chart_closure_rate",
        "chart_closure_rate_week_change",
        "chart_closure_rate_rank",
        "ranked_providers_chart_closure_rate",
    ),
    "survey_capture_rate": (
        "survey_capture_rate",
        "survey_capture_rate_week_change",
        "survey_capture_rate_rank",
        "ranked_providers_survey_capture_rate",
    ),
    "net_promoter_score": (
        "net_promoter_score_average",
        "net_promoter_score_week_change",
        "net_promoter_score_rank",
        "ranked_providers_net_promoter_score",
    ),
    "on_task_percent": (
        "on_task_percent",
        "on_task_percent_week_change",
        "on_task_percent_rank",
        "ranked_providers_on_task_percent",
    ),
}

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


def _ranking_sql(value: str, change: str, rank: str, ranked: str) -> str:
    return paged_query(
        f"""
    select
        {PROVIDER_COLUMNS},
        metrics.{value} as metric_value,
        metrics.{change} as metric_week_change,
        metrics.{rank} as metric_rank,
        metrics.{ranked} as metric_ranked_providers
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


RANKING_SQL = {metric: _ranking_sql(*columns) for metric, columns in METRIC_COLUMNS.items()}

MARKET_PROVIDER_SQL = f"""
with {SNAPSHOT}
select
    metrics.market_id, {PROVIDER_COLUMNS},
    {", ".join(f"metrics.{column}" for columns in METRIC_COLUMNS.values() for column in columns)},
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


def _visible_meta(rows: list[dict[str, Any]], what: str) -> dict[str, Any]:
    """The result's metadata; a 404 when the token may not see the object (SPEC §10)."""
    info = meta(rows)
    if not info["visible"]:
        raise not_found(f"{what} not found")
    return info


def _provider(row: dict[str, Any]) -> ProviderSummary:
    return from_row(ProviderSummary, row)


# --------------------------------------------------------------------------- handlers

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


@get("/markets", summary="The token's markets (market switcher)", **_docs)
async def list_markets(
    db: NamedDependency[Database], principal: NamedDependency[Principal]
) -> MarketList:
    """The markets in the token that exist in the published data, by name."""
    rows = await db.fetch(
        MARKETS_SQL,
        {"token_markets": principal.market_list, "limit": MAX_LIST_ROWS, "offset": 0},
    )
    info = meta(rows)
    return MarketList(
        items=[from_row(Market, row) for row in page_items(rows, "market_id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
    )


@get("/markets/{market_id:str}", summary="Market metrics", **_docs)
async def get_market(db: NamedDependency[Database], market_id: MarketId) -> MarketMetrics:
    """Market name and metrics with week changes (403 unless the market is in the token)."""
    rows = await db.fetch(MARKET_SQL, {"market_id": market_id})
    if not rows:
        raise not_found("market not found")
    return from_row(MarketMetrics, rows[0])


@get(
    "/markets/{market_id:str}/providers",
    summary="Provider ranking in a market",
    **_docs,
)
async def list_market_providers(
    db: NamedDependency[Database],
    market_id: MarketId,
    job_title: JobTitleParam,
    metric: MetricParam = "on_scene_time",
    search: ProviderSearch = None,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> ProviderRankingPage:
    """Providers of one job title active in the market, ranked by the chosen metric.

    Sorted by rank, then last name, first name, id; rows without data come last with a
    null rank. The search filters rows but never changes ranks or ranked counts.
    """
    rows = await db.fetch(
        RANKING_SQL[metric],
        {
            "market_id": market_id,
            "job_title": job_title,
            "patterns": search_patterns(search),
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    info = _visible_meta(rows, "market")
    items = [
        ProviderRanking(
            provider=_provider(row),
            value=row["metric_value"],
            week_change=row["metric_week_change"],
            rank=row["metric_rank"],
            ranked_providers=row["metric_ranked_providers"],
        )
        for row in page_items(rows, "provider_id")
    ]
    return ProviderRankingPage(
        metric=metric,
        job_title=job_title,
        items=items,
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


@get(
    "/markets/{market_id:str}/providers/{provider_id:str}",
    summary="A provider's metrics and ranks in a market",
    **_docs,
)
async def get_market_provider(
    db: NamedDependency[Database], market_id: MarketId, provider_id: ProviderId
) -> MarketProviderMetrics:
    """404 unless the provider is active in the market."""
    rows = await db.fetch(MARKET_PROVIDER_SQL, {"market_id": market_id, "provider_id": provider_id})
    if not rows:
        raise not_found("provider not found in this market")
    return from_row(MarketProviderMetrics, rows[0], provider=_provider(rows[0]))


@get("/providers/{provider_id:str}", summary="A provider and their overall metrics", **_docs)
async def get_provider(
    db: NamedDependency[Database], principal: NamedDependency[Principal], provider_id: ProviderId
) -> ProviderMetrics:
    """404 unless the provider is active in one of the token's markets."""
    rows = await db.fetch(
        PROVIDER_SQL, {"provider_id": provider_id, "token_markets": principal.market_list}
    )
    if not rows:
        raise not_found("provider not found")
    return from_row(ProviderMetrics, rows[0], provider=_provider(rows[0]))


@get("/providers/{provider_id:str}/markets", summary="All of a provider's markets", **_docs)
async def list_provider_markets(
    db: NamedDependency[Database], principal: NamedDependency[Principal], provider_id: ProviderId
) -> MarketList:
    """Every market the provider is active in, by name, also those outside the token."""
    rows = await db.fetch(
        PROVIDER_MARKETS_SQL,
        {
            "provider_id": provider_id,
            "token_markets": principal.market_list,
            "limit": MAX_LIST_ROWS,
            "offset": 0,
        },
    )
    info = _visible_meta(rows, "provider")
    return MarketList(
        items=[from_row(Market, row) for row in page_items(rows, "market_id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
    )


@get(
    "/providers/{provider_id:str}/provider-visits",
    summary="A provider's latest visits",
    **_docs,
)
async def list_provider_visits(
    db: NamedDependency[Database],
    principal: NamedDependency[Principal],
    provider_id: ProviderId,
    search: VisitSearch = None,
    is_abx_prescribed: AbxFilter = None,
    is_escalated: EscalatedFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> ProviderVisitPage:
    """Newest first (completed_at, then care request id, descending)."""
    rows = await db.fetch(
        VISITS_SQL,
        {
            "provider_id": provider_id,
            "token_markets": principal.market_list,
            "is_abx_prescribed": is_abx_prescribed,
            "is_escalated": is_escalated,
            "patterns": search_patterns(search),
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    info = _visible_meta(rows, "provider")
    return ProviderVisitPage(
        items=[from_row(ProviderVisit, row) for row in page_items(rows, "care_request_id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


@get(
    "/providers/{provider_id:str}/provider-shifts",
    summary="A provider's latest shifts",
    **_docs,
)
async def list_provider_shifts(
    db: NamedDependency[Database],
    principal: NamedDependency[Principal],
    provider_id: ProviderId,
    last_days: LastDays = None,
    sort: SortParam = "desc",
    page: PageNumber = 1,
    per_page: PerPage = 10,
) -> ProviderShiftPage:
    """Shifts by start time (newest first by default), optionally only the last N days."""
    rows = await db.fetch(
        SHIFTS_SQL[sort],
        {
            "provider_id": provider_id,
            "token_markets": principal.market_list,
            "last_days": last_days,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    info = _visible_meta(rows, "provider")
    return ProviderShiftPage(
        last_days=last_days,
        sort=sort,
        items=[from_row(ProviderShift, row) for row in page_items(rows, "shift_team_id")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
        **paging(page, per_page, info["total"]),
    )


@get(
    "/provider-shifts/{shift_team_id:str}/provider-shift-breakdowns",
    summary="All phases of a shift, in time order",
    **_docs,
)
async def list_shift_breakdowns(
    db: NamedDependency[Database], principal: NamedDependency[Principal], shift_team_id: ShiftTeamId
) -> ShiftBreakdownList:
    """404 unless one of the shift's providers is active in one of the token's markets."""
    rows = await db.fetch(
        BREAKDOWNS_SQL,
        {
            "shift_team_id": shift_team_id,
            "token_markets": principal.market_list,
            "limit": MAX_LIST_ROWS,
            "offset": 0,
        },
    )
    info = _visible_meta(rows, "shift")
    return ShiftBreakdownList(
        shift_team_id=shift_team_id,
        items=[from_row(ShiftBreakdown, row) for row in page_items(rows, "start_time")],
        as_of_date=info["as_of_date"],
        synced_at=info["synced_at"],
    )


router = Router(
    path="/v1/leader-hub-metrics",
    route_handlers=[
        list_markets,
        get_market,
        list_market_providers,
        get_market_provider,
        get_provider,
        list_provider_markets,
        list_provider_visits,
        list_provider_shifts,
        list_shift_breakdowns,
    ],
    guards=[
        all_of(
            authenticated,
            leader_role_required,
            strict_path_ids,
            token_market_required,
            single_query_values,
        )
    ],
    security=[{"bearer": []}],
    tags=["Leader Hub"],
    # per-snapshot response cache (after the guards), ETag/304, private, revalidate
    before_request=cache.before_request,
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
)

"""Leader Hub handlers (/v1/leader-hub-metrics): markets, rankings, providers, visits, shifts
(the metric histories are ``api.leader_hub.history``; this router serves them too).

Each handler: policy (the router's ``before_request`` hook, or the SQL predicates of
``api.policy``) → parameters (validated by their types, ``api.params``) → one statement
(``queries``) → a typed response (``schemas``), built from the rows' tuples. Every route
has a stable ``operation_id`` for generated clients.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader

from api import cache
from api.db import Rows, database_of
from api.errors import PROTECTED_RESPONSES, not_found
from api.goals import GOALS_COLUMN, goal_of, row_goals
from api.leader_hub import changes, history
from api.leader_hub.queries import (
    BREAKDOWNS_SQL,
    MARKET_GOALS_SQL,
    MARKET_PROVIDER_GOALS_SQL,
    MARKETS_SQL,
    MAX_LIST_ROWS,
    METRIC_COLUMNS,
    PROVIDER_GOALS_SQL,
    PROVIDER_MARKETS_SQL,
    RANKING_GOALS_SQL,
    SHIFTS_SQL,
    VISITS_SQL,
)
from api.leader_hub.schemas import (
    Market,
    MarketList,
    MarketMetrics,
    MarketProviderMetrics,
    ProviderMetrics,
    ProviderRanking,
    ProviderRankingPage,
    ProviderShift,
    ProviderShiftPage,
    ProviderSummary,
    ProviderVisit,
    ProviderVisitPage,
    ShiftBreakdown,
    ShiftBreakdownList,
)
from api.params import (
    AbxFilter,
    EscalatedFilter,
    JobTitleParam,
    LastDays,
    MarketId,
    MetricParam,
    PageNumber,
    PerPage,
    ProviderId,
    ProviderSearch,
    ShiftTeamId,
    SortParam,
    VisitSearch,
    offset,
    search_array,
)
from api.policy import LEADER_HUB_POLICY, checked_first, principal_of
from api.responses import S, envelope, from_row, items_of, page_rows, row_maker

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


# A ranking row's metric columns, in the order of ProviderRanking's fields after `provider`
RANKING_VALUES = (
    "metric_value",
    "metric_week_change",
    "metric_rank",
    "metric_ranked_providers",
    "metric_ci_low",
    "metric_ci_high",
    "metric_count",
    "metric_week_change_within_noise",
)


def _with_provider(cls: type[S], result: Rows, missing: str) -> S:
    """The one row of a provider's statement as ``cls`` with its provider nested; a 404
    saying ``missing`` when there is no row (absent, or not visible with this token)."""
    if not result.rows:
        raise not_found(missing)
    row = result.rows[0]
    provider = row_maker(ProviderSummary, result.names)(row)
    goals = row_goals(result.names, row, _value_columns(cls))
    return from_row(cls, result, row, provider=provider, goals=goals)


def _value_columns(cls: type[S]) -> list[str]:
    """The metric value columns of a metrics struct: those with a goal in SPEC §13."""
    return [name for name in cls.__struct_fields__ if name in GOAL_METRICS]


# Every value column a goal may name (SPEC §13)
GOAL_METRICS = frozenset(
    [columns[0] for columns in METRIC_COLUMNS.values()]
    + ["escalation_rate", "abx_prescribing_rate"]
)


def _rankings(result: Rows, metric: str) -> list[ProviderRanking]:
    """The page of a ranking statement: each row's provider nested, its metric columns
    as value, week change, rank and ranked count, and the metric's goal."""
    provider = row_maker(ProviderSummary, result.names)
    values = itemgetter(*(result.names.index(name) for name in RANKING_VALUES))
    goals = result.rows[0][result.names.index(GOALS_COLUMN)]
    value_column = METRIC_COLUMNS[metric][0]
    rows = []
    for row in page_rows(result, "provider_id"):
        ranking = ProviderRanking(provider(row), *values(row))
        goal = goal_of(goals, value_column, ranking.value)
        ranking.goal, ranking.meets_goal = goal.goal, goal.meets_goal
        rows.append(ranking)
    return rows


@get(
    "/markets", operation_id="listMarkets", summary="The token's markets (market switcher)", **_docs
)
async def list_markets(request: Request[Any, Any, Any]) -> MarketList:
    """The markets in the token that exist in the published data, by name."""
    result = await database_of(request).fetch_rows(
        MARKETS_SQL,
        {"token_markets": principal_of(request).markets_array, "limit": MAX_LIST_ROWS, "offset": 0},
    )
    return MarketList(**envelope(result), items=items_of(Market, result, "market_id"))


@get("/markets/{market_id:str}", operation_id="getMarket", summary="Market metrics", **_docs)
async def get_market(request: Request[Any, Any, Any], market_id: MarketId) -> MarketMetrics:
    """Market name and metrics with week changes (403 unless the market is in the token)."""
    result = await database_of(request).fetch_rows(MARKET_GOALS_SQL, {"market_id": market_id})
    if not result.rows:
        raise not_found("market not found")
    row = result.rows[0]
    goals = row_goals(result.names, row, _value_columns(MarketMetrics))
    return from_row(MarketMetrics, result, row, goals=goals)


@get(
    "/markets/{market_id:str}/providers",
    operation_id="listMarketProviders",
    summary="Provider ranking in a market",
    **_docs,
)
async def list_market_providers(
    request: Request[Any, Any, Any],
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
    result = await database_of(request).fetch_rows(
        RANKING_GOALS_SQL[metric],
        {
            "market_id": market_id,
            "job_title": job_title,
            "patterns": search_array(search),
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    return ProviderRankingPage(
        **envelope(result, page, per_page, hidden_as="market"),
        metric=metric,
        job_title=job_title,
        items=_rankings(result, metric),
    )


@get(
    "/markets/{market_id:str}/providers/{provider_id:str}",
    operation_id="getMarketProvider",
    summary="A provider's metrics and ranks in a market",
    **_docs,
)
async def get_market_provider(
    request: Request[Any, Any, Any], market_id: MarketId, provider_id: ProviderId
) -> MarketProviderMetrics:
    """404 unless the provider is active in the market."""
    result = await database_of(request).fetch_rows(
        MARKET_PROVIDER_GOALS_SQL, {"market_id": market_id, "provider_id": provider_id}
    )
    return _with_provider(MarketProviderMetrics, result, "provider not found in this market")


@get(
    "/providers/{provider_id:str}",
    operation_id="getProvider",
    summary="A provider and their overall metrics",
    **_docs,
)
async def get_provider(request: Request[Any, Any, Any], provider_id: ProviderId) -> ProviderMetrics:
    """404 unless the provider is active in one of the token's markets."""
    result = await database_of(request).fetch_rows(
        PROVIDER_GOALS_SQL,
        {"provider_id": provider_id, "token_markets": principal_of(request).markets_array},
    )
    return _with_provider(ProviderMetrics, result, "provider not found")


@get(
    "/providers/{provider_id:str}/markets",
    operation_id="listProviderMarkets",
    summary="All of a provider's markets",
    **_docs,
)
async def list_provider_markets(
    request: Request[Any, Any, Any], provider_id: ProviderId
) -> MarketList:
    """Every market the provider is active in, by name, also those outside the token."""
    result = await database_of(request).fetch_rows(
        PROVIDER_MARKETS_SQL,
        {
            "provider_id": provider_id,
            "token_markets": principal_of(request).markets_array,
            "limit": MAX_LIST_ROWS,
            "offset": 0,
        },
    )
    return MarketList(
        **envelope(result, hidden_as="provider"), items=items_of(Market, result, "market_id")
    )


@get(
    "/providers/{provider_id:str}/provider-visits",
    operation_id="listProviderVisits",
    summary="A provider's latest visits",
    **_docs,
)
async def list_provider_visits(
    request: Request[Any, Any, Any],
    provider_id: ProviderId,
    search: VisitSearch = None,
    is_abx_prescribed: AbxFilter = None,
    is_escalated: EscalatedFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> ProviderVisitPage:
    """Newest first (completed_at, then care request id, descending)."""
    result = await database_of(request).fetch_rows(
        VISITS_SQL,
        {
            "provider_id": provider_id,
            "token_markets": principal_of(request).markets_array,
            "is_abx_prescribed": is_abx_prescribed,
            "is_escalated": is_escalated,
            "patterns": search_array(search),
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    return ProviderVisitPage(
        **envelope(result, page, per_page, hidden_as="provider"),
        items=items_of(ProviderVisit, result, "care_request_id"),
    )


@get(
    "/providers/{provider_id:str}/provider-shifts",
    operation_id="listProviderShifts",
    summary="A provider's latest shifts",
    **_docs,
)
async def list_provider_shifts(
    request: Request[Any, Any, Any],
    provider_id: ProviderId,
    last_days: LastDays = None,
    sort: SortParam = "desc",
    page: PageNumber = 1,
    per_page: PerPage = 10,
) -> ProviderShiftPage:
    """Shifts by start time (newest first by default), optionally only the last N days."""
    result = await database_of(request).fetch_rows(
        SHIFTS_SQL[sort],
        {
            "provider_id": provider_id,
            "token_markets": principal_of(request).markets_array,
            "last_days": last_days,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    return ProviderShiftPage(
        **envelope(result, page, per_page, hidden_as="provider"),
        last_days=last_days,
        sort=sort,
        items=items_of(ProviderShift, result, "shift_team_id"),
    )


@get(
    "/provider-shifts/{shift_team_id:str}/provider-shift-breakdowns",
    operation_id="listShiftBreakdowns",
    summary="All phases of a shift, in time order",
    **_docs,
)
async def list_shift_breakdowns(
    request: Request[Any, Any, Any], shift_team_id: ShiftTeamId
) -> ShiftBreakdownList:
    """404 unless one of the shift's providers is active in one of the token's markets."""
    result = await database_of(request).fetch_rows(
        BREAKDOWNS_SQL,
        {
            "shift_team_id": shift_team_id,
            "token_markets": principal_of(request).markets_array,
            "limit": MAX_LIST_ROWS,
            "offset": 0,
        },
    )
    return ShiftBreakdownList(
        **envelope(result, hidden_as="shift"),
        shift_team_id=shift_team_id,
        items=items_of(ShiftBreakdown, result, "start_time"),
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
        *history.HANDLERS,
        *changes.HANDLERS,
    ],
    security=[{"bearer": []}],
    tags=["Leader Hub"],
    # the access policy, then the per-snapshot response cache (ETag/304, private, revalidate)
    before_request=checked_first(LEADER_HUB_POLICY, cache.before_request),
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
)

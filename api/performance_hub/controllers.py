"""My Performance Hub handlers (/v1/performance-hub): the clinician's own view, SPEC §11.

Who: the token's user id claim (``Principal.user_id``) is the provider id; no path names
a provider and the token's markets are not read. Policy (``api.policy.PERSONAL_POLICY``
in the router's hook, then each statement's ``_is_provider``): a valid token → /me
(200, ``provider`` null for a non-clinician); every other route needs a user id that is
a clinician of ``providers`` → else 403; a market or shift that is not theirs → 404.
Responses depend on who asks, so the response cache keys them on the user id
(``opt={"personal": True}``), and /me/visits is audited like the Leader Hub's visits.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.datastructures import CacheControlHeader

from api import cache
from api.db import Rows, database_of
from api.errors import PROTECTED_RESPONSES, forbidden, not_found
from api.leader_hub.queries import MAX_LIST_ROWS, METRIC_COLUMNS
from api.leader_hub.schemas import (
    Market,
    MarketList,
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
    LastDays,
    MarketId,
    MarketIdQuery,
    MetricParam,
    PageNumber,
    PerPage,
    ShiftTeamId,
    SortParam,
    VisitSearch,
    offset,
    search_array,
)
from api.performance_hub.queries import (
    LOOK_BACK_SQL,
    ME_SQL,
    MY_BREAKDOWNS_SQL,
    MY_MARKET_SQL,
    MY_MARKETS_SQL,
    MY_SHIFTS_SQL,
    MY_VISITS_SQL,
    OVERALL_METRICS,
    PEER_SQL,
)
from api.performance_hub.schemas import (
    LookBack,
    LookBackDay,
    LookBackShift,
    Me,
    MyMarketMetrics,
    Peer,
    PeerRankings,
)
from api.performance_hub.withholding import personal_metrics
from api.policy import LEADER_HUB_DEFAULT_ROLES, PERSONAL_POLICY, checked_first, principal_of
from api.responses import envelope, from_row, items_of, row_maker

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}
NOT_A_CLINICIAN = "My Performance Hub needs a token whose user id is a clinician (provider)"


def _user_id(request: Request[Any, Any, Any]) -> int:
    """The clinician the request is about: the token's user id (403 when it has none)."""
    user_id = principal_of(request).user_id
    if user_id is None:
        raise forbidden(NOT_A_CLINICIAN)
    return user_id


def _one_row(result: Rows, missing: str) -> tuple[Any, ...]:
    """The row of a one-row personal statement: 403 unless the user is a clinician, 404
    saying ``missing`` when their row is absent (a market that is not theirs)."""
    row = result.rows[0]
    if not row[result.names.index("_is_provider")]:
        raise forbidden(NOT_A_CLINICIAN)
    if row[result.names.index("market_id")] is None:
        raise not_found(missing)
    return row


def _own(result: Rows, missing: str) -> None:
    """A personal list statement (``own_rows``): ``_visible`` NULL → 403, false → 404."""
    visible = result.rows[0][1]
    if visible is None:
        raise forbidden(NOT_A_CLINICIAN)
    if not visible:
        raise not_found(missing)


@get("/me", operation_id="getMe", summary="Who I am, my default view, my overall metrics", **_docs)
async def get_me(request: Request[Any, Any, Any]) -> Me:
    """Every valid token: ``provider`` null when the user id is absent or no clinician."""
    principal = principal_of(request)
    result = await database_of(request).fetch_rows(ME_SQL, {"provider_id": principal.user_id})
    names, row = result.names, result.rows[0]
    is_provider = row[names.index("provider_id")] is not None
    metrics = (
        personal_metrics(names, row, [(v, c, None, None) for v, c in OVERALL_METRICS])
        if is_provider
        else []
    )
    leader_roles: frozenset[str] = request.app.state.leader_roles
    return from_row(
        Me,
        result,
        row,
        user_id=principal.user_id,
        market_role=principal.market_role,
        is_lead=principal.market_role in leader_roles,
        default_view="leader_hub"
        if principal.market_role in LEADER_HUB_DEFAULT_ROLES
        else "personal",
        provider=row_maker(ProviderSummary, names)(row) if is_provider else None,
        metrics=metrics,
    )


@get("/me/markets", operation_id="listMyMarkets", summary="My markets", **_docs)
async def list_my_markets(request: Request[Any, Any, Any]) -> MarketList:
    """The markets the clinician is active in (markets_active_providers), by name."""
    result = await database_of(request).fetch_rows(
        MY_MARKETS_SQL, {"provider_id": _user_id(request), "limit": MAX_LIST_ROWS, "offset": 0}
    )
    _own(result, "provider not found")
    return MarketList(**envelope(result), items=items_of(Market, result, "market_id"))


@get(
    "/me/markets/{market_id:str}",
    operation_id="getMyMarket",
    summary="My metrics, ranks and goals in one of my markets",
    **_docs,
)
async def get_my_market(request: Request[Any, Any, Any], market_id: MarketId) -> MyMarketMetrics:
    """404 when the market is not one of theirs."""
    result = await database_of(request).fetch_rows(
        MY_MARKET_SQL, {"provider_id": _user_id(request), "market_id": market_id}
    )
    row = _one_row(result, "market not found among your markets")
    names = result.names
    return from_row(
        MyMarketMetrics,
        result,
        row,
        provider=row_maker(ProviderSummary, names)(row),
        metrics=personal_metrics(names, row, METRIC_COLUMNS.values()),
    )


@get(
    "/me/peer-rankings",
    operation_id="getMyPeerRankings",
    summary="Where I stand among my job title in one of my markets",
    **_docs,
)
async def get_my_peer_rankings(
    request: Request[Any, Any, Any], market_id: MarketIdQuery, metric: MetricParam = "on_scene_time"
) -> PeerRankings:
    """Own value and rank; the marquee (at most 3 peers, no ids); the anonymous values."""
    result = await database_of(request).fetch_rows(
        PEER_SQL[metric], {"provider_id": _user_id(request), "market_id": market_id}
    )
    row = _one_row(result, "market not found among your markets")
    names = result.names
    columns = METRIC_COLUMNS[metric]
    aliased = [("metric_value", "metric_week_change", "metric_rank", "metric_ranked_providers")]
    (me,) = personal_metrics(names, row, aliased, goal_metric=columns[0])
    return from_row(
        PeerRankings,
        result,
        row,
        metric=metric,
        me=me,
        ranked_providers=row[names.index("metric_ranked_providers")] or 0,
        marquee=msgspec.convert(row[names.index("marquee")], list[Peer]),
    )


@get("/me/look-back", operation_id="getMyLookBack", summary="My last week, day by day", **_docs)
async def get_my_look_back(request: Request[Any, Any, Any]) -> LookBack:
    """Each day of (D − 7, D] with a shift, beside the group average; the latest day's shifts."""
    result = await database_of(request).fetch_rows(
        LOOK_BACK_SQL, {"provider_id": _user_id(request)}
    )
    row = result.rows[0]
    if not row[result.names.index("_is_provider")]:
        raise forbidden(NOT_A_CLINICIAN)
    at = result.names.index
    return from_row(
        LookBack,
        result,
        row,
        days=msgspec.convert(row[at("days")], list[LookBackDay]),
        latest_shifts=msgspec.convert(row[at("latest_shifts")], list[LookBackShift]),
    )


@get("/me/visits", operation_id="listMyVisits", summary="My latest visits", **_docs)
async def list_my_visits(
    request: Request[Any, Any, Any],
    search: VisitSearch = None,
    is_abx_prescribed: AbxFilter = None,
    is_escalated: EscalatedFilter = None,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> ProviderVisitPage:
    """Newest first, as the Leader Hub's provider visits; audited (patient data)."""
    result = await database_of(request).fetch_rows(
        MY_VISITS_SQL,
        {
            "provider_id": _user_id(request),
            "is_abx_prescribed": is_abx_prescribed,
            "is_escalated": is_escalated,
            "patterns": search_array(search),
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    _own(result, "provider not found")
    return ProviderVisitPage(
        **envelope(result, page, per_page), items=items_of(ProviderVisit, result, "care_request_id")
    )


@get("/me/shifts", operation_id="listMyShifts", summary="My latest shifts", **_docs)
async def list_my_shifts(
    request: Request[Any, Any, Any],
    last_days: LastDays = None,
    sort: SortParam = "desc",
    page: PageNumber = 1,
    per_page: PerPage = 10,
) -> ProviderShiftPage:
    """As the Leader Hub's provider shifts, for the clinician themselves."""
    result = await database_of(request).fetch_rows(
        MY_SHIFTS_SQL[sort],
        {
            "provider_id": _user_id(request),
            "last_days": last_days,
            "limit": per_page,
            "offset": offset(page, per_page),
        },
    )
    _own(result, "provider not found")
    return ProviderShiftPage(
        **envelope(result, page, per_page),
        last_days=last_days,
        sort=sort,
        items=items_of(ProviderShift, result, "shift_team_id"),
    )


@get(
    "/me/shifts/{shift_team_id:str}/breakdowns",
    operation_id="listMyShiftBreakdowns",
    summary="All phases of one of my shifts, in time order",
    **_docs,
)
async def list_my_shift_breakdowns(
    request: Request[Any, Any, Any], shift_team_id: ShiftTeamId
) -> ShiftBreakdownList:
    """404 unless the clinician was a member of the shift."""
    result = await database_of(request).fetch_rows(
        MY_BREAKDOWNS_SQL,
        {
            "provider_id": _user_id(request),
            "shift_team_id": shift_team_id,
            "limit": MAX_LIST_ROWS,
            "offset": 0,
        },
    )
    _own(result, "shift not found")
    return ShiftBreakdownList(
        **envelope(result),
        shift_team_id=shift_team_id,
        items=items_of(ShiftBreakdown, result, "start_time"),
    )


router = Router(
    path="/v1/performance-hub",
    route_handlers=[
        get_me,
        list_my_markets,
        get_my_market,
        get_my_peer_rankings,
        get_my_look_back,
        list_my_visits,
        list_my_shifts,
        list_my_shift_breakdowns,
    ],
    security=[{"bearer": []}],
    tags=["My Performance Hub"],
    # the response cache keys every route of this router on the token's user id
    opt={"personal": True},
    before_request=checked_first(PERSONAL_POLICY, cache.before_request),
    after_request=cache.after_request,
    cache_control=CacheControlHeader(private=True, no_cache=True),
)

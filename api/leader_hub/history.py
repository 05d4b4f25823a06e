"""Leader Hub metric histories (SPEC §12): a market's, a provider's and a market-provider's
metrics on past report dates, for the page's trend charts.

Next to their base endpoints and under the same policy (the router's hook: leader role,
the path market in the token; the SQL visibility predicates: the same 404s). Weekly
points are D, D - 7, ..., daily points D, D - 1, ..., D the published as_of_date, oldest
first; a date the history holds no row for is a point of nulls, never left out, so a
chart shows a gap where the data is missing rather than joining its neighbours.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from api.db import Rows, database_of
from api.errors import PROTECTED_RESPONSES, not_found
from api.leader_hub.queries import (
    MARKET_HISTORY_SQL,
    MARKET_PROVIDER_HISTORY_SQL,
    PROVIDER_HISTORY_SQL,
)
from api.leader_hub.schemas import (
    MarketMetricHistory,
    MarketMetricPoint,
    MarketProviderMetricHistory,
    MarketProviderMetricPoint,
    ProviderMetricHistory,
    ProviderMetricPoint,
)
from api.params import (
    DEFAULT_POINTS,
    INTERVAL_DAYS,
    HistoryInterval,
    HistoryPoints,
    IntervalParam,
    MarketId,
    ProviderId,
)
from api.policy import principal_of
from api.responses import envelope, items_of

_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


async def _history(
    request: Request[Any, Any, Any],
    sql: str,
    params: dict[str, Any],
    interval: HistoryInterval,
    points: int | None,
    missing: str,
) -> tuple[dict[str, Any], Rows]:
    """Run a history statement for ``interval``/``points``: the response's common fields
    (snapshot, interval, points) and the rows; a 404 saying ``missing`` when the
    statement's visibility predicate (the base endpoint's) is false."""
    count = points or DEFAULT_POINTS[interval]
    dates = {"step_days": INTERVAL_DAYS[interval], "points": count, "limit": count, "offset": 0}
    result = await database_of(request).fetch_rows(sql, {**params, **dates})
    if not result.rows[0][1]:  # paged_query's `_visible`
        raise not_found(missing)
    return {**envelope(result), "interval": interval, "points": count}, result


@get(
    "/markets/{market_id:str}/history",
    operation_id="getMarketHistory",
    summary="A market's metrics on past report dates (trend)",
    **_docs,
)
async def get_market_history(
    request: Request[Any, Any, Any],
    market_id: MarketId,
    interval: IntervalParam = "week",
    points: HistoryPoints = None,
) -> MarketMetricHistory:
    """403 unless the market is in the token; 404 when it is not in the published data."""
    fields, result = await _history(
        request, MARKET_HISTORY_SQL, {"market_id": market_id}, interval, points,
        "market not found",
    )  # fmt: skip
    items = items_of(MarketMetricPoint, result, "as_of_date")
    return MarketMetricHistory(**fields, market_id=market_id, items=items)


@get(
    "/providers/{provider_id:str}/history",
    operation_id="getProviderHistory",
    summary="A provider's overall metrics on past report dates (trend)",
    **_docs,
)
async def get_provider_history(
    request: Request[Any, Any, Any],
    provider_id: ProviderId,
    interval: IntervalParam = "week",
    points: HistoryPoints = None,
) -> ProviderMetricHistory:
    """404 unless the provider is active in one of the token's markets."""
    visible_with = {
        "provider_id": provider_id,
        "token_markets": principal_of(request).markets_array,
    }
    fields, result = await _history(
        request, PROVIDER_HISTORY_SQL, visible_with, interval, points, "provider not found"
    )
    items = items_of(ProviderMetricPoint, result, "as_of_date")
    return ProviderMetricHistory(**fields, provider_id=provider_id, items=items)


@get(
    "/markets/{market_id:str}/providers/{provider_id:str}/history",
    operation_id="getMarketProviderHistory",
    summary="A provider's metrics and ranks in a market on past report dates (trend)",
    **_docs,
)
async def get_market_provider_history(
    request: Request[Any, Any, Any],
    market_id: MarketId,
    provider_id: ProviderId,
    interval: IntervalParam = "week",
    points: HistoryPoints = None,
) -> MarketProviderMetricHistory:
    """403 unless the market is in the token; 404 unless the provider is active in it."""
    ids = {"market_id": market_id, "provider_id": provider_id}
    fields, result = await _history(
        request, MARKET_PROVIDER_HISTORY_SQL, ids, interval, points,
        "provider not found in this market",
    )  # fmt: skip
    items = items_of(MarketProviderMetricPoint, result, "as_of_date")
    return MarketProviderMetricHistory(**fields, **ids, items=items)


HANDLERS = [get_market_history, get_provider_history, get_market_provider_history]

"""Why a metric moved (SPEC §12 "Drill-down"): the visits that entered and left a market's
or a market-provider's last-N window between D − change_days and D, newest first, with a
summary of both groups (their counts, and the metric over each).

``/markets/{m}/changes`` is market-scoped (the router's policy: ``m`` in the token);
``/markets/{m}/providers/{p}/changes`` also provider-scoped (404 unless ``p`` is active in
``m``, so in a token market). The rows concern patients (no names, no Athena ids): both
operations are in ``api.audit.PHI_OPERATIONS``, so every response is audited, also one
served from the cache. The rows are the marts ``market_visit_changes`` and
``market_provider_visit_changes``; only the summary's aggregates are computed here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get
from litestar.params import QueryParameter

from api.db import Rows, database_of, paged_query
from api.errors import PROTECTED_RESPONSES, not_found
from api.leader_hub.queries import MARKET_EXISTS, MARKET_PROVIDER_VISIBLE
from api.params import MarketId, PageNumber, PerPage, ProviderId, choices, offset
from api.policy import PROVIDER_VISIBLE, principal_of
from api.responses import OptionalLocalDateTime, Paged, envelope, items_of

ChangeMetric = Literal[
    "on_scene_time", "chart_closure_rate", "survey_capture_rate", "net_promoter_score"
]
ChangeMetricParam = Annotated[
    ChangeMetric, QueryParameter(description="The metric whose change to explain.")
]
# The 400's words for `metric` here: the visit metrics only (not the ranking's shift one)
_FIELD_RULES = {"field_rules": {"metric": f"must be {choices(ChangeMetric)}"}}

# The metric over a group of visits (`direction = %s`), rounded like the mart's metric
# (numeric round: half away from zero, SPEC §6).
_GROUP_VALUE = {
    "on_scene_time": "round((percentile_cont(0.5) within group (order by on_scene_seconds)"
    " filter (where direction = '{d}'))::numeric)",
    "chart_closure_rate": "round(avg(case when is_chart_closed_within_24h then 1 else 0 end)"
    " filter (where direction = '{d}'), 4)",
    "survey_capture_rate": "round(avg(case when has_survey then 1 else 0 end)"
    " filter (where direction = '{d}'), 4)",
    "net_promoter_score": "round(10 * avg(nps_answer) filter (where direction = '{d}'), 2)",
}
# Per provider, the job-title rule (SPEC §6): these metrics exist for one title only
_ONLY_FOR_JOB_TITLE = {"chart_closure_rate": "APP", "survey_capture_rate": "DHMT"}

_ITEM_COLUMNS = """changes.care_request_id,
        coalesce(string_to_array(nullif(changes.provider_ids, ''), ',')::bigint[], '{}')
            as provider_ids,
        changes.service_date, changes.completed_at, changes.direction,
        changes.on_scene_seconds, changes.is_chart_closed_within_24h, changes.has_survey,
        changes.nps_answer"""


def _changes_sql(table: str, key: str, visible: str, metric: str, job_title: str) -> str:
    """A changes page of ``table`` for the rows matching ``key``, each carrying the
    summary of every matching row and ``job_title`` (paged_query's ``summary``)."""
    values = ",\n            ".join(
        f"{_GROUP_VALUE[metric].format(d=direction)} as {direction}_value"
        for direction in ("entered", "left")
    )
    return paged_query(
        f"""
    select {_ITEM_COLUMNS}
    from leader_hub.{table} as changes
    where {key}
""",
        order_by="completed_at desc nulls last, care_request_id desc",
        visible=visible,
        summary=f"""
        select
            count(*) filter (where direction = 'entered') as entered_count,
            count(*) filter (where direction = 'left') as left_count,
            {values},
            {job_title} as job_title
        from leader_hub.{table} as changes
        where {key}""",
    )


MARKET_CHANGES_SQL = {
    metric: _changes_sql(
        "market_visit_changes",
        "changes.market_id = %(market_id)s",
        MARKET_EXISTS,
        metric,
        "null::text",
    )
    for metric in _GROUP_VALUE
}
MARKET_PROVIDER_CHANGES_SQL = {
    metric: _changes_sql(
        "market_provider_visit_changes",
        "changes.market_id = %(market_id)s and changes.provider_id = %(provider_id)s",
        f"{PROVIDER_VISIBLE} and {MARKET_PROVIDER_VISIBLE}",
        metric,
        "(select job_title from leader_hub.providers where provider_id = %(provider_id)s)",
    )
    for metric in _GROUP_VALUE
}


class VisitChange(msgspec.Struct):
    """A visit that entered or left the window, with the values the metrics read."""

    care_request_id: int
    provider_ids: list[int]
    """The clinicians of the visit's shift team."""
    service_date: date | None
    completed_at: OptionalLocalDateTime
    direction: Literal["entered", "left"]
    on_scene_seconds: int | None
    is_chart_closed_within_24h: bool | None
    has_survey: bool | None
    nps_answer: int | None


class ChangeSummary(msgspec.Struct):
    entered_count: int
    left_count: int
    entered_value: float | None
    """The metric over the visits that entered (null when none or not applicable)."""
    left_value: float | None
    """The metric over the visits that left."""


class VisitChangePage(Paged, kw_only=True):
    """The visits behind a week change: those that entered the window as of D and those
    that left it since D − change_days, newest first."""

    market_id: int
    provider_id: int | None = None
    metric: ChangeMetric
    summary: ChangeSummary
    items: list[VisitChange]


_docs: dict[str, Any] = {"responses": PROTECTED_RESPONSES}


def _summary(result: Rows, metric: str) -> ChangeSummary:
    """The summary columns of the page's first row; per provider, the job-title rule
    (SPEC §6) nulls the values of a metric of the other title."""
    row = dict(zip(result.names, result.rows[0], strict=True))
    title = _ONLY_FOR_JOB_TITLE.get(metric)
    applies = row["job_title"] is None or title is None or row["job_title"] == title
    value = {d: row[f"{d}_value"] if applies else None for d in ("entered", "left")}
    return ChangeSummary(
        entered_count=row["entered_count"] or 0,
        left_count=row["left_count"] or 0,
        entered_value=None if value["entered"] is None else float(value["entered"]),
        left_value=None if value["left"] is None else float(value["left"]),
    )


async def _page(
    request: Request[Any, Any, Any], sql: str, params: dict[str, Any], missing: str
) -> VisitChangePage:
    """Run a changes statement: the page, or a 404 saying ``missing`` when its visibility
    predicate is false."""
    page, per_page = params["page"], params["limit"]
    result = await database_of(request).fetch_rows(
        sql, {**params, "offset": offset(page, per_page)}
    )
    if not result.rows[0][1]:  # paged_query's `_visible`
        raise not_found(missing)
    return VisitChangePage(
        **envelope(result, page, per_page),
        market_id=params["market_id"],
        provider_id=params.get("provider_id"),
        metric=params["metric"],
        summary=_summary(result, params["metric"]),
        items=items_of(VisitChange, result, "care_request_id"),
    )


@get(
    "/markets/{market_id:str}/changes",
    operation_id="listMarketChanges",
    summary="Why a market metric moved: the visits that entered and left its window",
    opt=_FIELD_RULES,
    **_docs,
)
async def list_market_changes(
    request: Request[Any, Any, Any],
    market_id: MarketId,
    metric: ChangeMetricParam,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> VisitChangePage:
    """403 unless the market is in the token; 404 when it is not in the published data."""
    params = {"market_id": market_id, "metric": metric, "page": page, "limit": per_page}
    return await _page(request, MARKET_CHANGES_SQL[metric], params, "market not found")


@get(
    "/markets/{market_id:str}/providers/{provider_id:str}/changes",
    operation_id="listMarketProviderChanges",
    summary="Why a provider's metric in a market moved: the visits that entered and left",
    opt=_FIELD_RULES,
    **_docs,
)
async def list_market_provider_changes(
    request: Request[Any, Any, Any],
    market_id: MarketId,
    provider_id: ProviderId,
    metric: ChangeMetricParam,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> VisitChangePage:
    """403 unless the market is in the token; 404 unless the provider is active in it.
    A metric of the other job title (chart closure for a DHMT) has null summary values."""
    params = {
        "market_id": market_id,
        "provider_id": provider_id,
        "token_markets": principal_of(request).markets_array,
        "metric": metric,
        "page": page,
        "limit": per_page,
    }
    return await _page(
        request, MARKET_PROVIDER_CHANGES_SQL[metric], params, "provider not found in this market"
    )


HANDLERS = [list_market_changes, list_market_provider_changes]

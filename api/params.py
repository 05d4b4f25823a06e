"""Request parameters shared by the controllers: their types, limits, and 400 messages.

Litestar validates the types and ranges declared here and documents them in OpenAPI,
both from the same constants (:func:`bounds`); ``describe_invalid`` turns a failure into
a message that names the field and its rule, without echoing the value. Limits that are
facts of the data (the shift window, the ranked metrics) are dbt vars, read from
dbt_project.yml (``kpi.project``) rather than copied here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from litestar.params import PathParameter, QueryParameter

from kpi.project import dbt_var

BIGINT_MAX = 9_223_372_036_854_775_807
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100
MAX_SEARCH_LENGTH = 200
MAX_ROW_ID_LENGTH = 300  # a fraud report row's id (SPEC §15): its key columns joined by ':'
# provider_shifts holds no older rows, so a longer window is a client error.
SHIFT_HISTORY_DAYS: int = dbt_var("shift_history_days")
MAX_QUANTITY = 1_000_000_000
# A metric history's points: a year of daily points at the most (SPEC §12).
MAX_HISTORY_POINTS = 366

# The Leader Hub's ranked metrics, in order: metric -> its value and week-change columns
# (dbt var `leader_hub_ranked_metrics`, the one list the marts, this API and the page follow).
RANKED_METRICS: dict[str, dict[str, str]] = dbt_var("leader_hub_ranked_metrics")

Metric = Literal[tuple(RANKED_METRICS)]  # type: ignore[valid-type]
JobTitle = Literal["APP", "DHMT"]
SortOrder = Literal["asc", "desc"]
AuthorizationType = Literal["DOCTOR", "LEGAL_ENTITY"]
SettlementType = Literal["CITY", "OTHER"]
HistoryInterval = Literal["week", "day"]
# An interval's step between points, and its number of points when `points` is not given
INTERVAL_DAYS: dict[str, int] = {"week": 7, "day": 1}
DEFAULT_POINTS: dict[str, int] = {"week": 26, "day": 30}


def bounds(low: int, high: int) -> dict[str, Any]:
    """``ge``/``le`` for the validator, and the same bounds for the OpenAPI schema.

    Litestar writes a bound as a float (2^63 - 1 becomes 9.223372036854776e18, which
    admits 2^63) and leaves out a bound of 0; ``schema_extra`` states both as the exact
    integers the validator enforces.
    """
    return {"ge": low, "le": high, "schema_extra": {"minimum": low, "maximum": high}}


# A search the server accepts: no NUL byte (PostgreSQL text cannot hold one).
NO_NUL_PATTERN = "^[^\x00]*$"

# Query parameters with a closed set of values
MetricParam = Annotated[Metric, QueryParameter(description="The ranking metric.")]
JobTitleParam = Annotated[
    JobTitle, QueryParameter(description="Ranks are per job title, so it is required.")
]
SortParam = Annotated[SortOrder, QueryParameter(description="By start time.")]
AbxFilter = Annotated[
    bool | None, QueryParameter(description="Only visits with (true) or without antibiotics.")
]
EscalatedFilter = Annotated[
    bool | None, QueryParameter(description="Only escalated (true) or non-escalated visits.")
]
AuthorizationTypeParam = Annotated[
    AuthorizationType, QueryParameter(description="Report on doctors or on legal entities.")
]
IntervalParam = Annotated[
    HistoryInterval,
    QueryParameter(
        description="Weekly points (D, D - 7, ...) or daily points (D, D - 1, ...), where D is "
        "the published as_of_date."
    ),
]
SettlementTypeParam = Annotated[
    SettlementType,
    QueryParameter(description="Settlement type of the division's residence address."),
]


def _id(description: str) -> PathParameter:
    return PathParameter(**bounds(1, BIGINT_MAX), description=f"{description} (1 to 2^63 - 1).")


MarketId = Annotated[int, _id("Market id")]
ProviderId = Annotated[int, _id("Provider id")]
ShiftTeamId = Annotated[int, _id("Shift team id")]
MarketIdQuery = Annotated[
    int, QueryParameter(**bounds(1, BIGINT_MAX), description="Market id (1 to 2^63 - 1).")
]

PageNumber = Annotated[
    int, QueryParameter(**bounds(1, MAX_PAGE), description="1-based page number.")
]
PerPage = Annotated[
    int,
    QueryParameter(**bounds(1, MAX_PER_PAGE), description=f"Rows per page, 1 to {MAX_PER_PAGE}."),
]

LastDays = Annotated[
    int | None,
    QueryParameter(
        **bounds(1, SHIFT_HISTORY_DAYS),
        description="Only shifts whose date is in the last N days up to the as-of date.",
    ),
]

HistoryPoints = Annotated[
    int | None,
    QueryParameter(
        **bounds(1, MAX_HISTORY_POINTS),
        description=f"How many points, 1 to {MAX_HISTORY_POINTS}; by default "
        + " or ".join(f"{n} ({interval})" for interval, n in DEFAULT_POINTS.items())
        + ".",
    ),
]

PROVIDER_SEARCH_DOC = (
    "Provider name filter, case-insensitive. Every whitespace- or comma-separated word must "
    "occur in the first or last name, so 'ann smi', 'Smith Ann' and 'Smith, Ann' all match "
    f"Ann Smith. `%` and `_` are literal. At most {MAX_SEARCH_LENGTH} characters."
)
VISIT_SEARCH_DOC = (
    "Patient filter, case-insensitive: every word must occur in the patient's first name, "
    f"last name or athena id. `%` and `_` are literal. At most {MAX_SEARCH_LENGTH} characters."
)


def _search(description: str) -> QueryParameter:
    # The length is validated by Litestar, the NUL byte by search_patterns: both documented.
    return QueryParameter(
        max_length=MAX_SEARCH_LENGTH,
        description=description,
        schema_extra={"pattern": NO_NUL_PATTERN},
    )


ProviderSearch = Annotated[str | None, _search(PROVIDER_SEARCH_DOC)]
VisitSearch = Annotated[str | None, _search(VISIT_SEARCH_DOC)]


def _minimum(description: str, kind: type = int) -> Any:
    return Annotated[
        kind | None, QueryParameter(**bounds(0, MAX_QUANTITY), description=description)
    ]


MinPatientsQty = _minimum("Only doctors with at least this many patients.")
MinPatientIncrease = _minimum(
    "Only doctors whose patient_increase_30d is at least this (rows where it is null are "
    "excluded).",
    float,
)
MinPatientIncreaseZero = _minimum(
    "Only doctors whose patient_increase_30d_0 is at least this (rows where it is null are "
    "excluded)."
)


def choices(literal: object) -> str:
    """A Literal's values as a 400 message's words: "a or b", "one of a, b, c"."""
    values = [str(v) for v in get_args(literal)]
    return " or ".join(values) if len(values) == 2 else "one of " + ", ".join(values)


_ID_RULE = f"must be a whole number from 1 to {BIGINT_MAX}"
FIELD_RULES: dict[str, str] = {
    "market_id": _ID_RULE,
    "provider_id": _ID_RULE,
    "shift_team_id": _ID_RULE,
    "page": f"must be a whole number from 1 to {MAX_PAGE}",
    "per_page": f"must be a whole number from 1 to {MAX_PER_PAGE}",
    "search": f"must be at most {MAX_SEARCH_LENGTH} characters, without NUL bytes",
    "metric": f"must be {choices(Metric)}",
    "job_title": f"must be {choices(JobTitle)}",
    "sort": f"must be {choices(SortOrder)}",
    "last_days": f"must be a whole number from 1 to {SHIFT_HISTORY_DAYS}",
    "is_abx_prescribed": "must be true or false",
    "is_escalated": "must be true or false",
    "type": f"must be {choices(AuthorizationType)}",
    "settlement_type": f"must be {choices(SettlementType)}",
    "interval": f"must be {choices(HistoryInterval)}",
    "points": f"must be a whole number from 1 to {MAX_HISTORY_POINTS}",
    "min_patients_qty": f"must be a whole number from 0 to {MAX_QUANTITY}",
    "min_patient_increase_30d": f"must be a number from 0 to {MAX_QUANTITY}",
    "min_patient_increase_30d_0": f"must be a whole number from 0 to {MAX_QUANTITY}",
    "format": "must be json or csv",
    "include_reviewed": "must be true or false",
    "row_id": f"must be at most {MAX_ROW_ID_LENGTH} characters",
    "idempotency-key": "must be at most 200 characters",
    "body": "must be a JSON object with verdict and an optional note, and nothing else",
    "verdict": "must be one of under_review, false_positive, referred, recovered",
    "note": "must be text of at most 2000 characters, without NUL bytes, or null",
}


def describe_invalid(
    field: str, *, missing: bool = False, rules: Mapping[str, str] | None = None
) -> str:
    """The 400 message for a parameter: its rule, never its value. ``rules``: a route's
    own rules (``opt["field_rules"]``), where its field of a shared name takes fewer
    values than :data:`FIELD_RULES` says."""
    rules = {**FIELD_RULES, **(rules or {})}
    rule = rules.get(field, "is invalid")
    if missing:
        return f"{field} is required and {rule}" if field in rules else f"{field} is required"
    return f"{field} {rule}"


# ---------------------------------------------------------------------------- path ids


def parse_id(raw: object) -> int | None:
    """A path id: 1 to 19 ASCII digits with a value from 1 to 2^63 - 1, else None."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
        return value if 1 <= value <= BIGINT_MAX else None
    return None


# ------------------------------------------------------------------------------ search

_TOKEN_SPLIT = re.compile(r"[\s,]+")


def search_patterns(search: str | None) -> list[str]:
    """ILIKE patterns, one per word of ``search``; ``%``, ``_`` and ``\\`` match literally.

    The caller's SQL requires every pattern to match one of the searched columns. An empty
    or blank search yields no patterns (no filter).
    """
    from api.errors import bad_request

    if search is None:
        return []
    if "\x00" in search or len(search) > MAX_SEARCH_LENGTH:
        raise bad_request("search", describe_invalid("search"))
    patterns = []
    for token in _TOKEN_SPLIT.split(search.strip()):
        if token:
            escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            patterns.append(f"%{escaped}%")
    return patterns


def search_array(search: str | None) -> str:
    """:func:`search_patterns` as the ``%(patterns)s::text[]`` parameter: a PostgreSQL array
    literal (each pattern double-quoted, ``\\`` and ``"`` backslash-escaped). A string is
    cheaper for psycopg to send than a list it adapts afresh on every request."""
    quoted = (
        '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for pattern in search_patterns(search)
    )
    return "{" + ",".join(quoted) + "}"


# ------------------------------------------------------------------------------ paging


def offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def total_pages(total: int, per_page: int) -> int:
    return -(-total // per_page)

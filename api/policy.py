"""Who may read what: the access policy of SPEC §10, in one module.

| request                                 | requirement                                 | else |
|-----------------------------------------|---------------------------------------------|------|
| every /v1 endpoint                      | a valid bearer JWT (`authenticated`)        | 401  |
| Leader Hub (/v1/leader-hub-metrics/...) | `market_role` in the leader roles           | 403  |
|   market-scoped (/markets/{market_id})  | `market_id` in the token's `markets`        | 403  |
|   provider-scoped (provider, visits,    | the provider is active in a token market    | 404  |
|   shifts, provider markets)             | (markets_active_providers); then all of its |      |
|                                         | markets are visible                         |      |
|   shift breakdowns                      | one of the shift's providers is visible     | 404  |
| My Performance Hub (/v1/performance-hub) | no role, no markets: the token's user id    |      |
|   /me                                   | any valid token (provider null if none)     | 200  |
|   every other personal route            | the user id is a clinician of `providers`   | 403  |
|   /me/markets/{market_id}, peer rankings| the market is one of theirs                 | 404  |
|   /me/shifts/{shift_team_id}/breakdowns | they were a member of the shift             | 404  |
| Fraud reports (/v1/fraud-reports/...)   | "fraud_analyst" in the token's `roles`      | 403  |
| /metrics (operators; not in OpenAPI)    | `Bearer <KPI_METRICS_TOKEN>`, exactly; the  | 401  |
|                                         | route exists only when that is set          | 404  |

The first three rows are checks combined per product into one policy
(:data:`LEADER_HUB_POLICY`, :data:`FRAUD_REPORTS_POLICY`), which also fail closed on input
the policy depends on: a path id that is not plain digits, a query parameter given twice.
Each router runs its policy first in its ``before_request`` hook (:func:`checked_first`),
before the response cache and before Litestar parses the parameters.
The provider rows need the database, so they are SQL predicates (``PROVIDER_VISIBLE``,
``SHIFT_VISIBLE``) that each endpoint puts in its single query, with the token's markets
as the ``%(token_markets)s`` parameter; a provider outside the token's markets is
indistinguishable from one that does not exist.

Order of checks: 401 (token) → 403 (role) → 400 (path ids) → 403 (market) → 400 (query
parameters) → 404 (visibility, in the query). What makes a token valid is ``api.tokens``.
The /metrics row is ``api.metrics.metrics_route`` (a constant-time compare, no JWT).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from api.errors import ApiError, bad_request, forbidden
from api.metrics import count_auth_failure
from api.params import describe_invalid, parse_id
from api.tokens import Principal, TokenVerifier

FRAUD_ANALYST_ROLE = "fraud_analyst"

Check = Callable[[ASGIConnection], None]
Hook = Callable[[Request[Any, Any, Any]], Awaitable[Any]]


def all_of(*checks: Check) -> Check:
    """One policy running ``checks`` in order (the first to raise decides)."""

    def combined(connection: ASGIConnection) -> None:
        for check in checks:
            check(connection)

    combined.__name__ = "_and_".join(c.__name__ for c in checks)
    return combined


def checked_first(policy: Check, then: Hook) -> Hook:
    """A router's ``before_request`` hook: ``policy``, then ``then`` (the response cache).

    Not Litestar guards: Litestar copies the route handler object for every guard call
    (~6 % of a light request's CPU, py-spy/cProfile in BENCHMARKS.md). The hook runs at
    the same point of the request (after routing, before the parameters are parsed), so
    the order of checks above and the error bodies are the same.
    """

    async def before_request(request: Request[Any, Any, Any]) -> Any:
        policy(request)
        return await then(request)

    before_request.__name__ = f"{policy.__name__}_then_{then.__name__}"
    return before_request


def principal_of(connection: ASGIConnection) -> Principal:
    """The bearer that ``authenticated`` verified for this request."""
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):  # a route without `authenticated`: a bug
        raise RuntimeError("no verified principal on this connection")
    return principal


# ----------------------------------------------------------------- the table, row by row


def authenticated(connection: ASGIConnection) -> None:
    """Every /v1 endpoint: a valid bearer token, else 401."""
    verifier: TokenVerifier = connection.app.state.token_verifier
    try:
        connection.scope["user"] = verifier.principal_from_header(_authorization(connection))
    except ApiError as error:  # /metrics counts the 401s by reason
        count_auth_failure(error)
        raise


def _authorization(connection: ASGIConnection) -> str | None:
    """The first ``Authorization`` header, as ``connection.headers.get`` reads it, from the
    raw ASGI headers (building Litestar's ``Headers`` was ~2 % of a light request)."""
    for name, value in connection.scope["headers"]:
        if name.lower() == b"authorization":
            return value.decode("latin-1")
    return None


def leader_role_required(connection: ASGIConnection) -> None:
    """Leader Hub endpoints: the token's market_role is a leader role, else 403."""
    principal = principal_of(connection)
    leader_roles: frozenset[str] = connection.app.state.leader_roles
    if principal.market_role not in leader_roles:
        raise forbidden("the Leader Hub needs a leader market role (e.g. Lead APP, RDO)")


def token_market_required(connection: ASGIConnection) -> None:
    """Market-scoped endpoints (a ``market_id`` in the path): the path's market is in the
    token's markets, else 403. Run for every Leader Hub route, so a new market-scoped
    route cannot forget it; a route without ``market_id`` passes.

    Fails closed: a market_id that is not plain digits is a 400 here, so the id checked is
    the id the handler reads.
    """
    if "market_id" not in connection.path_params:
        return
    market_id = parse_id(connection.path_params.get("market_id"))
    if market_id is None:
        raise bad_request("market_id", describe_invalid("market_id"))
    if market_id not in principal_of(connection).markets:
        raise forbidden(f"market {market_id} is not in the token's markets")


# Provider-scoped endpoints: bind `%(provider_id)s` and `%(token_markets)s`. A predicate on
# the same statement as the data, so visibility and data come from one snapshot.
PROVIDER_VISIBLE = """exists (
    select 1
    from leader_hub.markets_active_providers as visibility
    where visibility.provider_id = %(provider_id)s
        and visibility.market_id = any(%(token_markets)s::bigint[])
)"""

# Shift breakdowns: bind `%(shift_team_id)s` and `%(token_markets)s`.
SHIFT_VISIBLE = """exists (
    select 1
    from leader_hub.provider_shifts as visible_shift
    inner join leader_hub.markets_active_providers as visibility
        on visibility.provider_id = visible_shift.provider_id
    where visible_shift.shift_team_id = %(shift_team_id)s
        and visibility.market_id = any(%(token_markets)s::bigint[])
)"""


def fraud_analyst_required(connection: ASGIConnection) -> None:
    """Fraud report endpoints: 'fraud_analyst' in the token's roles, else 403."""
    if FRAUD_ANALYST_ROLE not in principal_of(connection).roles:
        raise forbidden(f"fraud reports need the '{FRAUD_ANALYST_ROLE}' role")


# ------------------------------------------------------- input the policy depends on


def strict_path_ids(connection: ASGIConnection) -> None:
    """Every ``*_id`` path parameter is plain digits ("1e3", "+1", " 1" are 400s).

    Litestar's own conversion is lenient; this keeps one meaning for an id everywhere.
    """
    for name, raw in connection.path_params.items():
        if name.endswith("_id") and parse_id(raw) is None:
            raise bad_request(name, describe_invalid(name))


def single_query_values(connection: ASGIConnection) -> None:
    """A query parameter given twice is a 400 (Litestar would keep the last value,
    so ``?x=<out of range>&x=5`` passed validation; found by schemathesis)."""
    params = connection.query_params
    for name in params:
        if len(params.getall(name)) > 1:
            raise bad_request(name, f"{name} is given more than once")


# ------------------------------------------------------------ each product's policy

LEADER_HUB_POLICY = all_of(
    authenticated,
    leader_role_required,
    strict_path_ids,
    token_market_required,
    single_query_values,
)
# The personal hub (SPEC §11): who is asking is the token's user id, so no role and no
# market is required here; "the user id is a clinician" needs the database and is the
# statements' `_is_provider` (api.performance_hub.queries). A malformed user id claim is
# a 401 of `authenticated` (api.tokens.user_id_of).
PERSONAL_POLICY = all_of(authenticated, strict_path_ids, single_query_values)
# Market roles whose page opens on the Leader Hub; the leads start on their own hub.
LEADER_HUB_DEFAULT_ROLES = frozenset({"RDO", "RMD", "Area Manager", "Market Manager"})
FRAUD_REPORTS_POLICY = all_of(authenticated, fraud_analyst_required, single_query_values)

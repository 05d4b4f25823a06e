"""The app-database pool and the one-statement-per-request query helpers.

Every request runs exactly one SQL statement on an autocommit, read-only connection: a
single statement sees one snapshot, and the sync publishes each build atomically, so a
response never mixes two builds. The statement also reads the latest successful sync
(``SNAPSHOT``) for the ``as_of_date``/``synced_at`` every response carries.

The pool reconnects by itself: a dead connection is replaced on checkout (``check``),
and while the database is down requests fail fast with a 503.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, TypeVar

import psycopg
from litestar.connection import ASGIConnection
from psycopg import errors
from psycopg.rows import dict_row, tuple_row
from psycopg.types.numeric import FloatLoader
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.errors import unavailable

logger = logging.getLogger("kpi.api")
T = TypeVar("T")

STATEMENT_TIMEOUT_MS = 10_000

# The published snapshot: the latest successful sync run.
SNAPSHOT = """snapshot as (
    select sync_runs.run_id, sync_runs.as_of_date, sync_runs.finished_at as synced_at
    from kpi_sync.sync_runs as sync_runs
    where sync_runs.outcome = 'success' and sync_runs.finished_at is not null
    order by sync_runs.finished_at desc, sync_runs.run_id desc
    limit 1
)"""

_ORDER_BY = re.compile(r"^[a-z_][a-z0-9_., ]*$")


def paged_query(
    filtered: str, order_by: str, visible: str = "true", summary: str | None = None
) -> str:
    """One statement: the page of ``filtered`` rows in ``order_by`` order, plus metadata.

    Every result has at least one row whose first four columns are ``_total`` (the true
    count of filtered rows, also past the last page), ``_visible`` (the ``visible``
    predicate, for provider-scoped 404s), ``_as_of_date`` and ``_synced_at``; the page's
    columns follow, NULL on that row when the page is empty. Binds ``%(limit)s`` and
    ``%(offset)s``. ``summary``: a one-row SELECT over every filtered row (its own
    FROM), whose columns follow the metadata, also on the row of an empty page.
    """
    if not _ORDER_BY.match(order_by):  # built from constants only; keep it that way
        raise ValueError(f"unexpected order by clause: {order_by!r}")
    return f"""
with {SNAPSHOT},
filtered as not materialized (
{filtered}
),
counted as (
    select count(*) as total from filtered
)
select
    counted.total as _total,
    {visible} as _visible,
    snapshot.as_of_date as _as_of_date,
    snapshot.synced_at as _synced_at,{" summary.*," if summary else ""}
    page.*
from counted
left join snapshot on true{f"{chr(10)}left join ({summary}) as summary on true" if summary else ""}
left join lateral (
    select * from filtered
    order by {order_by}
    limit %(limit)s offset %(offset)s
) as page on true
"""


class Rows(NamedTuple):
    """A statement's rows as tuples, and its column names in their order.

    What the handlers read: tuples are what psycopg builds fastest (in C), and a response
    struct is built from a row by position (``api.responses``), with no dict per row.
    """

    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class _ConnectionLost(Exception):
    """A statement failed because its connection died (server restart, idle kill)."""


class Database:
    """An ``AsyncConnectionPool`` over the app database, opened with the app."""

    def __init__(self, conninfo: str, *, max_size: int, timeout: float) -> None:
        self.pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=timeout,
            name="kpi-api",
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "application_name": "kpi-api",
                "connect_timeout": max(1, int(timeout)),
            },
            configure=_configure,
            # No check on checkout (a round trip per request, ~5 % of a request's CPU): a
            # connection that died in the pool is found by its first statement, and
            # fetch() runs the read-only statement again on another connection.
            reconnect_timeout=60,
        )

    async def open(self) -> None:
        # Do not wait: the API starts (and /health answers) while the database is down.
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def _run(self, query: str, params: dict[str, Any], tuples: bool) -> Any:
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row) if tuples else conn.cursor()
            try:
                try:
                    await cursor.execute(query, params)  # type: ignore[arg-type]
                except errors.FeatureNotSupported:
                    # "cached plan must not change result type": a sync migrated a table
                    # under one of this connection's prepared statements. Forget them
                    # (psycopg clears its cache on DEALLOCATE ALL) and run it afresh.
                    await conn.execute("deallocate all")
                    await cursor.execute(query, params)  # type: ignore[arg-type]
                rows = await cursor.fetchall()
                return Rows(_names(query, cursor), rows) if tuples else rows
            except psycopg.OperationalError:
                if conn.broken:  # the pool drops it when it comes back
                    raise _ConnectionLost from None
                raise

    async def fetch(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one statement and return its rows as dicts; database trouble becomes a 503."""
        rows: list[dict[str, Any]] = await self._fetch(query, params, tuples=False)
        return rows

    async def fetch_rows(self, query: str, params: dict[str, Any]) -> Rows:
        """Run one statement and return its :class:`Rows`; database trouble becomes a 503."""
        rows: Rows = await self._fetch(query, params, tuples=True)
        return rows

    async def _fetch(self, query: str, params: dict[str, Any], tuples: bool) -> Any:
        try:
            # After a server restart every pooled connection is dead: each fails at once,
            # so trying them all costs little; then the pool connects afresh.
            for _ in range(self.pool.max_size):
                try:
                    return await self._run(query, params, tuples)
                except _ConnectionLost:
                    continue
            return await self._run(query, params, tuples)
        except DATABASE_TROUBLE as exc:
            raise unavailable_for(exc) from None

    async def transact(
        self,
        work: Callable[[psycopg.AsyncConnection[Any], dict[str, Any]], Awaitable[T]],
        params: dict[str, Any],
    ) -> T:
        """``work(connection, params)`` on a pooled connection (dict rows, autocommit: the
        work opens its own transaction); database trouble becomes a 503. Not retried:
        the work may write."""
        try:
            async with self.pool.connection() as conn:
                return await work(conn, params)
        except DATABASE_TROUBLE as exc:
            raise unavailable_for(exc) from None


DATABASE_TROUBLE = (_ConnectionLost, PoolTimeout, psycopg.OperationalError, errors.UndefinedTable)
DATABASE_TROUBLE += (errors.InvalidSchemaName, errors.UndefinedColumn, errors.QueryCanceled)


def unavailable_for(exc: BaseException) -> Exception:
    """The 503 for a failure of :data:`DATABASE_TROUBLE`, its reason logged (never its text:
    psycopg messages can quote parameter values)."""
    if isinstance(exc, _ConnectionLost):
        _log_unavailable("connection lost")
    elif isinstance(exc, PoolTimeout):
        _log_unavailable("no connection within the pool timeout")
    elif isinstance(exc, errors.UndefinedTable | errors.InvalidSchemaName):
        _log_unavailable(f"{type(exc).__name__} (has `kpi sync` run?)")
        return unavailable("no data has been published yet: run `kpi sync`")
    elif isinstance(exc, errors.UndefinedColumn):
        _log_unavailable(f"{type(exc).__name__}: the app tables do not match this API")
        return unavailable("the app database does not match this API version")
    elif isinstance(exc, errors.QueryCanceled):
        _log_unavailable("statement timeout")
        return unavailable("the app database did not answer in time")
    else:
        _log_unavailable(type(exc).__name__)
    return unavailable("the app database is unavailable; try again shortly")


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    # numeric columns (rates, percents, scores) as JSON numbers, not strings
    conn.adapters.register_loader("numeric", FloatLoader)
    await conn.execute(
        "select set_config('default_transaction_read_only', 'on', false),"
        " set_config('statement_timeout', %s, false)",
        [str(STATEMENT_TIMEOUT_MS)],
    )


def database_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Database:
    """The app's :class:`Database` (``app.state.db``), for the /v1 handlers.

    Read from the request rather than injected as a Litestar dependency: resolving
    providers costs a signature-model parse and a call each per request (~5 % of a light
    request's CPU, BENCHMARKS.md).
    """
    db: Database = connection.app.state.db
    return db


# statement -> its result's column names
_names_of: dict[str, tuple[str, ...]] = {}


def _names(query: str, cursor: psycopg.AsyncCursor[Any]) -> tuple[str, ...]:
    """The result's column names, read once per statement: the API's statements name every
    column they return (``page.*`` is their own CTE's list), so the names are a function
    of the SQL text; reading them from the result was ~5 % of a light request's CPU."""
    result = cursor.pgresult
    if result is None:
        return ()
    names = _names_of.get(query)
    if names is None or len(names) != result.nfields:
        names = tuple((result.fname(i) or b"").decode() for i in range(result.nfields))
        if len(_names_of) > 1_000:  # the API has a few dozen statements; stay bounded
            _names_of.clear()
        _names_of[query] = names
    return names


def _log_unavailable(reason: str) -> None:
    # Reasons only: psycopg messages can quote parameter values.
    logger.warning("app database unavailable: %s", reason)

"""PHI access audit (SPEC §14): every response carrying patient data appends a row to
``kpi_audit.phi_access`` — written in batches, off the request path, none lost on a
graceful stop.

Which responses: the routes in :data:`PHI_OPERATIONS` (by operation id; a test checks
that every response type with ``care_request_id`` items is listed). The hooks live in
``api.cache`` (the /v1 routers' ``before_request``/``after_request``): a computed 200 is
audited with the items it returns; a cache hit (200 or 304) with the ids stored beside the
cached body, so a cached response is audited like any other. A new route opts in by
adding its operation id to :data:`PHI_OPERATIONS`; its response must have ``items`` whose
elements carry ``care_request_id`` (and ``patient_athena_id`` when it has one).

On the request path, :meth:`AuditLog.add_items` / :meth:`AuditLog.add` only append a
tuple (the clock, the request id, the principal, the route template, the raw provider
id, the ids) to a list: no formatting and no I/O. The ids are read off the items there
(~5 µs for a page of 30): holding the response items until the flush instead kept
~15,000 objects a second alive for the cyclic GC to scan, measured at 4 % of the loop's
time. A task flushes the list every :data:`FLUSH_SECONDS` (or at :data:`BATCH_ROWS`
rows): it turns the batch into COPY text on the event loop, :data:`SLICE_ROWS` rows at a
time, and sends it with one
``COPY … FROM STDIN`` on a connection of its own (the read pool is read-only). A failed
flush keeps the rows and retries. On shutdown (SIGTERM: uvicorn's lifespan shutdown) the
task is stopped and everything left is written before the process exits; only a
``kill -9`` can lose the rows of the last second.

What this costs was measured (BENCHMARKS.md, issue 18): the GIN indexes the audit table
first had cost the database ~250 µs per row and psycopg's per-value adaptation of the
arrays ~100 µs; the table now has b-tree and BRIN indexes only and the COPY text is built
with ``str.join`` (~20 µs per row in all).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg

logger = logging.getLogger("kpi.api.audit")

PHI_OPERATIONS = frozenset(
    {"listProviderVisits", "listMyVisits", "listMarketChanges", "listMarketProviderChanges"}
)
FLUSH_SECONDS = 1.0
BATCH_ROWS = 500
SLICE_ROWS = 32
SHUTDOWN_ATTEMPTS = 5

COLUMNS = (
    "accessed_at, request_id, subject, user_id, market_role, route, provider_id,"
    " care_request_ids, patient_athena_ids"
)
COPY_SQL = f"copy kpi_audit.phi_access ({COLUMNS}) from stdin"

# No audit table (COPY names a missing schema as such) or no INSERT grant.
SETUP_ERRORS = (
    psycopg.errors.UndefinedTable,
    psycopg.errors.InvalidSchemaName,
    psycopg.errors.InsufficientPrivilege,
)

AuditIds = tuple[tuple[int, ...], tuple[str, ...]]
# (time.time(), request id, principal, route template, raw provider id, ids): what the
# request path keeps.
Captured = tuple[float, str, Any, str, Any, AuditIds]

NULL = "\\N"
# COPY text format: backslash, tab, newline and carriage return are escaped; NUL cannot be
# stored in PostgreSQL text at all (it would fail the whole batch): U+FFFD instead.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"}
)


def is_phi_route(request: Any) -> bool:
    return request.route_handler.operation_id in PHI_OPERATIONS


def ids_of(items: Iterable[Any]) -> AuditIds:
    """The care_request_ids and patient Athena ids of a response's items."""
    care_requests: list[int] = []
    patients: list[str] = []
    for item in items:
        care_requests.append(item.care_request_id)
        athena = getattr(item, "patient_athena_id", None)
        if athena:
            patients.append(athena)
    return tuple(care_requests), tuple(dict.fromkeys(patients))


class AuditLog:
    """The audit rows of one API process, on their way to the app database."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.pending: list[Captured] = []
        self.written = 0
        self.dropped = 0
        self.enabled = True  # off only in bench/ops.py's baseline
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None

    def add(self, request: Any, ids: AuditIds) -> None:
        """One access by ``request`` to the rows ``ids`` (call after authorization)."""
        if self.enabled:
            self._capture(request, ids)

    def add_items(self, request: Any, items: Sequence[Any]) -> AuditIds:
        """One access by ``request`` to the response ``items``; returns their ids."""
        if not isinstance(items, list | tuple):
            raise TypeError("an audited response's items must be a list")
        try:
            ids = ids_of(items)
        except AttributeError:  # a route listed without care_request_id items
            logger.error("audit: the ids of a %s response cannot be read", _route(request))
            ids = ((), ())
        if self.enabled:
            self._capture(request, ids)
        return ids

    def _capture(self, request: Any, ids: AuditIds) -> None:
        scope = request.scope
        principal = scope.get("user")
        path_id = scope.get("path_params", {}).get("provider_id")
        if request.route_handler.opt.get("personal"):  # /v1/performance-hub: their own rows
            path_id = getattr(principal, "user_id", None)
        self.pending.append(
            (
                time.time(),
                scope.get("state", {}).get("request_id", ""),
                principal,
                _route(request),
                path_id,
                ids,
            )
        )
        if len(self.pending) >= BATCH_ROWS:
            self._wake.set()

    async def start(self) -> None:
        self._wake = asyncio.Event()  # of this event loop (a test may start the app twice)
        self._task = asyncio.create_task(self._run(), name="kpi-audit-flusher")

    async def stop(self) -> None:
        """Stop the flusher and write everything left (retrying a few times)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for attempt in range(SHUTDOWN_ATTEMPTS):
            if await self.flush() or not self.pending:
                break
            await asyncio.sleep(0.5 * (attempt + 1))
        if self.pending:
            logger.error("audit rows not written at shutdown: %d", len(self.pending))
        await self._close()

    async def _close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        self._conn = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FLUSH_SECONDS)
            self._wake.clear()
            await self.flush()

    async def flush(self) -> bool:
        """Write the pending rows in one transaction; False (rows kept) on failure."""
        if not self.pending:
            return True
        batch, self.pending = self.pending, []
        try:
            text = await copy_text(batch)
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=False, application_name="kpi-api-audit"
                )
            async with self._conn.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
                await copy.write(text)
            await self._conn.commit()
        except SETUP_ERRORS as exc:
            # No audit table (no `kpi sync` since this version) or no INSERT grant: a
            # setup error retrying cannot fix. Counted and logged loudly, not kept forever.
            self.dropped += len(batch)
            logger.error("audit rows NOT written (%s): run `kpi sync`", type(exc).__name__)
            await self._close()
            return True
        except psycopg.Error as exc:
            self.pending[:0] = batch  # keep them, in order, for the next attempt
            logger.warning("audit flush failed (%s); %d rows kept", type(exc).__name__, len(batch))
            await self._close()
            return False
        self.written += len(batch)
        return True


async def copy_text(batch: list[Captured]) -> str:
    """The rows of ``batch`` in COPY's text format (one line each, columns as COLUMNS),
    built on the event loop :data:`SLICE_ROWS` rows at a time with a yield between
    slices: no request waits for more than one slice (~1 ms). (A worker thread took the
    GIL from the loop in 5 ms turns: measured, a flush of 400 rows then delayed the
    requests that overlapped it by 10–50 ms.)"""
    lines: list[str] = []
    for start in range(0, len(batch), SLICE_ROWS):
        lines.extend([_line(row) for row in batch[start : start + SLICE_ROWS]])
        await asyncio.sleep(0)
    return "".join(lines)


def _route(request: Any) -> str:
    return request.scope.get("path_template", "")


def _line(row: Captured) -> str:
    when, request_id, principal, route, provider, (care_requests, patients) = row
    return (
        "\t".join(
            (
                datetime.fromtimestamp(when, UTC).isoformat(),
                _copy(request_id),
                _copy(getattr(principal, "subject", None)),
                _copy(_text(getattr(principal, "user_id", None))),
                _copy(getattr(principal, "market_role", None)),
                _copy(route),
                _bigint(provider),
                _bigint_array(care_requests),
                _copy(_text_array(patients)),
            )
        )
        + "\n"
    )


def _copy(value: str | None) -> str:
    return NULL if value is None else str(value).translate(_COPY_ESCAPES)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _bigint(value: object) -> str:
    """The provider id of the path (Litestar may leave it a string)."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return str(int(value))
    return NULL


def _bigint_array(values: Sequence[int | None]) -> str:
    return "{" + ",".join(["NULL" if v is None else str(int(v)) for v in values]) + "}"


def _text_array(values: Sequence[str]) -> str:
    """A text[] literal: every element double-quoted, ``\\`` and ``"`` escaped."""
    if not values:
        return "{}"
    joined = "".join(values)
    if "\\" in joined or '"' in joined:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'

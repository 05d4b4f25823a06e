"""PHI access audit (SPEC §14): every response carrying patient data appends a row to
``kpi_audit.phi_access`` — written in batches, off the request path, none lost on a
graceful stop.

Which responses: the routes in :data:`PHI_OPERATIONS` (by operation id; a test checks
that every response type with ``care_request_id`` items is listed). The hooks live in
``api.cache`` (the /v1 routers' ``before_request``/``after_request``): a computed 200 is
audited with the ids it returns; a cache hit (200 or 304) with the ids stored beside the
cached body, so a cached response is audited like any other.

Writing: :meth:`AuditLog.add` appends to a list (no I/O on the request path); a task
flushes it every :data:`FLUSH_SECONDS` (or at :data:`BATCH_ROWS` rows) with one
``executemany`` INSERT on a connection of its own (the read pool is read-only). A failed
flush keeps the rows and retries. On shutdown (SIGTERM: uvicorn's lifespan shutdown) the
task is stopped and everything left is written before the process exits; only a
``kill -9`` can lose the rows of the last second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import psycopg

logger = logging.getLogger("kpi.api.audit")

PHI_OPERATIONS = frozenset(
    {"listProviderVisits", "listMyVisits", "listMarketChanges", "listMarketProviderChanges"}
)
FLUSH_SECONDS = 1.0
BATCH_ROWS = 500
SHUTDOWN_ATTEMPTS = 5

INSERT_SQL = """
insert into kpi_audit.phi_access (accessed_at, request_id, subject, user_id, market_role,
    route, provider_id, care_request_ids, patient_athena_ids)
values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
"""

AuditIds = tuple[tuple[int, ...], tuple[str, ...]]


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
        self.pending: list[tuple[Any, ...]] = []
        self.written = 0
        self.dropped = 0
        self.enabled = True  # off only in bench/ops.py's baseline
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None

    def add(self, request: Any, ids: AuditIds) -> None:
        """One access by ``request`` to the rows ``ids`` (call after authorization)."""
        if not self.enabled:
            return
        principal = request.scope.get("user")
        path_id = request.path_params.get("provider_id")
        if request.route_handler.opt.get("personal"):  # /v1/performance-hub: their own rows
            path_id = str(getattr(principal, "user_id", None))
        self.pending.append(
            (
                datetime.now(UTC),
                request.scope.get("state", {}).get("request_id", ""),
                getattr(principal, "subject", None),
                _text(getattr(principal, "user_id", None)),
                getattr(principal, "market_role", None),
                request.scope.get("path_template", ""),
                int(path_id) if isinstance(path_id, str) and path_id.isdigit() else None,
                list(ids[0]),
                list(ids[1]),
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
            if self._conn is None or self._conn.closed:
                self._conn = await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=False, application_name="kpi-api-audit"
                )
            async with self._conn.cursor() as cursor:
                await cursor.executemany(INSERT_SQL, batch)
            await self._conn.commit()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege) as exc:
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


def _text(value: object) -> str | None:
    return None if value is None else str(value)

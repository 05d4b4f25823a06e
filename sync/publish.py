"""Publish the exported marts into the application database (SPEC §9).

:func:`run_sync` is the sync; its contract, in the order it runs:

- **Gate.** Nothing is written unless the last dbt build may be published
  (:func:`sync.manifest.check_build`); the app tables are then created or migrated to
  the marts' contracts (:mod:`sync.schema`).
- **Record.** A ``running`` row in ``kpi_sync.sync_runs`` is committed first, so every
  attempt leaves a trace. ``success``, with the rows per table, is written in the same
  transaction as the data; a sync that raises writes ``failed`` and its reason on a
  connection of its own (the data's transaction is gone by then). A killed sync stays
  ``running``.
- **Atomic.** Every table is staged, upserted and pruned inside ONE app-database
  transaction, so a reader sees the previous snapshot or the new one, never a mix, and a
  crash at any point (kill -9 included) rolls back to the previous snapshot. Running it
  again finishes the job. Every table is read from one warehouse snapshot too.
- **Shrink guard.** A table whose new row count is below ``min_fraction`` of the
  published one stops the whole sync (:class:`ShrinkError`), unless ``allow_shrink``.
  A history table is published date by date and guarded by dates (:mod:`sync.history`).
- **Never backwards.** A build whose as_of_date is older than the published one is
  refused (:class:`GateError`) unless ``allow_older`` (SPEC §12): publishing it would
  put yesterday's marts over today's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from kpi.progress import Reporter
from sync.history import Log, publish_history, read_logs
from sync.manifest import Build, ExportedTable, GateError, ShrinkError, check_build
from sync.merge import create_stage, merge
from sync.schema import SYNC_SCHEMA, ensure_indexes, ensure_schema
from sync.stream import METHODS, copy_rows, uses_cursor

# Serializes concurrent syncs on one app database (an arbitrary, fixed advisory lock id).
SYNC_LOCK_ID = 7_362_190_411


@dataclass
class SyncResult:
    run_id: int
    as_of_date: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # What the user should know although nothing failed (e.g. history dates removed).
    notes: list[str] = field(default_factory=list)


def run_sync(
    warehouse_dsn: str,
    app_dsn: str,
    target_path: Path,
    *,
    allow_shrink: bool = False,
    min_fraction: float = 0.5,
    allow_older: bool = False,
    reporter: Reporter | None = None,
    method: str = "auto",
) -> SyncResult:
    """Gate, copy and publish every exported mart atomically; returns what was published.

    ``method``: "copy" pipes binary COPY from a PostgreSQL warehouse, "cursor" streams a
    server-side cursor (the only way on Redshift), "auto" picks by the warehouse.
    """
    if method not in METHODS:
        raise ValueError(f"unknown sync method {method!r}")
    started = time.perf_counter()
    build = check_build(target_path)
    with psycopg.connect(app_dsn, autocommit=True) as app:
        ensure_schema(app, build.tables)
        if not allow_older:
            _refuse_older(app, build)
        run_id = _record_start(app, build)
    result = SyncResult(run_id=run_id, as_of_date=build.as_of_date.isoformat())
    try:
        _publish_build(
            warehouse_dsn,
            app_dsn,
            build,
            result,
            method=method,
            min_fraction=None if allow_shrink else min_fraction,
            reporter=reporter,
        )
    except BaseException as exc:
        _record_failure(app_dsn, run_id, f"{type(exc).__name__}: {exc}")
        raise
    result.seconds = time.perf_counter() - started
    return result


def _publish_build(
    warehouse_dsn: str,
    app_dsn: str,
    build: Build,
    result: SyncResult,
    *,
    method: str,
    min_fraction: float | None,
    reporter: Reporter | None,
) -> None:
    """Publish every table of ``build`` and record the success, all in one transaction.

    Fills ``result.rows`` as tables are published; nothing is visible to readers until
    the commit at the end of the ``with app.transaction()`` block.
    """
    with (
        psycopg.connect(warehouse_dsn) as warehouse,
        psycopg.connect(app_dsn, autocommit=True) as app,
    ):
        # Every table is read from one warehouse snapshot.
        warehouse.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        warehouse.read_only = True
        by_cursor = uses_cursor(warehouse, method)
        # Staging tables live in temp buffers (default 8 MB: they would spill to disk);
        # must be set before the session first touches a temp table.
        app.execute("set temp_buffers = '256MB'")
        # One transaction for every table: the whole day becomes visible at commit.
        with app.transaction():
            app.execute("set local work_mem = '128MB'")
            app.execute("set local maintenance_work_mem = '256MB'")
            app.execute("select pg_advisory_xact_lock(%s)", [SYNC_LOCK_ID])
            # The history logs as both sides hold them before any table is written.
            logs = (read_logs(warehouse, build.tables), read_logs(app, build.tables))
            for table in build.tables:
                advance = reporter(table.qualified, 0) if reporter else _ignore_progress
                result.rows[table.qualified] = publish_table(
                    warehouse,
                    app,
                    table,
                    advance,
                    by_cursor=by_cursor,
                    min_fraction=min_fraction,
                    history=(logs, result.notes),
                )
            _record_success(app, result)


def _ignore_progress(rows: int) -> None:
    """The progress callback when nobody is watching."""


def publish_table(
    warehouse: psycopg.Connection,
    app: psycopg.Connection,
    table: ExportedTable,
    advance: Callable[[int], None],
    *,
    by_cursor: bool,
    min_fraction: float | None,
    history: tuple[tuple[dict[str, Log], dict[str, Log]], list[str]] = (({}, {}), []),
) -> int:
    """Bring one app table to the warehouse's rows, inside the caller's transaction.

    Returns the number of rows. A table without rows (its first publish) gets them copied
    straight in, and only then its primary key and indexes, which are built from the
    loaded rows in one sort each and analyzed so the API's first queries are planned on
    real statistics; there is nothing to shrink. A history table with rows moves only
    its new and rebuilt dates (:func:`sync.history.publish_history`; ``history``: the
    logs of both sides and the notes to add to). Any other table with rows is staged,
    checked by the shrink guard (``min_fraction``; None: off), then merged
    (:func:`sync.merge.merge`).
    """
    target = sql.Identifier(table.schema, table.name)
    (is_empty,) = app.execute(
        sql.SQL("select not exists (select from {})").format(target)
    ).fetchone()
    if is_empty:
        rows = copy_rows(warehouse, app, table, target, advance, by_cursor=by_cursor)
        ensure_indexes(app, table)
        app.execute(sql.SQL("analyze {}").format(target))
        return rows
    if table.partition_by is not None:
        logs, notes = history
        return publish_history(
            warehouse,
            app,
            table,
            advance,
            logs=logs,
            by_cursor=by_cursor,
            min_fraction=min_fraction,
            notes=notes,
        )
    ensure_indexes(app, table)
    stage = create_stage(app, table)
    rows = copy_rows(warehouse, app, table, stage, advance, by_cursor=by_cursor)
    if min_fraction is not None:
        _check_shrink(app, table, rows, min_fraction)
    merge(app, table, stage)
    return rows


def _check_shrink(
    app: psycopg.Connection, table: ExportedTable, new_rows: int, min_fraction: float
) -> None:
    """Refuse a table that would fall below ``min_fraction`` of its published rows.

    A mart that suddenly loses most of its rows is far more often a broken source than a
    real change; raising here rolls the whole sync back, so yesterday stays published.
    """
    (current,) = app.execute(
        sql.SQL("select count(*) from {}").format(sql.Identifier(table.schema, table.name))
    ).fetchone()
    if current and new_rows < min_fraction * current:
        raise ShrinkError(
            f"{table.qualified} would shrink from {current:,} to {new_rows:,} rows"
            f" ({new_rows / current:.0%} of the published table, below the"
            f" {min_fraction:.0%} guard): pass --allow-shrink if this is intended"
        )


def _refuse_older(app: psycopg.Connection, build: Build) -> None:
    """Refuse a build older than the last published one (SPEC §12: ``--allow-older``).

    A ``kpi backfill`` never leaves an older build in ``target/``; an older build there
    is a deliberate rebuild of a past day, which must be asked for.
    """
    row = app.execute(
        sql.SQL(
            "select as_of_date from {}.sync_runs where outcome = 'success'"
            " order by finished_at desc limit 1"
        ).format(sql.Identifier(SYNC_SCHEMA))
    ).fetchone()
    published = row[0] if row else None
    if published is not None and build.as_of_date < published:
        raise GateError(
            f"the last build is as of {build.as_of_date.isoformat()}, older than the published"
            f" {published.isoformat()}: pass --allow-older to publish it anyway"
        )


def _record_start(app: psycopg.Connection, build: Build) -> int:
    """Commit a ``running`` row for this attempt; returns its run id."""
    with app.transaction():
        (run_id,) = app.execute(
            sql.SQL(
                "insert into {}.sync_runs (as_of_date, dbt_invocation_id, started_at, outcome)"
                " values (%s, %s, now(), 'running') returning run_id"
            ).format(sql.Identifier(SYNC_SCHEMA)),
            [build.as_of_date, build.invocation_id],
        ).fetchone()
    return run_id


def _record_success(app: psycopg.Connection, result: SyncResult) -> None:
    """Mark the run a success, in the data's transaction: both commit or neither does.

    The API's snapshot is the latest successful run, so it changes exactly when the
    published rows do.
    """
    app.execute(
        sql.SQL(
            "update {}.sync_runs set finished_at = clock_timestamp(),"
            " outcome = 'success', rows_per_table = %s where run_id = %s"
        ).format(sql.Identifier(SYNC_SCHEMA)),
        [json.dumps(result.rows, sort_keys=True), result.run_id],
    )


def _record_failure(app_dsn: str, run_id: int, reason: str) -> None:
    """Mark the run failed on a fresh connection (the sync's own may be broken)."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "update {}.sync_runs set finished_at = clock_timestamp(), outcome = 'failed',"
                " message = %s where run_id = %s"
            ).format(sql.Identifier(SYNC_SCHEMA)),
            [reason[:500], run_id],
        )

"""Publish the exported marts into the application database (SPEC §9).

One entry function, :func:`run_sync`. Every table's new state becomes visible at once:
all tables are staged, upserted and pruned inside ONE app-database transaction, so a
reader sees the previous snapshot or the new one, never a mix, and a crash at any point
(kill -9 included) rolls back to the previous snapshot. Running it again finishes the job.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from sync.manifest import Build, ExportedTable, GateError, check_build
from sync.schema import ensure_indexes, ensure_schema

__all__ = ["GateError", "ShrinkError", "SyncResult", "run_sync"]

BATCH_ROWS = 20_000
SYNC_SCHEMA = "kpi_sync"
# Serializes concurrent syncs on one app database (an arbitrary, fixed advisory lock id).
SYNC_LOCK_ID = 7_362_190_411

# reporter(table, expected_rows) -> advance(rows)
Reporter = Callable[[str, int], Callable[[int], None]]
# copy(warehouse, app, table, into, advance) -> rows copied
Copier = Callable[
    [psycopg.Connection, psycopg.Connection, ExportedTable, sql.Identifier, Callable[[int], None]],
    int,
]


class ShrinkError(RuntimeError):
    """A table would lose more rows than the shrink guard allows."""


@dataclass
class SyncResult:
    run_id: int
    as_of_date: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _hook(name: str) -> None:
    """Crash-injection points for the tests (KPI_TEST_SYNC_CRASH_AT=<name>)."""
    import os

    if os.environ.get("KPI_TEST_SYNC_CRASH_AT") == name:
        os.kill(os.getpid(), 9)


def _record_start(app: psycopg.Connection, build: Build) -> int:
    with app.transaction():
        (run_id,) = app.execute(
            sql.SQL(
                "insert into {}.sync_runs (as_of_date, dbt_invocation_id, started_at, outcome)"
                " values (%s, %s, now(), 'running') returning run_id"
            ).format(sql.Identifier(SYNC_SCHEMA)),
            [build.as_of_date, build.invocation_id],
        ).fetchone()
    return run_id


def _record_failure(app_dsn: str, run_id: int, reason: str) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "update {}.sync_runs set finished_at = clock_timestamp(), outcome = 'failed',"
                " message = %s where run_id = %s"
            ).format(sql.Identifier(SYNC_SCHEMA)),
            [reason[:500], run_id],
        )


def _create_stage(app: psycopg.Connection, table: ExportedTable) -> sql.Identifier:
    """A temp table shaped like the app table, dropped at commit."""
    stage = sql.Identifier(f"stage_{table.name}")
    cols = sql.SQL(", ").join(map(sql.Identifier, table.column_names))
    app.execute(
        sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
            stage, cols, sql.Identifier(table.schema, table.name)
        )
    )
    return stage


def _copy_by_cursor(
    warehouse: psycopg.Connection,
    app: psycopg.Connection,
    table: ExportedTable,
    into: sql.Identifier,
    advance: Callable[[int], None],
) -> int:
    """Stream rows through a server-side cursor (works on Redshift, which has no COPY TO)."""
    cols = sql.SQL(", ").join(map(sql.Identifier, table.column_names))
    type_oids = [
        oid
        for (oid,) in app.execute(
            sql.SQL(
                "select atttypid from pg_attribute where attrelid = {}::regclass"
                " and attname::text = any(%s) order by array_position(%s, attname::text)"
            ).format(sql.Literal(into.as_string(app))),
            [list(table.column_names), list(table.column_names)],
        ).fetchall()
    ]
    rows = 0
    with (
        warehouse.cursor(name=f"read_{table.name}") as reader,
        app.cursor() as writer,
        writer.copy(sql.SQL("copy {} ({}) from stdin (format binary)").format(into, cols)) as cp,
    ):
        cp.set_types(type_oids)
        reader.itersize = BATCH_ROWS
        reader.execute(
            sql.SQL("select {} from {}").format(cols, sql.Identifier(table.schema, table.name))
        )
        while batch := reader.fetchmany(BATCH_ROWS):
            for row in batch:
                cp.write_row(row)
            rows += len(batch)
            advance(len(batch))
    return rows


def _copy_by_pipe(
    warehouse: psycopg.Connection,
    app: psycopg.Connection,
    table: ExportedTable,
    into: sql.Identifier,
    advance: Callable[[int], None],
) -> int:
    """PostgreSQL warehouse: pipe binary COPY TO STDOUT straight into COPY FROM STDIN."""
    cols = sql.SQL(", ").join(map(sql.Identifier, table.column_names))
    source = sql.Identifier(table.schema, table.name)
    copy_out = sql.SQL("copy (select {} from {}) to stdout (format binary)").format(cols, source)
    copy_in = sql.SQL("copy {} ({}) from stdin (format binary)").format(into, cols)
    with warehouse.cursor() as reader, app.cursor() as writer:
        with reader.copy(copy_out) as out, writer.copy(copy_in) as into_app:
            for block in out:
                into_app.write(block)
        rows = writer.rowcount
    advance(rows)
    return rows


def _is_redshift(warehouse: psycopg.Connection) -> bool:
    (version,) = warehouse.execute("select version()").fetchone()
    return "redshift" in version.lower()


def _merge(app: psycopg.Connection, table: ExportedTable, stage: sql.Identifier) -> None:
    """Upsert the new and changed staged rows on the unique key; delete vanished rows.

    One statement: a single full join of stage and target (one hash of the target) finds
    the rows that are new, changed or gone; only those are written, so a day on which most
    rows are unchanged costs one scan of each side. The delete and the upsert touch
    different keys, so they can share the statement.
    """
    target = sql.Identifier(table.schema, table.name)
    cols = sql.SQL(", ").join(map(sql.Identifier, table.column_names))
    key = sql.SQL(", ").join(map(sql.Identifier, table.unique_key))
    values = [c for c in table.column_names if c not in table.unique_key]
    first_key = sql.Identifier(table.unique_key[0])
    old_keys = [sql.Identifier(f"published_key_{i}") for i in range(len(table.unique_key))]

    def joined(left: str, right: str, names: list[sql.Identifier]) -> sql.Composable:
        return sql.SQL(" and ").join(
            sql.SQL("{}.{} = {}.{}").format(sql.Identifier(left), k, sql.Identifier(right), n)
            for k, n in zip(map(sql.Identifier, table.unique_key), names, strict=True)
        )

    changed = [
        sql.SQL("published.{} is null").format(first_key),  # new
        sql.SQL("staged.{} is null").format(first_key),  # vanished
    ]
    conflict = sql.SQL("do nothing")
    if values:
        changed.append(
            sql.SQL("({}) is distinct from ({})").format(
                sql.SQL(", ").join(
                    sql.SQL("published.{}").format(sql.Identifier(c)) for c in values
                ),
                sql.SQL(", ").join(sql.SQL("staged.{}").format(sql.Identifier(c)) for c in values),
            )
        )
        conflict = sql.SQL("do update set {}").format(
            sql.SQL(", ").join(
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in values
            )
        )
    app.execute(
        sql.SQL(
            "with diff as materialized ("
            " select {staged_cols}, {published_keys}"
            " from {stage} as staged full join {target} as published on {matches}"
            " where {changed}"
            "), vanished as ("
            " delete from {target} as published using diff"
            " where diff.{first_key} is null and {vanished_keys}"
            ")"
            " insert into {target} ({cols}) select {cols} from diff where {first_key} is not null"
            " on conflict ({key}) {conflict}"
        ).format(
            staged_cols=sql.SQL(", ").join(
                sql.SQL("staged.{}").format(sql.Identifier(c)) for c in table.column_names
            ),
            published_keys=sql.SQL(", ").join(
                sql.SQL("published.{} as {}").format(sql.Identifier(k), alias)
                for k, alias in zip(table.unique_key, old_keys, strict=True)
            ),
            stage=stage,
            target=target,
            matches=joined("staged", "published", list(map(sql.Identifier, table.unique_key))),
            changed=sql.SQL(" or ").join(changed),
            first_key=first_key,
            vanished_keys=joined("published", "diff", old_keys),
            cols=cols,
            key=key,
            conflict=conflict,
        )
    )


def _publish(
    warehouse: psycopg.Connection,
    app: psycopg.Connection,
    table: ExportedTable,
    copy: Copier,
    advance: Callable[[int], None],
    min_fraction: float | None,
) -> int:
    """Bring one app table to the warehouse's rows; returns their number.

    A table without rows (its first publish) gets them copied straight in, and only then
    its primary key and indexes, which are built from the loaded rows in one sort each
    and analyzed so the API's first queries are planned on real statistics. A table with
    rows is staged and merged (:func:`_merge`).
    """
    target = sql.Identifier(table.schema, table.name)
    (is_empty,) = app.execute(
        sql.SQL("select not exists (select from {})").format(target)
    ).fetchone()
    if is_empty:
        rows = copy(warehouse, app, table, target, advance)
        _hook("mid_copy")
        ensure_indexes(app, table)
        app.execute(sql.SQL("analyze {}").format(target))
        return rows
    ensure_indexes(app, table)
    stage = _create_stage(app, table)
    rows = copy(warehouse, app, table, stage, advance)
    _hook("mid_copy")
    if min_fraction is not None:
        _check_shrink(app, table, rows, min_fraction)
    _merge(app, table, stage)
    return rows


def _check_shrink(
    app: psycopg.Connection, table: ExportedTable, new_rows: int, min_fraction: float
) -> None:
    (current,) = app.execute(
        sql.SQL("select count(*) from {}").format(sql.Identifier(table.schema, table.name))
    ).fetchone()
    if current and new_rows < min_fraction * current:
        raise ShrinkError(
            f"{table.qualified} would shrink from {current:,} to {new_rows:,} rows"
            f" ({new_rows / current:.0%} of the published table, below the"
            f" {min_fraction:.0%} guard): pass --allow-shrink if this is intended"
        )


def run_sync(
    warehouse_dsn: str,
    app_dsn: str,
    target_path: Path,
    *,
    allow_shrink: bool = False,
    min_fraction: float = 0.5,
    reporter: Reporter | None = None,
    method: str = "auto",
) -> SyncResult:
    """Gate, copy and publish every exported mart atomically; returns what was published.

    ``method``: "copy" pipes binary COPY from a PostgreSQL warehouse, "cursor" streams a
    server-side cursor (the only way on Redshift), "auto" picks by the warehouse.
    """
    if method not in ("auto", "copy", "cursor"):
        raise ValueError(f"unknown sync method {method!r}")
    started = time.perf_counter()
    build = check_build(target_path)
    with psycopg.connect(app_dsn, autocommit=True) as app:
        ensure_schema(app, build.tables)
        run_id = _record_start(app, build)
    result = SyncResult(run_id=run_id, as_of_date=build.as_of_date.isoformat())
    try:
        with (
            psycopg.connect(warehouse_dsn) as warehouse,
            psycopg.connect(app_dsn, autocommit=True) as app,
        ):
            # Every table is read from one warehouse snapshot.
            warehouse.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            warehouse.read_only = True
            use_copy = method == "copy" or (method == "auto" and not _is_redshift(warehouse))
            copy = _copy_by_pipe if use_copy else _copy_by_cursor
            # Staging tables live in temp buffers (default 8 MB: they would spill to disk);
            # must be set before the session first touches a temp table.
            app.execute("set temp_buffers = '256MB'")
            # One transaction for every table: the whole day becomes visible at commit.
            with app.transaction():
                app.execute("set local work_mem = '128MB'")
                app.execute("set local maintenance_work_mem = '256MB'")
                app.execute("select pg_advisory_xact_lock(%s)", [SYNC_LOCK_ID])
                _hook("before_copy")
                for table in build.tables:
                    advance = reporter(table.qualified, 0) if reporter else (lambda n: None)
                    result.rows[table.qualified] = _publish(
                        warehouse, app, table, copy, advance, None if allow_shrink else min_fraction
                    )
                _hook("before_commit")
                app.execute(
                    sql.SQL(
                        "update {}.sync_runs set finished_at = clock_timestamp(),"
                        " outcome = 'success', rows_per_table = %s where run_id = %s"
                    ).format(sql.Identifier(SYNC_SCHEMA)),
                    [json.dumps(result.rows, sort_keys=True), run_id],
                )
    except BaseException as exc:
        _record_failure(app_dsn, run_id, f"{type(exc).__name__}: {exc}")
        raise
    result.seconds = time.perf_counter() - started
    return result

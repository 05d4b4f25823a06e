"""Publish a history table date by date: only the dates that are new or rebuilt move.

A history table (``meta.sync.partition_by``, e.g. ``market_metric_history`` by
``as_of_date``) only grows: a daily build adds its date, ``kpi backfill`` adds or
rebuilds past ones. Merging it whole like the other marts would read every past date on
every sync. Instead a date is copied when it is missing in the app, when its row count
differs, or when its ``built_at`` in the table's log (``meta.sync.partition_log``,
``metric_history_dates``) differs from the one published; the app's rows of those dates
are replaced (delete, then insert from a stage), inside the sync's one transaction.

- **Shrink guard.** A history table is judged by its number of dates, not rows (a row
  count only grows with time, so a naive ratio would never trip on a lost past): fewer
  than ``min_fraction`` of the published dates refuses the sync unless ``--allow-shrink``.
- **Dates gone from the warehouse** are removed from the app too, and said so in the
  sync's notes (printed by ``kpi sync``), never silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from psycopg import Connection, sql

from sync.manifest import ExportedTable, ShrinkError
from sync.merge import create_stage
from sync.schema import ensure_indexes, identifier_list, table_exists
from sync.stream import copy_rows

# (as_of_date -> built_at) of one log table, on one side.
Log = dict[date, datetime]


def read_logs(conn: Connection, tables: Iterable[ExportedTable]) -> dict[str, Log]:
    """Every history log named by ``tables``, as this side holds it (empty if missing)."""
    logs: dict[str, Log] = {}
    for table in tables:
        log = table.partition_log
        if log is None or log in logs:
            continue
        exists = table_exists(conn, table.schema, log)
        column = table.partition_by or ""
        logs[log] = dict(_select(conn, table.schema, log, column)) if exists else {}
    return logs


def _select(conn: Connection, schema: str, log: str, column: str) -> list[tuple[date, datetime]]:
    """The log's (date, built_at); its date column has the history's partition name."""
    return conn.execute(
        sql.SQL("select {}, built_at from {}").format(
            sql.Identifier(column), sql.Identifier(schema, log)
        )
    ).fetchall()


def _date_counts(conn: Connection, table: ExportedTable) -> dict[date, int]:
    """Rows per date of ``table`` on one side."""
    column = sql.Identifier(table.partition_by or "")
    rows = conn.execute(
        sql.SQL("select {0}, count(*) from {1} group by {0}").format(
            column, sql.Identifier(table.schema, table.name)
        )
    ).fetchall()
    return dict(rows)


def dates_to_move(
    warehouse_counts: dict[date, int],
    app_counts: dict[date, int],
    warehouse_log: Log,
    app_log: Log,
) -> tuple[list[date], list[date]]:
    """(dates to copy, dates to remove): new, recounted or rebuilt; gone from the warehouse."""
    moved = sorted(
        day
        for day, count in warehouse_counts.items()
        if app_counts.get(day) != count or warehouse_log.get(day) != app_log.get(day)
    )
    gone = sorted(set(app_counts) - set(warehouse_counts))
    return moved, gone


def publish_history(
    warehouse: Connection,
    app: Connection,
    table: ExportedTable,
    advance: Callable[[int], None],
    *,
    logs: tuple[dict[str, Log], dict[str, Log]],
    by_cursor: bool,
    min_fraction: float | None,
    notes: list[str],
) -> int:
    """Bring one history table to the warehouse's dates; returns its rows (all dates).

    ``logs``: the (warehouse, app) logs read before anything was written, so the log
    table's own publish in the same sync cannot hide a rebuilt date.
    """
    ensure_indexes(app, table)  # an index declared since the last sync
    warehouse_counts = _date_counts(warehouse, table)
    app_counts = _date_counts(app, table)
    log = table.partition_log or ""
    moved, gone = dates_to_move(
        warehouse_counts, app_counts, logs[0].get(log, {}), logs[1].get(log, {})
    )
    if min_fraction is not None and len(warehouse_counts) < min_fraction * len(app_counts):
        raise ShrinkError(
            f"{table.qualified} would keep {len(warehouse_counts):,} of its"
            f" {len(app_counts):,} published dates (below the {min_fraction:.0%} guard):"
            " pass --allow-shrink if this is intended"
        )
    if gone:
        notes.append(
            f"{table.qualified}: removed {len(gone)} dates the warehouse no longer has"
            f" ({gone[0].isoformat()} … {gone[-1].isoformat()})"
        )
    if moved or gone:
        _replace_dates(warehouse, app, table, moved, gone, advance, by_cursor=by_cursor)
    return sum(warehouse_counts.values())


def _replace_dates(
    warehouse: Connection,
    app: Connection,
    table: ExportedTable,
    moved: list[date],
    gone: list[date],
    advance: Callable[[int], None],
    *,
    by_cursor: bool,
) -> None:
    """Delete the app's rows of ``moved`` and ``gone`` dates; insert ``moved`` from a stage."""
    target = sql.Identifier(table.schema, table.name)
    column = sql.Identifier(table.partition_by or "")
    stage = create_stage(app, table)
    if moved:
        # Literal dates: Redshift has no `= any(array)`; the list is at most the dates kept.
        where = sql.SQL("where {} in ({})").format(
            column, sql.SQL(", ").join(sql.Literal(d) for d in moved)
        )
        copy_rows(warehouse, app, table, stage, advance, by_cursor=by_cursor, where=where)
    app.execute(sql.SQL("delete from {} where {} = any(%s)").format(target, column), [moved + gone])
    columns = identifier_list(table.column_names)
    app.execute(
        sql.SQL("insert into {} ({}) select {} from {}").format(target, columns, columns, stage)
    )
    if len(moved) > 1:
        app.execute(sql.SQL("analyze {}").format(target))

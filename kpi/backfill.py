"""``kpi backfill``: the metric history of past report dates (SPEC §12).

A past date's history needs every model upstream of it computed as of that date, and
the intermediate models are views whose SQL bakes in the date. So a backfill never
touches the latest build's objects: each date is one ``dbt run`` of the history models
and their ancestors with ``history_backfill: true``, which sends every ancestor to a
``<schema>_backfill`` scratch schema (macros/generate_schema_name.sql; staging views,
which never read the date, are used in place), into a target
folder of its own (the sync reads only the build's ``target/``). The history models
themselves are incremental (delete+insert on ``as_of_date``), so a date is added or
replaced and the others stay. The project is parsed once and the manifest reused for
every date; the scratch schemas are dropped at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg import sql

from kpi.databases import connections
from kpi.dbt_runner import parse_project, run_dbt
from kpi.errors import EXIT_USAGE, CliError
from kpi.progress import progress_reporter
from kpi.settings import Settings
from sync.schema import table_exists

HISTORY_MODELS = (
    "market_metric_history",
    "provider_metric_history",
    "market_provider_metric_history",
)
# Built after the three histories: a date is present once its log row is.
DATES_LOG = "metric_history_dates"
# The fraud flag history (SPEC §15, models/marts/fraud/history): its log, and the status
# table recomputed from the whole history after each date.
FRAUD_HISTORY_MODELS = ("report_flag_history", "report_flag_status")
FRAUD_DATES_LOG = "report_flag_dates"
FRAUD_SCHEMA = "fraud"
BACKFILL_VAR = "history_backfill"
# Date-free models read in place by a backfill (macros/generate_schema_name.sql).
STAGING = "path:models/staging"
# Where the history lives (models/marts/leader_hub, `+schema: leader_hub`).
HISTORY_SCHEMA = "leader_hub"
# Ten years of daily dates: more is a typo, not a backfill.
MAX_DATES = 3660


def weekly_dates(as_of: date, weeks: int) -> list[date]:
    """The ``weeks`` weekly dates as_of, as_of − 7, ..., oldest first."""
    _check_count(weeks)
    return [as_of - timedelta(days=7 * i) for i in reversed(range(weeks))]


def range_dates(first: date, last: date, step_days: int) -> list[date]:
    """Every ``step_days``-th date from ``first`` to ``last`` inclusive."""
    if last < first:
        raise CliError(
            f"kpi backfill: --from {first.isoformat()} is after --to {last.isoformat()}",
            EXIT_USAGE,
        )
    count = (last - first).days // step_days + 1
    _check_count(count)
    return [first + timedelta(days=step_days * i) for i in range(count)]


def _check_count(count: int) -> None:
    if count > MAX_DATES:
        raise CliError(
            f"kpi backfill: {count:,} dates asked for, at most {MAX_DATES:,} at once", EXIT_USAGE
        )


def backfill(
    settings: Settings, dates: Sequence[date], *, force: bool, target: str | None = None
) -> int:
    """Build the history of ``dates`` (skipping those present unless ``force``)."""
    conns = connections(settings)
    target_path = settings.data_dir / "backfill-target"
    flags = ["--target-path", str(target_path), "--quiet"]
    # Parsed without a date: the same vars every time, so dbt's partial parsing (kept in
    # the backfill's own target folder) holds from one backfill to the next.
    scratch_vars: dict[str, object] = {BACKFILL_VAR: True}
    manifest = parse_project(
        settings, conns.warehouse_dsn, flags, vars_=scratch_vars, target=target
    )
    with psycopg.connect(conns.warehouse_dsn) as conn:
        if not table_exists(conn, *_relation(manifest, _is_staging)):
            raise CliError(
                "kpi backfill: no build yet: run `kpi build` first (a backfill reads its"
                " staging views)"
            )
        # a date is present when both histories have it
        present = present_dates(conn, _relation(manifest, _is_dates_log)) & present_dates(
            conn, _relation(manifest, _is_fraud_dates_log), column="report_date"
        )
    todo = list(dates) if force else [d for d in dates if d not in present]
    skipped = len(dates) - len(todo)
    if skipped:
        print(f"{skipped} of {len(dates)} dates already in the history (--force rebuilds them)")
    if not todo:
        return 0
    started = time.perf_counter()
    # Staging views do not depend on the date: the latest build's are read, not rebuilt.
    select = [
        "--select",
        *(f"+{name}" for name in (*HISTORY_MODELS, DATES_LOG, *FRAUD_HISTORY_MODELS)),
        "--exclude",
        STAGING,
    ]
    try:
        with progress_reporter() as reporter:
            advance = reporter(f"backfill {len(todo)} dates", len(todo))
            for day in todo:
                day_vars = {**scratch_vars, "as_of_date": day.isoformat()}
                if not run_dbt(
                    settings,
                    conns.warehouse_dsn,
                    ["run", *select, *flags],
                    vars_=day_vars,
                    target=target,
                    manifest=manifest,
                ):
                    raise CliError(
                        f"kpi backfill: the build of {day.isoformat()} failed (see above); the"
                        " dates before it are kept: run the command again to resume"
                    )
                advance(1)
    finally:
        _drop_scratch(settings, conns.warehouse_dsn, flags, scratch_vars, target, manifest)
    elapsed = time.perf_counter() - started
    print(f"backfilled {len(todo)} dates in {elapsed:.1f}s ({elapsed / len(todo):.1f}s per date)")
    return 0


def _is_dates_log(node: Any) -> bool:
    return node.name == DATES_LOG


def _is_fraud_dates_log(node: Any) -> bool:
    return node.name == FRAUD_DATES_LOG


def _is_staging(node: Any) -> bool:
    return node.fqn[1] == "staging"


def _relation(manifest: Any, wanted: Callable[[Any], bool]) -> tuple[str, str]:
    """The (schema, table) of the first model ``wanted`` picks, as this project names it."""
    for node in manifest.nodes.values():
        if node.resource_type == "model" and wanted(node):
            return node.schema, node.alias or node.name
    raise CliError("kpi backfill: the project lacks a model the backfill needs")


def present_dates(
    conn: psycopg.Connection, log: tuple[str, str], column: str = "as_of_date"
) -> set[date]:
    """The dates whose history is complete (their log row exists); none before a build."""
    if not table_exists(conn, *log):
        return set()
    rows = conn.execute(
        sql.SQL("select {} from {}").format(sql.Identifier(column), sql.Identifier(*log))
    )
    return {row[0] for row in rows.fetchall()}


def _drop_scratch(
    settings: Settings,
    warehouse_dsn: str,
    flags: list[str],
    vars_: dict[str, object],
    target: str | None,
    manifest: Any,
) -> None:
    """Drop the ``*_backfill`` scratch schemas (macros/drop_backfill_schemas.sql)."""
    run_dbt(
        settings,
        warehouse_dsn,
        ["run-operation", "drop_backfill_schemas", *flags],
        vars_=vars_,
        target=target,
        manifest=manifest,
    )


def drop_history(warehouse_dsn: str) -> bool:
    """Drop the history tables (``kpi generate --replace``: they describe the old sources).

    Returns whether there was any. The next build starts the history over; a backfill
    fills the past again.
    """
    tables = [(HISTORY_SCHEMA, name) for name in (*HISTORY_MODELS, DATES_LOG)] + [
        (FRAUD_SCHEMA, name) for name in (*FRAUD_HISTORY_MODELS, FRAUD_DATES_LOG)
    ]
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        (found,) = conn.execute(
            "select count(*) from information_schema.tables"
            " where table_schema || '.' || table_name = any(%s)",
            [[f"{schema}.{name}" for schema, name in tables]],
        ).fetchone()
        for schema, name in tables:
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(schema, name)))
    return bool(found)

"""The single-step ``kpi`` commands, as plain typed functions.

``kpi.cli`` parses the arguments and calls one of these; ``kpi.pipeline`` chains them
(``daily``, ``demo``). Each returns the exit status and raises :class:`CliError` for a
failure the user can act on. The work itself lives in ``synthetic``, dbt, ``sync`` and
``api``: these functions pick the databases, report progress and print the summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg.conninfo import make_conninfo

from kpi import embedded
from kpi.backfill import drop_history
from kpi.databases import connections
from kpi.dbt_runner import run_dbt, write_profile
from kpi.docs_server import serve_directory
from kpi.errors import EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_USAGE, CliError
from kpi.progress import print_row_counts, progress_reporter
from kpi.settings import Settings
from sync.audit import API_ROLE, apply_retention

if TYPE_CHECKING:
    from sync.compare import TableDiff

DEFAULT_WORKERS = os.cpu_count() or 1
DOCS_PAGE = "static_index.html"


# ------------------------------------------------------------------------ embedded db


def _require_embedded(settings: Settings) -> None:
    if not settings.embedded:
        raise CliError("KPI_WAREHOUSE_DSN/KPI_APP_DSN are set: there is no embedded server")


def _print_running(settings: Settings, conns: embedded.Connections) -> None:
    print(f"embedded PostgreSQL running (data in {settings.pgdata})")
    print(f"KPI_WAREHOUSE_DSN={conns.warehouse_dsn}")
    print(f"KPI_APP_DSN={conns.app_dsn}")


def db_start(settings: Settings) -> int:
    """Start (or reuse) the embedded server and write the dbt profile that points at it."""
    _require_embedded(settings)
    conns = connections(settings)
    write_profile(settings, conns.warehouse_dsn)
    _print_running(settings, conns)
    return 0


def db_stop(settings: Settings) -> int:
    _require_embedded(settings)
    stopped = embedded.stop(settings.pgdata)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def db_status(settings: Settings) -> int:
    """Exit 0 with the connection strings when running, 3 (like ``pg_ctl status``) if not."""
    _require_embedded(settings)
    conns = embedded.running_connections(settings.pgdata)
    if conns is None:
        print(f"embedded PostgreSQL is not running (data dir {settings.pgdata})")
        return EXIT_NOT_RUNNING
    _print_running(settings, conns)
    return 0


# ---------------------------------------------------------------------------- pipeline


def generate_sources(
    settings: Settings, *, scale: float, seed: int, as_of: date | None, replace: bool
) -> int:
    """Write the synthetic source tables for both products into the warehouse."""
    import synthetic

    conns = connections(settings)
    as_of = as_of or date.today()
    started = time.perf_counter()
    with progress_reporter() as reporter:
        try:
            result = synthetic.generate(
                conns.warehouse_dsn,
                scale=scale,
                seed=seed,
                as_of=as_of,
                replace=replace,
                reporter=reporter,
                manifest_path=settings.synthetic_manifest_path,
            )
        except synthetic.SourcesNotEmptyError as exc:
            raise CliError(str(exc)) from None
    elapsed = time.perf_counter() - started
    total = sum(result.rows.values())
    print(
        f"generated {total:,} rows in {elapsed:.1f}s (scale {scale}, seed {seed},"
        f" as of {as_of.isoformat()})"
    )
    print_row_counts(result.rows)
    print(f"planted-fraud manifest: {settings.synthetic_manifest_path}")
    if replace and drop_history(conns.warehouse_dsn):
        print("dropped the metric history built from the replaced sources (kpi backfill refills)")
    return 0


def generate_csv_files(
    settings: Settings, *, out_dir: Path, scale: float, seed: int, as_of: date | None
) -> int:
    """Write the synthetic sources as CSV files for S3 and Redshift's COPY (no database)."""
    import synthetic

    as_of = as_of or date.today()
    started = time.perf_counter()
    with progress_reporter() as reporter:
        try:
            result = synthetic.generate_csv(
                out_dir,
                scale=scale,
                seed=seed,
                as_of=as_of,
                reporter=reporter,
                manifest_path=out_dir / settings.synthetic_manifest_path.name,
            )
        except (OSError, synthetic.EmptyStringError) as exc:
            raise CliError(f"cannot write the CSV files in {out_dir}: {exc}") from None
    elapsed = time.perf_counter() - started
    print(
        f"wrote {sum(result.rows.values()):,} rows as {len(result.rows)} CSV files in"
        f" {elapsed:.1f}s (scale {scale}, seed {seed}, as of {as_of.isoformat()}) to {out_dir}"
    )
    print_row_counts(result.rows)
    print(f"Redshift COPY statements: {out_dir / 'redshift_copy.sql'}")
    return 0


def build_warehouse(
    settings: Settings,
    *,
    vars_: Mapping[str, object] | None = None,
    as_of: date | None = None,
    target: str | None = None,
    select: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
) -> int:
    """``dbt build``; ``as_of`` is a shortcut for the ``as_of_date`` var."""
    all_vars = build_vars(vars_, as_of)
    conns = connections(settings)
    dbt_args = ["build"]
    if select:
        dbt_args += ["--select", *select]
    if exclude:
        dbt_args += ["--exclude", *exclude]
    if not run_dbt(settings, conns.warehouse_dsn, dbt_args, vars_=all_vars, target=target):
        raise CliError("dbt build failed: see the failures above (nothing was synced)")
    return 0


def build_vars(vars_: Mapping[str, object] | None, as_of: date | None) -> dict[str, object]:
    """The dbt vars of a build: ``--vars`` merged with the ``--as-of`` shortcut.

    Both may name the report date only if they agree: a build whose date depends on which
    option wins would publish a date the user did not mean. YAML reads an unquoted
    2026-06-30 as a date; dates are passed to dbt as ISO text, as they are written.
    """
    merged = {key: _plain(value) for key, value in (vars_ or {}).items()}
    given = merged.get("as_of_date")
    if given is not None:
        try:
            given_date = date.fromisoformat(str(given))
        except ValueError:
            raise CliError(
                f"--vars as_of_date: not a date (YYYY-MM-DD): {given!r}", EXIT_USAGE
            ) from None
        if as_of is not None and as_of != given_date:
            raise CliError(
                f"--as-of {as_of.isoformat()} and --vars as_of_date {given_date.isoformat()}"
                " disagree: give the report date once",
                EXIT_USAGE,
            )
        merged["as_of_date"] = given_date.isoformat()
    elif as_of is not None:
        merged["as_of_date"] = as_of.isoformat()
    return merged


def _plain(value: object) -> object:
    """A YAML value as JSON can carry it to dbt (dates and times as ISO text)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def sync_app(
    settings: Settings,
    *,
    allow_shrink: bool,
    min_fraction: float | None,
    allow_older: bool = False,
) -> int:
    """Publish the last green build into the app database (``min_fraction``: shrink guard;
    ``allow_older``: publish a build older than the published one)."""
    import sync

    conns = connections(settings)
    if min_fraction is None:
        min_fraction = settings.sync_min_fraction
    with progress_reporter() as reporter:
        try:
            result = sync.run_sync(
                conns.warehouse_dsn,
                conns.app_dsn,
                settings.dbt_target_path,
                allow_shrink=allow_shrink,
                min_fraction=min_fraction,
                allow_older=allow_older,
                reporter=reporter,
            )
        except (sync.GateError, sync.ShrinkError) as exc:
            raise CliError(f"sync refused: {exc}") from None
    total = sum(result.rows.values())
    print(
        f"synced {total:,} rows in {len(result.rows)} tables in {result.seconds:.1f}s"
        f" (as of {result.as_of_date}, sync run {result.run_id})"
    )
    print_row_counts(result.rows)
    for note in result.notes:
        print(f"note: {note}")
    with psycopg.connect(conns.app_dsn, autocommit=True) as app:
        expired = apply_retention(app, settings.audit_retention_days)
    if expired:
        print(
            f"PHI audit: {expired:,} rows older than {settings.audit_retention_days} days removed"
        )
    return 0


# ------------------------------------------------------------------------ api and docs


def serve_api(settings: Settings, *, host: str, port: int, dev: bool, workers: int) -> int:
    """Run the read API and the Leader Hub page until Ctrl-C."""
    from api.server import serve

    conns = connections(settings)
    api_dsn = _api_dsn(settings, conns.app_dsn)
    print(f"serving the API on http://{host}:{port} (docs: /schema; Ctrl-C to stop)")
    login = " (dev login on)" if dev else ""
    print(f"Leader Hub page: http://{host}:{port}/{login}")
    serve(settings, api_dsn, host=host, port=port, dev_login=dev, workers=workers)
    return 0


def _api_dsn(settings: Settings, owner_dsn: str) -> str:
    """The API's connection (SPEC §14): KPI_APP_API_DSN; embedded, the ``kpi_api`` role
    that ``kpi sync`` created (it may insert audit rows but not change them); else, with
    a warning, the owner's KPI_APP_DSN."""
    if settings.app_api_dsn:
        return settings.app_api_dsn
    if settings.embedded:
        with psycopg.connect(owner_dsn, autocommit=True) as conn:
            found = conn.execute("select 1 from pg_roles where rolname = %s", [API_ROLE])
            if found.fetchone() is not None:
                return make_conninfo(owner_dsn, user=API_ROLE)
    print(
        "warning: the API connects as the app database's owner (set KPI_APP_API_DSN to the"
        f" {API_ROLE} role): the PHI audit is not protected from it",
        file=sys.stderr,
    )
    return owner_dsn


def print_dev_token(
    settings: Settings,
    *,
    role: str,
    markets: Sequence[int],
    fraud: bool,
    ttl_seconds: int,
    user_id: int | None = None,
) -> int:
    """Print a token signed with the dev key, for curl and the tests."""
    from api.tokens import mint_dev_token

    token = mint_dev_token(
        settings, role, list(markets), fraud, ttl_seconds=ttl_seconds, user_id=user_id
    )
    print(token)
    return 0


def build_docs(settings: Settings, *, port: int, serve: bool) -> int:
    """Generate the self-contained dbt docs page; serve it on localhost when ``serve``."""
    conns = connections(settings)
    # A target folder of its own: the sync gate reads the build's manifest in target/.
    docs_dir = settings.data_dir / "docs"
    generate = ["docs", "generate", "--static", "--target-path", str(docs_dir)]
    if not run_dbt(settings, conns.warehouse_dsn, generate):
        raise CliError("dbt docs generate failed")
    print(f"docs site: {docs_dir / DOCS_PAGE}")
    if serve:
        serve_directory(docs_dir, port, DOCS_PAGE)
    return 0


# ----------------------------------------------------------------------------- compare


def compare_marts(settings: Settings, *, left: str, right: str) -> int:
    """Diff the exported marts of two warehouses (DSNs or dbt targets) on their keys.

    Exit 0 when every table matches within its type's tolerance, 1 otherwise. The table
    list, keys and types are the last build's manifest (the same the sync publishes).
    """
    import json

    from kpi.targets import warehouse_dsn
    from sync.compare import compare_warehouses
    from sync.manifest import GateError, exported_tables

    path = settings.dbt_target_path / "manifest.json"
    try:
        tables = exported_tables(json.loads(path.read_text()))
    except (OSError, ValueError, GateError) as exc:
        raise CliError(f"cannot read the exported marts from {path}: {exc}") from None
    left_dsn, right_dsn = warehouse_dsn(settings, left), warehouse_dsn(settings, right)
    results = compare_warehouses(left_dsn, right_dsn, tables)
    for result in results:
        print_table_diff(result)
    differing = [r for r in results if not r.matches]
    if differing:
        print(f"compare: {len(differing)} of {len(results)} tables differ")
        return EXIT_FAILED
    print(f"compare: all {len(results)} exported tables match")
    return 0


def print_table_diff(result: TableDiff) -> None:
    """One line per table, then up to a few example keys per kind (keys only)."""
    if result.error is not None:
        print(f"{result.table}: cannot compare: {result.error}")
        return
    counts = f"{result.left_rows:,} left, {result.right_rows:,} right"
    if result.matches:
        print(f"{result.table}: {counts}: same")
        return
    columns = ", ".join(f"{name} {n:,}" for name, n in sorted(result.differing_columns.items()))
    print(
        f"{result.table}: {counts}: {result.only_left:,} only left,"
        f" {result.only_right:,} only right, {result.differing:,} differing"
        + (f" ({columns})" if columns else "")
    )
    for label, keys in (
        ("only left", result.examples_only_left),
        ("only right", result.examples_only_right),
        ("differing", result.examples_differing),
    ):
        if keys:
            shown = "; ".join(_key_text(result.key_columns, key) for key in keys)
            print(f"  {label}: {shown}")


def _key_text(names: Sequence[str], key: Sequence[object]) -> str:
    """``provider_id=10001, market_id=3``: a key names its columns, so it can be looked up."""
    return ", ".join(f"{name}={value}" for name, value in zip(names, key, strict=True))

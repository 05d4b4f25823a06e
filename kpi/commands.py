"""The single-step ``kpi`` commands, as plain typed functions.

``kpi.cli`` parses the arguments and calls one of these; ``kpi.pipeline`` chains them
(``daily``, ``demo``). Each returns the exit status and raises :class:`CliError` for a
failure the user can act on. The work itself lives in ``synthetic``, dbt, ``sync`` and
``api``: these functions pick the databases, report progress and print the summary.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import date

from kpi import embedded
from kpi.backfill import drop_history
from kpi.databases import connections
from kpi.dbt_runner import run_dbt, write_profile
from kpi.docs_server import serve_directory
from kpi.errors import EXIT_NOT_RUNNING, CliError
from kpi.progress import print_row_counts, progress_reporter
from kpi.settings import Settings

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


def build_warehouse(
    settings: Settings,
    *,
    vars_: Mapping[str, object] | None = None,
    as_of: date | None = None,
    target: str | None = None,
    select: Sequence[str] | None = None,
) -> int:
    """``dbt build``; ``as_of`` is a shortcut for the ``as_of_date`` var."""
    conns = connections(settings)
    dbt_args = ["build"]
    if select:
        dbt_args += ["--select", *select]
    all_vars = dict(vars_ or {})
    if as_of is not None:
        all_vars["as_of_date"] = as_of.isoformat()
    if not run_dbt(settings, conns.warehouse_dsn, dbt_args, vars_=all_vars, target=target):
        raise CliError("dbt build failed: see the failures above (nothing was synced)")
    return 0


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
    return 0


# ------------------------------------------------------------------------ api and docs


def serve_api(settings: Settings, *, host: str, port: int, dev: bool, workers: int) -> int:
    """Run the read API and the Leader Hub page until Ctrl-C."""
    from api.server import serve

    conns = connections(settings)
    print(f"serving the API on http://{host}:{port} (docs: /schema; Ctrl-C to stop)")
    login = " (dev login on)" if dev else ""
    print(f"Leader Hub page: http://{host}:{port}/{login}")
    serve(settings, conns.app_dsn, host=host, port=port, dev_login=dev, workers=workers)
    return 0


def print_dev_token(
    settings: Settings, *, role: str, markets: Sequence[int], fraud: bool, ttl_seconds: int
) -> int:
    """Print a token signed with the dev key, for curl and the tests."""
    from api.tokens import mint_dev_token

    print(mint_dev_token(settings, role, list(markets), fraud, ttl_seconds=ttl_seconds))
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

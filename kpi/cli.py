"""The ``kpi`` command line. It only parses arguments and calls the modules that work.

Every expected failure (bad arguments, unreachable database, red build) ends with one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from kpi import embedded
from kpi.dbt_runner import DbtError, run_dbt, write_profile
from kpi.settings import Settings, SettingsError

if TYPE_CHECKING:  # numpy stays unimported until a command needs the generator
    from synthetic import Advance, Reporter

DEFAULT_SCALE = 0.02
DEFAULT_SEED = 42

EXIT_USAGE = 2
EXIT_FAILED = 1


class CliError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------- parsing


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _json_object(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"must be a JSON object, e.g. '{{\"visit_window\": 50}}', got {text!r}"
        )
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise CliError(f"{self.prog}: {message}", EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kpi", description="Clinical KPI marts: generate, build, sync, serve.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    db = commands.add_parser("db", help="the embedded PostgreSQL")
    db.add_argument("action", choices=["start", "stop", "status"])

    gen = commands.add_parser("generate", help="write deterministic synthetic source tables")
    gen.add_argument("--scale", type=_positive_float, default=DEFAULT_SCALE)
    gen.add_argument("--seed", type=_non_negative_int, default=DEFAULT_SEED)
    gen.add_argument("--as-of", type=_iso_date, default=None, help="report date (default today)")
    gen.add_argument("--replace", action="store_true", help="overwrite existing source data")

    build = commands.add_parser("build", help="dbt build (models, unit tests, data tests)")
    _add_dbt_arguments(build)
    build.add_argument("--select", "-s", nargs="+", default=None)

    sync = commands.add_parser("sync", help="publish the last green build into the app database")
    _add_sync_arguments(sync)

    daily = commands.add_parser("daily", help="build, then sync only if the build is green")
    _add_dbt_arguments(daily)
    _add_sync_arguments(daily)

    serve = commands.add_parser("serve", help="run the read API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--dev", action="store_true", help="enable the web page's dev login (mints dev tokens)"
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per CPU)",
    )

    token = commands.add_parser("token", help="mint a dev token signed with the dev key")
    token.add_argument("--role", default="", help='market role, e.g. "Market Manager"')
    token.add_argument("--markets", type=_market_list, default=[], help="market ids: 1,2,3")
    token.add_argument("--fraud", action="store_true", help="add the fraud_analyst role")
    token.add_argument("--ttl", type=_non_negative_int, default=8 * 3600, help="seconds")

    docs = commands.add_parser("docs", help="build the dbt docs site and serve it locally")
    docs.add_argument("--port", type=_non_negative_int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only generate the site")

    demo = commands.add_parser("demo", help="embedded database, generate, build, and report")
    demo.add_argument("--scale", type=_positive_float, default=DEFAULT_SCALE)
    demo.add_argument("--seed", type=_non_negative_int, default=DEFAULT_SEED)
    demo.add_argument("--as-of", type=_iso_date, default=None)
    demo.add_argument("--port", type=_port, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="stop after printing the tokens")
    return parser


def _port(text: str) -> int:
    value = _non_negative_int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 1-65535, got {text}")
    return value


def _market_list(text: str) -> list[int]:
    try:
        markets = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be market ids like 1,2,3, got {text!r}") from None
    if any(m < 1 for m in markets):
        raise argparse.ArgumentTypeError(f"market ids are 1 or more, got {text!r}")
    return markets


def _add_dbt_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--vars", type=_json_object, default=None, help="dbt vars as JSON")
    sub.add_argument("--as-of", type=_iso_date, default=None, help="shortcut for as_of_date")
    sub.add_argument("--target", default=None, help="dbt target (default: generated profile)")


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _add_sync_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--allow-shrink", action="store_true", help="publish even if a table loses rows"
    )
    sub.add_argument(
        "--min-fraction",
        type=_fraction,
        default=None,
        help="shrink guard: smallest allowed new/current row ratio (default 0.5)",
    )


# ------------------------------------------------------------------------- connections


def connections(settings: Settings) -> embedded.Connections:
    """The warehouse and app DSNs: the configured servers, or the embedded one."""
    if settings.embedded:
        try:
            return embedded.start(settings.pgdata)
        except embedded.EmbeddedServerError as exc:
            raise CliError(str(exc)) from None
    conns = embedded.Connections(settings.warehouse_dsn or "", settings.app_dsn or "")
    for name, dsn in (("KPI_WAREHOUSE_DSN", conns.warehouse_dsn), ("KPI_APP_DSN", conns.app_dsn)):
        try:
            with psycopg.connect(dsn, connect_timeout=5) as conn:
                conn.execute("select 1")
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CliError(f"cannot connect to {name}: {reason}") from None
    return conns


# ---------------------------------------------------------------------------- progress


@contextlib.contextmanager
def progress_reporter() -> Iterator[Reporter]:
    """A per-table progress bar on a terminal, plain lines elsewhere (CI, pipes)."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:

            def report(table: str, total: int) -> Advance:
                task = bar.add_task(table, total=total or None)
                return lambda n: bar.advance(task, n)

            yield report
        return

    def report_plain(table: str, total: int) -> Advance:
        print(f"  {table}" + (f" (~{total:,} rows)" if total else ""), file=sys.stderr, flush=True)
        return lambda n: None

    yield report_plain


# ---------------------------------------------------------------------------- commands


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.embedded:
        raise CliError("KPI_WAREHOUSE_DSN/KPI_APP_DSN are set: there is no embedded server")
    if args.action == "start":
        conns = connections(settings)
        write_profile(settings, conns.warehouse_dsn)
        print(f"embedded PostgreSQL running (data in {settings.pgdata})")
        print(f"KPI_WAREHOUSE_DSN={conns.warehouse_dsn}")
        print(f"KPI_APP_DSN={conns.app_dsn}")
    elif args.action == "stop":
        stopped = embedded.stop(settings.pgdata)
        print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    else:
        conns = embedded.running_connections(settings.pgdata)
        if conns is None:
            print(f"embedded PostgreSQL is not running (data dir {settings.pgdata})")
            return 3
        print(f"embedded PostgreSQL running (data in {settings.pgdata})")
        print(f"KPI_WAREHOUSE_DSN={conns.warehouse_dsn}")
        print(f"KPI_APP_DSN={conns.app_dsn}")
    return 0


def manifest_path(settings: Settings) -> Path:
    return settings.data_dir / "synthetic-manifest.json"


def cmd_generate(settings: Settings, args: argparse.Namespace) -> int:
    import synthetic

    conns = connections(settings)
    as_of = args.as_of or date.today()
    started = time.perf_counter()
    with progress_reporter() as reporter:
        try:
            result = synthetic.generate(
                conns.warehouse_dsn,
                scale=args.scale,
                seed=args.seed,
                as_of=as_of,
                replace=args.replace,
                reporter=reporter,
                manifest_path=manifest_path(settings),
            )
        except synthetic.SourcesNotEmptyError as exc:
            raise CliError(str(exc)) from None
    elapsed = time.perf_counter() - started
    total = sum(result.rows.values())
    print(
        f"generated {total:,} rows in {elapsed:.1f}s (scale {args.scale}, seed {args.seed},"
        f" as of {as_of.isoformat()})"
    )
    for table, rows in sorted(result.rows.items()):
        print(f"  {table:45s} {rows:>12,}")
    print(f"planted-fraud manifest: {manifest_path(settings)}")
    return 0


def _dbt_vars(args: argparse.Namespace) -> dict[str, object]:
    vars_ = dict(args.vars or {})
    if args.as_of is not None:
        vars_["as_of_date"] = args.as_of.isoformat()
    return vars_


def cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    conns = connections(settings)
    dbt_args = ["build"]
    if args.select:
        dbt_args += ["--select", *args.select]
    ok = run_dbt(settings, conns.warehouse_dsn, dbt_args, vars_=_dbt_vars(args), target=args.target)
    if not ok:
        raise CliError("dbt build failed: see the failures above (nothing was synced)")
    return 0


def cmd_sync(settings: Settings, args: argparse.Namespace) -> int:
    import sync

    conns = connections(settings)
    min_fraction = (
        args.min_fraction if args.min_fraction is not None else settings.sync_min_fraction
    )
    with progress_reporter() as reporter:
        try:
            result = sync.run_sync(
                conns.warehouse_dsn,
                conns.app_dsn,
                settings.dbt_target_path,
                allow_shrink=args.allow_shrink,
                min_fraction=min_fraction,
                reporter=reporter,
            )
        except (sync.GateError, sync.ShrinkError) as exc:
            raise CliError(f"sync refused: {exc}") from None
    total = sum(result.rows.values())
    print(
        f"synced {total:,} rows in {len(result.rows)} tables in {result.seconds:.1f}s"
        f" (as of {result.as_of_date}, sync run {result.run_id})"
    )
    for table, rows in sorted(result.rows.items()):
        print(f"  {table:45s} {rows:>12,}")
    return 0


def cmd_daily(settings: Settings, args: argparse.Namespace) -> int:
    try:
        cmd_build(settings, argparse.Namespace(**{**vars(args), "select": None}))
    except CliError as exc:
        raise CliError(f"{exc}; the app database still serves the previous sync") from None
    return cmd_sync(settings, args)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import api

    conns = connections(settings)
    print(f"serving the API on http://{args.host}:{args.port} (docs: /schema; Ctrl-C to stop)")
    login = " (dev login on)" if args.dev else ""
    print(f"Leader Hub page: http://{args.host}:{args.port}/{login}")
    api.serve(
        settings,
        conns.app_dsn,
        host=args.host,
        port=args.port,
        dev_login=args.dev,
        workers=args.workers,
    )
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    from api.tokens import mint_dev_token

    if not args.role and not args.fraud:
        raise CliError("kpi token: give --role ROLE (and --markets) and/or --fraud", EXIT_USAGE)
    print(mint_dev_token(settings, args.role, args.markets, args.fraud, ttl_seconds=args.ttl))
    return 0


def _demo_markets(app_dsn: str) -> list[int]:
    """The demo lead's markets: the first three markets that have ranked providers."""
    with psycopg.connect(app_dsn) as conn:
        rows = conn.execute(
            "select market_id from leader_hub.market_metrics order by market_id limit 3"
        ).fetchall()
    return [r[0] for r in rows]


def _print_demo_access(settings: Settings, app_dsn: str, port: int) -> None:
    from api.tokens import mint_dev_token

    markets = _demo_markets(app_dsn)
    lead = mint_dev_token(settings, "Market Manager", markets, False)
    analyst = mint_dev_token(settings, "", [], True)
    base = f"http://127.0.0.1:{port}"
    market = markets[0] if markets else 1
    print()
    print(f"Market Manager of markets {markets}:")
    print(f"  export LEAD_TOKEN={lead}")
    print("Fraud analyst:")
    print(f"  export FRAUD_TOKEN={analyst}")
    print()
    print("Try:")
    hub = f"{base}/v1/leader-hub-metrics"
    auth = '-H "Authorization: Bearer $LEAD_TOKEN"'
    print(f"  curl -s {auth} {hub}/markets")
    print(f"  curl -s {auth} {hub}/markets/{market}")
    print(f"  curl -s {auth} '{hub}/markets/{market}/providers?job_title=APP&per_page=5'")
    print(
        f'  curl -s -H "Authorization: Bearer $FRAUD_TOKEN"'
        f" '{base}/v1/fraud-reports/authorizations?type=DOCTOR&settlement_type=CITY'"
    )
    print(f"  open {base}/schema for the interactive API docs")
    print(f"  open {base}/ for the Leader Hub page (dev login: pick a demo role)")


def cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    conns = connections(settings)
    # A target folder of its own: the sync gate reads the build's manifest in target/.
    docs_dir = settings.data_dir / "docs"
    generate = ["docs", "generate", "--static", "--target-path", str(docs_dir)]
    if not run_dbt(settings, conns.warehouse_dsn, generate):
        raise CliError("dbt docs generate failed")
    site = docs_dir / "static_index.html"
    print(f"docs site: {site}")
    if args.no_serve:
        return 0
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(docs_dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
        print(f"serving http://127.0.0.1:{args.port}/static_index.html (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    conns = connections(settings)
    print(f"1/4 embedded PostgreSQL: {conns.warehouse_dsn}")
    as_of = args.as_of or date.today()
    gen_args = argparse.Namespace(scale=args.scale, seed=args.seed, as_of=as_of, replace=True)
    print("2/4 generating synthetic sources")
    cmd_generate(settings, gen_args)
    print("3/4 dbt build")
    build_args = argparse.Namespace(vars=None, as_of=as_of, target=None, select=None)
    cmd_build(settings, build_args)
    print("4/4 sync into the app database")
    cmd_sync(settings, argparse.Namespace(allow_shrink=True, min_fraction=None))
    print("demo build is green and published: app database schemas leader_hub and fraud")
    _print_demo_access(settings, conns.app_dsn, args.port)
    if args.no_serve:
        return 0
    print()
    return cmd_serve(
        settings,
        argparse.Namespace(host="127.0.0.1", port=args.port, dev=True, workers=os.cpu_count() or 1),
    )


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "db": cmd_db,
    "generate": cmd_generate,
    "build": cmd_build,
    "sync": cmd_sync,
    "daily": cmd_daily,
    "serve": cmd_serve,
    "token": cmd_token,
    "docs": cmd_docs,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        settings = Settings.from_env()
        return COMMANDS[args.command](settings, args)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DbtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection failed"
        print(f"error: database unreachable: {reason}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

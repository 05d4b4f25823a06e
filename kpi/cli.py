"""The ``kpi`` command line. It only parses arguments and calls the modules that work.

``kpi.commands`` holds the single-step commands, ``kpi.pipeline`` the ones that chain
them (``daily``, ``demo``); both take typed arguments, never an argparse Namespace.
Every expected failure (bad arguments, unreachable database, red build) ends with one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import yaml

from kpi import audit_command, backfill, commands, pipeline
from kpi.dbt_runner import DbtError
from kpi.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, CliError, first_line
from kpi.settings import Settings, SettingsError

DEFAULT_SCALE = 0.02
DEFAULT_SEED = 42


# ---------------------------------------------------------------------- argument types
# Each raises ArgumentTypeError with the reason; _Parser turns it into one line, exit 2.


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _positive_float(text: str) -> float:
    value = _number(text)
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
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


def _port(text: str) -> int:
    value = _non_negative_int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 1-65535, got {text}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _yaml_mapping(text: str) -> dict[str, object]:
    """dbt vars as dbt's own ``--vars`` takes them: a YAML mapping (JSON is YAML too)."""
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date like 2026-02-30
        reason = str(getattr(exc, "problem", None) or exc or "not YAML").strip()
        raise argparse.ArgumentTypeError(
            f"not a YAML or JSON mapping ({reason}), e.g. '{{as_of_date: \"2026-06-30\"}}'"
        ) from None
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise argparse.ArgumentTypeError(
            f"must be a YAML or JSON mapping of var names to values,"
            f" e.g. '{{visit_window: 50}}', got {text!r}"
        )
    return value


def _audit_subject(text: str) -> str:
    subject = text.strip()
    if not subject or len(subject) > 100:
        raise argparse.ArgumentTypeError("must be a patient Athena id or care request id")
    return subject


def _market_list(text: str) -> list[int]:
    try:
        markets = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be market ids like 1,2,3, got {text!r}") from None
    if any(m < 1 for m in markets):
        raise argparse.ArgumentTypeError(f"market ids are 1 or more, got {text!r}")
    return markets


# ---------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise CliError(f"{self.prog}: {message}", EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kpi", description="Clinical KPI marts: generate, build, sync, serve.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    db = subparsers.add_parser("db", help="the embedded PostgreSQL")
    db.add_argument("action", choices=list(_DB_ACTIONS))

    gen = subparsers.add_parser("generate", help="write deterministic synthetic source tables")
    _add_source_arguments(gen)
    gen.add_argument("--replace", action="store_true", help="overwrite existing source data")
    gen.add_argument(
        "--format",
        choices=("postgres", "csv"),
        default="postgres",
        help="postgres: into the warehouse (default); csv: files for S3 and Redshift COPY",
    )
    gen.add_argument(
        "--out", type=Path, default=None, help="folder of the CSV files (--format csv)"
    )

    build = subparsers.add_parser("build", help="dbt build (models, unit tests, data tests)")
    _add_dbt_arguments(build)
    build.add_argument("--select", "-s", nargs="+", default=None)
    build.add_argument("--exclude", nargs="+", default=None)

    _add_backfill_parser(subparsers)

    sync = subparsers.add_parser("sync", help="publish the last green build into the app database")
    _add_sync_arguments(sync)

    daily = subparsers.add_parser("daily", help="build, then sync only if the build is green")
    _add_dbt_arguments(daily)
    _add_sync_arguments(daily)

    serve = subparsers.add_parser("serve", help="run the read API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--dev", action="store_true", help="enable the web page's dev login (mints dev tokens)"
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=commands.DEFAULT_WORKERS,
        help="worker processes (default: one per CPU)",
    )

    token = subparsers.add_parser("token", help="mint a dev token signed with the dev key")
    token.add_argument("--role", default="", help='market role, e.g. "Market Manager"')
    token.add_argument("--markets", type=_market_list, default=[], help="market ids: 1,2,3")
    token.add_argument("--fraud", action="store_true", help="add the fraud_analyst role")
    token.add_argument("--ttl", type=_non_negative_int, default=8 * 3600, help="seconds")
    token.add_argument(
        "--user-id", type=_positive_int, default=None, help="Station user id (personal hub)"
    )

    _add_audit_parser(subparsers)
    _add_compare_parser(subparsers)

    docs = subparsers.add_parser("docs", help="build the dbt docs site and serve it locally")
    docs.add_argument("--port", type=_non_negative_int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only generate the site")

    demo = subparsers.add_parser("demo", help="embedded database, generate, build, and report")
    _add_source_arguments(demo)
    demo.add_argument("--port", type=_port, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="stop after printing the tokens")
    return parser


def _add_backfill_parser(subparsers: Any) -> None:
    """``kpi backfill``: past report dates of the metric history (SPEC §12)."""
    history = subparsers.add_parser(
        "backfill", help="build the metric history of past report dates"
    )
    dates = history.add_mutually_exclusive_group(required=True)
    dates.add_argument("--weeks", type=_positive_int, help="weekly dates D, D-7, ... (N of them)")
    dates.add_argument("--from", dest="from_", type=_iso_date, help="first date (with --to)")
    history.add_argument("--as-of", type=_iso_date, default=None, help="D (default today)")
    history.add_argument("--to", type=_iso_date, default=None, help="last date, inclusive")
    history.add_argument("--step-days", type=_positive_int, default=None, help="K (default 1)")
    history.add_argument("--force", action="store_true", help="rebuild dates already present")
    history.add_argument("--target", default=None, help="dbt target (default: generated profile)")


def _add_audit_parser(subparsers: Any) -> None:
    """``kpi audit``: who read which patients' visits (SPEC §14)."""
    audit = subparsers.add_parser("audit", help="who read which patients' visits (PHI audit)")
    about = audit.add_mutually_exclusive_group(required=True)
    about.add_argument("--provider", type=_positive_int, help="accesses to this provider's visits")
    about.add_argument(
        "--subject", type=_audit_subject, help="a patient Athena id or care request id"
    )
    audit.add_argument("--since", type=_iso_date, default=None, help="from this day (UTC)")


def _add_compare_parser(subparsers: Any) -> None:
    """``kpi compare``: two warehouses' exported marts, key by key (issue 13)."""
    compare = subparsers.add_parser(
        "compare", help="diff the exported marts of two warehouses on their unique keys"
    )
    compare.add_argument("left", help="a DSN (postgresql://...) or a dbt target name")
    compare.add_argument("right", help="a DSN (postgresql://...) or a dbt target name")


def _add_source_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--scale", type=_positive_float, default=DEFAULT_SCALE)
    sub.add_argument("--seed", type=_non_negative_int, default=DEFAULT_SEED)
    sub.add_argument("--as-of", type=_iso_date, default=None, help="report date (default today)")


def _add_dbt_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--vars", type=_yaml_mapping, default=None, help="dbt vars: a YAML or JSON mapping"
    )
    sub.add_argument("--as-of", type=_iso_date, default=None, help="shortcut for as_of_date")
    sub.add_argument("--target", default=None, help="dbt target (default: generated profile)")


def _add_sync_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--allow-shrink", action="store_true", help="publish even if a table loses rows"
    )
    sub.add_argument(
        "--allow-older",
        action="store_true",
        help="publish a build whose as_of_date is older than the published one",
    )
    sub.add_argument(
        "--min-fraction",
        type=_fraction,
        default=None,
        help="shrink guard: smallest allowed new/current row ratio (default 0.5)",
    )


# ---------------------------------------------------------------------------- dispatch


def _token(settings: Settings, args: argparse.Namespace) -> int:
    if not args.role and not args.fraud and args.user_id is None:
        raise CliError(
            "kpi token: give --role ROLE (and --markets), --user-id and/or --fraud", EXIT_USAGE
        )
    return commands.print_dev_token(
        settings,
        role=args.role,
        markets=args.markets,
        fraud=args.fraud,
        ttl_seconds=args.ttl,
        user_id=args.user_id,
    )


def _backfill(settings: Settings, args: argparse.Namespace) -> int:
    """``--weeks N [--as-of D]`` or ``--from D1 --to D2 [--step-days K]``, nothing mixed."""
    if args.weeks is not None:
        if args.to is not None or args.step_days is not None:
            raise CliError(
                "kpi backfill: --to and --step-days go with --from, not --weeks", EXIT_USAGE
            )
        dates = backfill.weekly_dates(args.as_of or date.today(), args.weeks)
    else:
        if args.to is None:
            raise CliError("kpi backfill: --from needs --to (the last date, inclusive)", EXIT_USAGE)
        if args.as_of is not None:
            raise CliError("kpi backfill: --as-of goes with --weeks, not --from/--to", EXIT_USAGE)
        dates = backfill.range_dates(args.from_, args.to, args.step_days or 1)
    return backfill.backfill(settings, dates, force=args.force, target=args.target)


def _generate(settings: Settings, args: argparse.Namespace) -> int:
    """Into the warehouse, or as CSV files (Redshift loads from S3, not from a stream)."""
    if args.format == "csv":
        if args.out is None:
            raise CliError("kpi generate: --format csv needs --out DIR", EXIT_USAGE)
        return commands.generate_csv_files(
            settings, out_dir=args.out, scale=args.scale, seed=args.seed, as_of=args.as_of
        )
    if args.out is not None:
        raise CliError("kpi generate: --out is for --format csv", EXIT_USAGE)
    return commands.generate_sources(
        settings, scale=args.scale, seed=args.seed, as_of=args.as_of, replace=args.replace
    )


_DB_ACTIONS: dict[str, Callable[[Settings], int]] = {
    "start": commands.db_start,
    "stop": commands.db_stop,
    "status": commands.db_status,
}

# Each entry only unpacks the parsed arguments into one typed call.
COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "db": lambda settings, a: _DB_ACTIONS[a.action](settings),
    "generate": _generate,
    "build": lambda settings, a: commands.build_warehouse(
        settings,
        vars_=a.vars,
        as_of=a.as_of,
        target=a.target,
        select=a.select,
        exclude=a.exclude,
    ),
    "backfill": _backfill,
    "sync": lambda settings, a: commands.sync_app(
        settings,
        allow_shrink=a.allow_shrink,
        min_fraction=a.min_fraction,
        allow_older=a.allow_older,
    ),
    "daily": lambda settings, a: pipeline.daily(
        settings,
        vars_=a.vars,
        as_of=a.as_of,
        target=a.target,
        allow_shrink=a.allow_shrink,
        min_fraction=a.min_fraction,
        allow_older=a.allow_older,
    ),
    "serve": lambda settings, a: commands.serve_api(
        settings, host=a.host, port=a.port, dev=a.dev, workers=a.workers
    ),
    "token": _token,
    "audit": lambda settings, a: audit_command.print_accesses(
        settings, provider=a.provider, subject=a.subject, since=a.since
    ),
    "compare": lambda settings, a: commands.compare_marts(settings, left=a.left, right=a.right),
    "docs": lambda settings, a: commands.build_docs(settings, port=a.port, serve=not a.no_serve),
    "demo": lambda settings, a: pipeline.demo(
        settings, scale=a.scale, seed=a.seed, as_of=a.as_of, port=a.port, serve=not a.no_serve
    ),
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
        reason = first_line(exc, "connection failed")
        print(f"error: database unreachable: {reason}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

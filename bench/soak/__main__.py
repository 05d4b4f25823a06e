"""``python -m bench.soak``: set up (or reuse) the two builds, soak, report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from bench import soak
from bench.common import log, write_result
from bench.soak.report import markdown
from bench.soak.runner import run
from bench.soak.snapshots import prepare, reuse
from kpi.settings import PROJECT_DIR

DEFAULT_AS_OF = date(2026, 11, 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=soak.__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument(
        "--sync-pause",
        type=float,
        default=None,
        help="seconds between syncs (default: as long as the last sync took)",
    )
    parser.add_argument("--data-dir", type=Path, default=PROJECT_DIR / ".kpi" / "soak")
    parser.add_argument("--reuse", action="store_true", help="skip setup: reuse the last one")
    parser.add_argument("--no-results", action="store_true", help="do not write soak.json")
    args = parser.parse_args(argv)
    if not args.scale > 0 or args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--scale, --duration, --clients and --max-requests must be positive")
    data_dir = args.data_dir.resolve()
    if args.reuse:
        app_dsn, snapshots = reuse(data_dir, args.as_of)
    else:
        app_dsn, snapshots = prepare(data_dir, args.scale, args.as_of)
    report = run(
        app_dsn,
        snapshots,
        data_dir=data_dir,
        duration=args.duration,
        clients=args.clients,
        max_requests=args.max_requests,
        sync_pause=args.sync_pause,
    )
    report["scale"] = args.scale
    report["date"] = date.today().isoformat()
    report["machine"] = f"{os.uname().machine}, {os.cpu_count()} cores"
    if not args.no_results:
        write_result("soak.json", report)
    log(markdown(report))
    print(json.dumps(report, indent=2))
    return 0 if report["errors"] == 0 and report["mixed_snapshots"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

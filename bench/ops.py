"""Benchmark issue 18's per-request work against the same app without it (BENCHMARKS.md).

* the visits endpoint with the PHI audit on (every response queues a row; a task writes
  them in batches) against the same app with the audit off: the ratio must be ≥ 0.90;
* the ranking endpoint with the request log + metrics wrapper (``api.observability``,
  ``api.metrics``) against the app without it: the cost must be ≤ 5 %;
* beside them, pgbench running each endpoint's SQL (the database's ceiling).

Every figure at 16 connections, response cache off, as ``kpi serve`` runs the app
(uvicorn + uvloop, one worker per CPU). Each pair is measured off, on, off, on and the
mean of each side is compared, so drift of the shared machine hits both sides.

    python -m bench.ops [--app-dsn DSN] [--seconds 4]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from bench.api import served_config
from bench.common import log, write_result
from bench.drivers import load, pgbench
from bench.endpoints import ENDPOINTS, pgbench_script, sample
from bench.serve import server, token

CONNECTIONS = 16
ROUNDS = 2


def _rps(work: dict[str, Any], endpoint: str, env: dict[str, str]) -> dict[str, Any]:
    config = served_config()
    with server(
        config.server,
        "real",
        work["dsn"],
        work["params_file"],
        workers=config.workers,
        pool=config.pool,
        env=env,
    ) as port:
        paths = work["paths"][endpoint]
        load(port, paths, CONNECTIONS, 1.0, work["bearer"])  # warm up
        return load(port, paths, CONNECTIONS, work["seconds"], work["bearer"])


def _pair(work: dict[str, Any], endpoint: str, switch: str) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for _ in range(ROUNDS):
        for side in ("off", "on"):
            runs[side].append(_rps(work, endpoint, {switch: "1" if side == "on" else "0"}))
    mean = {side: sum(r["rps"] for r in rs) / len(rs) for side, rs in runs.items()}
    script = pgbench_script(endpoint, work["params"][endpoint][:500])
    return {
        "endpoint": endpoint,
        "switch": switch,
        "off_rps": mean["off"],
        "on_rps": mean["on"],
        "ratio": mean["on"] / mean["off"],
        "runs": runs,
        "pgbench": pgbench(work["dsn"], script, CONNECTIONS, work["seconds"]),
    }


def run(app_dsn: str, seconds: float) -> dict[str, Any]:
    markets, params = sample(app_dsn)
    with tempfile.TemporaryDirectory() as tmp:
        params_file = Path(tmp) / "params.json"
        params_file.write_text(json.dumps(params))
        work = {
            "dsn": app_dsn,
            "params_file": params_file,
            "params": params,
            "paths": {name: [e.path(v) for v in params[name]] for name, e in ENDPOINTS.items()},
            "bearer": token(markets),
            "seconds": seconds,
        }
        return {
            "audit": _pair(work, "visits", "BENCH_AUDIT"),
            "observability": _pair(work, "ranking", "BENCH_OBSERVABILITY"),
        }


def markdown(report: dict[str, Any]) -> str:
    rows = [
        "| measured (16 connections) | without | with | ratio | ceiling | pgbench (same SQL) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label, ceiling in (
        ("audit", "visits, PHI audit", "≥ 0.90"),
        ("observability", "ranking, request log + metrics", "≥ 0.95"),
    ):
        pair = report[key]
        rows.append(
            f"| {label} | {pair['off_rps']:,.0f} req/s | {pair['on_rps']:,.0f} req/s"
            f" | {pair['ratio']:.3f} | {ceiling} | {pair['pgbench'].get('rps', 0):,.0f} tps |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ops")
    parser.add_argument("--app-dsn", required=True, help="a published app database (owner)")
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    report = run(args.app_dsn, args.seconds)
    write_result("ops.json", report)
    log(markdown(report))


if __name__ == "__main__":
    main()

"""Benchmark issue 18's per-request work against the same app without it (BENCHMARKS.md).

* the visits endpoint with the PHI audit on (every response queues a row; a task writes
  them in batches) against the same app with the audit off: the ratio must be ≥ 0.90;
* the ranking endpoint with the request log + metrics wrapper (``api.observability``,
  ``api.metrics``) against the app without it: the cost must be ≤ 5 %;
* beside them, pgbench running each endpoint's SQL (the database's ceiling).

Every figure at 16 connections, response cache off, as ``kpi serve`` runs the app
(uvicorn + uvloop, one worker per CPU, Prometheus in multiprocess mode). Each pair is
measured with both servers up and the load on one at a time, in ABBA order (off, on, on,
off, off, on, …: a drift of the shared machine that is linear in time cancels out); the
mean of each side is compared.

Beside req/s, each run measures the CPU the request costs: the seconds of CPU the
server's processes and the database's (every process of the PostgreSQL cluster serving
the DSN: the API's backends, the audit writer's, autovacuum, the WAL writer) used during
the load, per request answered. Other people's load moves req/s a lot on a shared
machine, CPU per request much less; ``cpu_ratio`` (off / on) is what the throughput
ratio would be on a machine whose only work is this (the load generator's own CPU, the
same on both sides, left out).

    python -m bench.ops [--app-dsn DSN] [--seconds 4] [--rounds 4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from psycopg.conninfo import conninfo_to_dict

from bench.api import served_config
from bench.common import log, write_result
from bench.drivers import load, pgbench
from bench.endpoints import ENDPOINTS, pgbench_script, sample
from bench.serve import server, token

CONNECTIONS = 16
ROUNDS = 4  # sides measured per pair: ABBA order, so a multiple of 2


def _server_processes(port: int) -> list[psutil.Process]:
    """``bench.serve`` on ``port`` and its worker processes."""
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "bench.serve" in cmdline and str(port) in cmdline:
            return [proc, *proc.children(recursive=True)]
    return []


def _database_processes(dsn: str) -> list[psutil.Process]:
    """Every process of the PostgreSQL cluster at ``dsn`` when it runs on this machine
    (the embedded server: its socket directory is its data directory), else none."""
    pid_file = Path(str(conninfo_to_dict(dsn).get("host", ""))) / "postmaster.pid"
    try:
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        return [postmaster, *postmaster.children()]
    except (OSError, ValueError, psutil.Error):
        return []


def _cpu(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:  # exited meanwhile
            continue
        seconds[proc.pid] = times.user + times.system
    return seconds


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two samples (a process started in between counts in full)."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


@contextlib.contextmanager
def _served(work: dict[str, Any], env: dict[str, str]) -> Iterator[int]:
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
        yield port


def _measure(work: dict[str, Any], endpoint: str, port: int) -> dict[str, Any]:
    """One load run against the server on ``port``, with the CPU it and the database used."""
    paths = work["paths"][endpoint]
    served, database = _server_processes(port), _database_processes(work["dsn"])
    before = (_cpu(served), _cpu(served + database))
    result = load(port, paths, CONNECTIONS, work["seconds"], work["bearer"])
    database = _database_processes(work["dsn"])  # backends opened meanwhile too
    server_cpu = _cpu_used(before[0], _cpu(served))
    total_cpu = _cpu_used(before[1], _cpu(served + database))
    requests = max(result["requests"], 1)
    return result | {
        "server_cpu_us_per_request": server_cpu / requests * 1e6,
        "cpu_us_per_request": total_cpu / requests * 1e6,
    }


def _mean(runs: list[dict[str, Any]], key: str) -> float:
    return sum(run[key] for run in runs) / len(runs)


def _pair(work: dict[str, Any], endpoint: str, switch: str) -> dict[str, Any]:
    """Both servers up at once (a cold start takes a minute on a loaded machine), the load
    on one at a time in ABBA order."""
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    load_average = [os.getloadavg()[0]]
    with _served(work, {switch: "0"}) as off, _served(work, {switch: "1"}) as on:
        ports = {"off": off, "on": on}
        for port in ports.values():
            load(port, work["paths"][endpoint], CONNECTIONS, 1.0, work["bearer"])  # warm up
        for round_ in range(work["rounds"]):
            for side in ("off", "on") if round_ % 2 == 0 else ("on", "off"):
                runs[side].append(_measure(work, endpoint, ports[side]))
                load_average.append(os.getloadavg()[0])
    mean = {side: _mean(rs, "rps") for side, rs in runs.items()}
    cpu = {side: _mean(rs, "cpu_us_per_request") for side, rs in runs.items()}
    script = pgbench_script(endpoint, work["params"][endpoint][:500])
    return {
        "endpoint": endpoint,
        "switch": switch,
        "off_rps": mean["off"],
        "on_rps": mean["on"],
        "ratio": mean["on"] / mean["off"],
        "off_cpu_us": cpu["off"],
        "on_cpu_us": cpu["on"],
        "cpu_ratio": cpu["off"] / cpu["on"],
        "load_average": [min(load_average), max(load_average)],
        "runs": runs,
        "pgbench": pgbench(work["dsn"], script, CONNECTIONS, work["seconds"]),
    }


def run(app_dsn: str, seconds: float, rounds: int = ROUNDS) -> dict[str, Any]:
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
            "rounds": rounds,
        }
        return {
            "audit": _pair(work, "visits", "BENCH_AUDIT"),
            "observability": _pair(work, "ranking", "BENCH_OBSERVABILITY"),
        }


def markdown(report: dict[str, Any]) -> str:
    rows = [
        "| measured (16 connections) | without | with | ratio | CPU µs/request without / with"
        " | CPU ratio | ceiling | pgbench (same SQL) | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, ceiling in (
        ("audit", "visits, PHI audit", "≥ 0.90"),
        ("observability", "ranking, request log + metrics", "≥ 0.95"),
    ):
        pair = report[key]
        low, high = pair["load_average"]
        rows.append(
            f"| {label} | {pair['off_rps']:,.0f} req/s | {pair['on_rps']:,.0f} req/s"
            f" | {pair['ratio']:.3f} | {pair['off_cpu_us']:,.0f} / {pair['on_cpu_us']:,.0f}"
            f" | {pair['cpu_ratio']:.3f} | {ceiling} | {pair['pgbench'].get('rps', 0):,.0f} tps"
            f" | {low:.1f}–{high:.1f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ops")
    parser.add_argument("--app-dsn", required=True, help="a published app database (owner)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="runs per side (even)")
    args = parser.parse_args()
    if args.rounds < 2 or args.rounds % 2:
        parser.error("--rounds must be an even number ≥ 2 (ABBA order)")
    report = run(args.app_dsn, args.seconds, args.rounds)
    write_result("ops.json", report)
    log(markdown(report))


if __name__ == "__main__":
    main()

"""Benchmark the read API against its ceilings, in one run on one app database.

For each endpoint, at 1, 16 and 64 connections: p50/p99 and req/s of the real app (auth,
validation, typed responses, response cache off) from a load generator in its own process
(``wrk`` + bench/wrk.lua, or bench/loadgen.py when wrk is missing), with a token of a lead
of several markets and random markets/providers/shifts/pages. Beside it, at 16
connections: ``pgbench`` running the endpoint's SQL (same random parameters) and a
minimal Litestar app (no auth, no validation) running that same SQL; both apps are up at
once and their c=16 runs alternate (app, minimal, minimal, app), so that the machine's
drift during a run favours neither side of the ratio. First the server
choice (uvicorn h11 / uvicorn uvloop+httptools / granian, 1 or one-per-CPU workers, pool
size) on the ranking endpoint; every other figure is of what ``kpi serve`` runs
(uvicorn + uvloop + httptools, one worker per CPU, the default pool). Last, the response
cache on repeated ranking requests.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from bench.common import checkpoint
from bench.drivers import load, pgbench
from bench.endpoints import ENDPOINTS, pgbench_script, sample
from bench.serve import server, token
from kpi.settings import DEFAULT_DB_POOL_SIZE

CONNECTIONS = (1, 16, 64)


class ServerConfig(NamedTuple):
    """How the real app is served: the server, its worker processes, each one's pool size."""

    server: str
    workers: int
    pool: int


def served_config() -> ServerConfig:
    """What ``kpi serve`` runs: uvicorn + uvloop + httptools, one worker per CPU, the default
    pool. Every figure past the server sweep is of this configuration, not the sweep's best:
    the table is what a user gets."""
    return ServerConfig("uvicorn-uvloop", os.cpu_count() or 1, DEFAULT_DB_POOL_SIZE)


def server_sweep(served: ServerConfig) -> list[ServerConfig]:
    """The server choices compared on the ranking endpoint, ``kpi serve``'s among them."""
    return [
        ServerConfig("uvicorn", 1, DEFAULT_DB_POOL_SIZE),
        ServerConfig("uvicorn-uvloop", 1, DEFAULT_DB_POOL_SIZE),
        served,
        ServerConfig("uvicorn-uvloop", served.workers, 4),
        ServerConfig("uvicorn-uvloop", served.workers, 20),
        ServerConfig("granian", 1, DEFAULT_DB_POOL_SIZE),
        ServerConfig("granian", served.workers, DEFAULT_DB_POOL_SIZE),
    ]


def seconds_per_run() -> float:
    return float(os.environ.get("BENCH_API_SECONDS", "4"))


def settle(app_dsn: str, limit_seconds: float = 240.0) -> dict[str, Any]:
    """Bring the server to the state the API sees most of the day before measuring it.

    Right after a pipeline run, autovacuum workers are still going through the millions of
    rows generate and build just wrote, and the checkpointer is flushing them: both take
    the same two cores the API and the load generator need (a ranking probe right after
    the scale-0.5 pipeline: 919 req/s, p99 34 ms). So: vacuum-analyze the app database,
    wait (up to ``limit_seconds``) until no autovacuum worker runs, then checkpoint.
    """
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        conn.execute("vacuum (analyze)")
        while True:
            (workers,) = conn.execute(
                "select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'"
            ).fetchone()
            if not workers or time.perf_counter() - started > limit_seconds:
                break
            time.sleep(2)
    checkpoint(app_dsn)
    return {
        "seconds": time.perf_counter() - started,
        "autovacuum_workers_left": workers,
        "load_average_1m": os.getloadavg()[0],
    }


@dataclass(frozen=True)
class Workload:
    """One API benchmark's fixed inputs: the database, the sampled requests and the token."""

    app_dsn: str
    params_file: Path  # the parameter sets, for the minimal app
    params: dict[str, list[dict[str, Any]]]  # endpoint -> parameter sets
    paths: dict[str, list[str]]  # endpoint -> the real app's paths of those sets
    bearer: str
    seconds: float  # of each measured load run
    log: Callable[[str], None]
    endpoints: tuple[str, ...] = tuple(ENDPOINTS)  # the endpoints measured

    def serve(
        self, config: ServerConfig, app: str = "real", cache: bool = False
    ) -> AbstractContextManager[int]:
        """``app`` ("real" or "minimal") served under ``config``; yields its port."""
        return server(
            config.server,
            app,
            self.app_dsn,
            self.params_file,
            workers=config.workers,
            pool=config.pool,
            cache=cache,
        )


def compare_servers(work: Workload, configs: list[ServerConfig]) -> list[dict[str, Any]]:
    """Ranking at 16 connections, response cache off, under each server configuration."""
    servers = []
    for config in configs:
        with work.serve(config) as port:
            load(port, work.paths["ranking"], 16, 1.0, work.bearer)  # warm up
            result = load(port, work.paths["ranking"], 16, work.seconds, work.bearer)
        result.update(config._asdict())
        servers.append(result)
        work.log(
            f"  server {config.server} x{config.workers} pool {config.pool}:"
            f" {result['rps']:,.0f} req/s, p99 {result['p99_ms']:.1f} ms"
        )
    return servers


ABBA = ("app", "minimal", "minimal", "app")  # the order of the c=16 runs of an endpoint


def _combined(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs of one side at 16 connections as one figure: mean req/s and p50, the worst
    p99, the requests and errors summed; the runs themselves kept beside."""
    return {
        "tool": runs[0]["tool"],
        "connections": runs[0]["connections"],
        "requests": sum(r["requests"] for r in runs),
        "rps": sum(r["rps"] for r in runs) / len(runs),
        "p50_ms": sum(r["p50_ms"] for r in runs) / len(runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def measure_pair(work: Workload, name: str, ports: dict[str, int]) -> dict[str, Any]:
    """One endpoint on both apps (both up at once): the real app at 1 and 64 connections,
    and at 16 the real and the minimal app in ABBA order. The machine's speed drifts by up
    to 3x within a run; alternating the two sides of the ratio keeps the drift out of it
    (measuring every endpoint of the real app first and the minimal app after did not)."""
    paths = {
        "app": work.paths[name],
        "minimal": [f"/min/{name}/{i}" for i in range(len(work.params[name]))],
    }
    bearer = {"app": work.bearer, "minimal": ""}
    for side in ("app", "minimal"):
        load(ports[side], paths[side], 16, 1.0, bearer[side])  # warm up
    at_16: dict[str, list[dict[str, Any]]] = {"app": [], "minimal": []}
    for side in ABBA:
        at_16[side].append(load(ports[side], paths[side], 16, work.seconds, bearer[side]))
    app = {
        1: load(ports["app"], paths["app"], 1, work.seconds, work.bearer),
        16: _combined(at_16["app"]),
        64: load(ports["app"], paths["app"], 64, work.seconds, work.bearer),
    }
    return {"app": app, "minimal": _combined(at_16["minimal"])}


def measure_endpoints(work: Workload, config: ServerConfig) -> dict[str, Any]:
    """Per endpoint: the real app, the minimal app (same SQL, no auth, validation or
    types: the ceiling the real app is held to) and pgbench running the endpoint's SQL."""
    endpoints: dict[str, Any] = {}
    with work.serve(config) as app_port, work.serve(config, "minimal") as minimal_port:
        for name in work.endpoints:
            endpoints[name] = measure_pair(work, name, {"app": app_port, "minimal": minimal_port})
            app, minimal = endpoints[name]["app"], endpoints[name]["minimal"]
            work.log(
                f"  {name}: "
                + ", ".join(
                    f"c{c} {r['rps']:,.0f} req/s p99 {r['p99_ms']:.1f} ms" for c, r in app.items()
                )
                + f"; minimal c16 {minimal['rps']:,.0f} req/s"
            )
    for name in work.endpoints:
        script = pgbench_script(name, work.params[name][:500])
        endpoints[name]["pgbench"] = on_postgres = pgbench(work.app_dsn, script, 16, work.seconds)
        work.log(f"  {name}: pgbench {on_postgres.get('rps', 0):,.0f} tps")
    return endpoints


def measure_cache(work: Workload, config: ServerConfig) -> dict[str, Any]:
    """The response cache on repeated ranking requests (the lead's first pages): 200s, then
    304s to If-None-Match."""
    repeated = sorted(set(work.paths["ranking"]))[:20]
    with work.serve(config, cache=True) as port:
        load(port, repeated, 16, 1.0, work.bearer)
        cached = load(port, repeated, 16, work.seconds, work.bearer)
        etag = _etag(port, repeated[0], work.bearer)
        not_modified = load(port, repeated[:1], 16, work.seconds, work.bearer, if_none_match=etag)
    work.log(f"  cache: {cached['rps']:,.0f} req/s (200), {not_modified['rps']:,.0f} req/s (304)")
    return {"distinct_paths": len(repeated), "ranking_200": cached, "ranking_304": not_modified}


def run(
    app_dsn: str,
    *,
    full: bool = True,
    server_kind: str | None = None,
    workers: int | None = None,
    log: Callable[[str], None] = print,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """The whole API benchmark (``full``) or only ranking at 16 connections (scale curve).

    ``only``: just these endpoints (app, minimal app, pgbench), under what ``kpi serve``
    runs, without the server sweep and the cache run: to measure a new endpoint alone.
    """
    seconds = seconds_per_run()
    settled = settle(app_dsn)
    log(
        f"  settled in {settled['seconds']:.0f} s (autovacuum workers left:"
        f" {settled['autovacuum_workers_left']}, load {settled['load_average_1m']:.1f})"
    )
    markets, params = sample(app_dsn)
    bearer = token(markets, user_id=params["me"][0]["provider_id"])
    report: dict[str, Any] = {
        "lead_markets": markets,
        "seconds_per_run": seconds,
        "settled": settled,
    }
    with tempfile.TemporaryDirectory() as tmp:
        params_file = Path(tmp) / "params.json"
        params_file.write_text(json.dumps(params))
        paths = {name: [e.path(v) for v in params[name]] for name, e in ENDPOINTS.items()}
        work = Workload(app_dsn, params_file, params, paths, bearer, seconds, log)
        served = served_config()
        if only:
            work = dataclasses.replace(work, endpoints=tuple(only))
            report["chosen"] = served._asdict()
            report["endpoints"] = measure_endpoints(work, served)
            return report
        if full:
            configs = server_sweep(served)
        else:
            configs = [
                ServerConfig(server_kind or served.server, workers or served.workers, served.pool)
            ]
        report["servers"] = compare_servers(work, configs)
        chosen = served if full else configs[0]
        report["chosen"] = chosen._asdict()
        if not full:
            report["ranking_16"] = report["servers"][0]
            return report
        report["endpoints"] = measure_endpoints(work, chosen)
        report["cache"] = measure_cache(work, chosen)
    return report


def _etag(port: int, path: str, bearer: str) -> str:
    import httpx

    response = httpx.get(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {bearer}"}
    )
    return response.headers.get("etag", "")


def app_dsn_of(data_dir: Path) -> str:
    """The app database of the bench's embedded PostgreSQL (started if it is not running)."""
    from bench.pipeline import start_db

    dsns = start_db(data_dir)
    if "KPI_APP_DSN" in dsns:
        return dsns["KPI_APP_DSN"]
    raise SystemExit("bench: no KPI_APP_DSN from `kpi db start`")


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| endpoint | c=1 req/s | c=1 p50/p99 ms | c=16 req/s | c=16 p50/p99 ms |"
        " c=64 req/s | c=64 p99 ms | minimal app c=16 req/s (p99) | app / minimal |"
        " pgbench c=16 tps (p99) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in report["endpoints"].items():
        a = e["app"]
        one, six, sixty = (a[c] if c in a else a[str(c)] for c in CONNECTIONS)
        m, pg = e["minimal"], e["pgbench"]
        lines.append(
            f"| {name} | {one['rps']:,.0f} | {one['p50_ms']:.1f}/{one['p99_ms']:.1f} |"
            f" {six['rps']:,.0f} | {six['p50_ms']:.1f}/{six['p99_ms']:.1f} |"
            f" {sixty['rps']:,.0f} | {sixty['p99_ms']:.1f} |"
            f" {m['rps']:,.0f} ({m['p99_ms']:.1f}) | {six['rps'] / m['rps']:.0%} |"
            f" {pg.get('rps', 0):,.0f} ({pg.get('p99_ms', 0):.1f}) |"
        )
    if "cache" not in report:  # a run of some endpoints only (`--only`)
        return "\n".join(lines)
    lines += [
        "",
        "| server | workers | pool | ranking c=16 req/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for s in report["servers"]:
        lines.append(
            f"| {s['server']} | {s['workers']} | {s['pool']} | {s['rps']:,.0f} |"
            f" {s['p50_ms']:.1f} | {s['p99_ms']:.1f} |"
        )
    c = report["cache"]
    lines += [
        "",
        f"Response cache, repeated ranking requests ({c['distinct_paths']} paths),"
        f" c=16: {c['ranking_200']['rps']:,.0f} req/s (200, p99"
        f" {c['ranking_200']['p99_ms']:.1f} ms); with If-None-Match:"
        f" {c['ranking_304']['rps']:,.0f} req/s (304, p99"
        f" {c['ranking_304']['p99_ms']:.1f} ms).",
    ]
    return "\n".join(lines)

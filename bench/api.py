"""Benchmark the read API against its ceilings, in one run on one app database.

For each endpoint, at 1, 16 and 64 connections: p50/p99 and req/s of the real app (auth,
validation, typed responses, response cache off) from a load generator in its own process
(``wrk`` + bench/wrk.lua, or bench/loadgen.py when wrk is missing), with a token of a lead
of several markets and random markets/providers/shifts/pages. Beside it, at 16
connections: ``pgbench`` running the endpoint's SQL (same random parameters) and a
minimal Litestar app (no auth, no validation) running that same SQL. First the server
choice (uvicorn h11 / uvicorn uvloop+httptools / granian, 1 or one-per-CPU workers, pool
size) on the ranking endpoint; every other figure is of what ``kpi serve`` runs
(uvicorn + uvloop + httptools, one worker per CPU, the default pool). Last, the response
cache on repeated ranking requests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
from psycopg.conninfo import conninfo_to_dict

from bench.endpoints import ENDPOINTS, pgbench_script, sample
from kpi.settings import DEFAULT_DB_POOL_SIZE

BENCH_DIR = Path(__file__).resolve().parent
SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
CONNECTIONS = (1, 16, 64)
PGBENCH = (
    Path(sys.prefix)
    / "lib"
    / f"python{sys.version_info.major}.{sys.version_info.minor}"
    / "site-packages"
    / "pgserver"
    / "pginstall"
    / "bin"
    / "pgbench"
)


def seconds_per_run() -> float:
    return float(os.environ.get("BENCH_API_SECONDS", "4"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(markets: list[int]) -> str:
    now = int(time.time())
    return jwt.encode(
        {
            "sub": "bench-lead",
            "iat": now,
            "exp": now + 6 * 3600,
            "market_role": "Market Manager",
            "markets": markets,
            "roles": ["fraud_analyst"],
        },
        SECRET,
        algorithm="HS256",
    )


@contextmanager
def server(
    kind: str,
    app: str,
    app_dsn: str,
    params_file: Path,
    *,
    workers: int = 1,
    pool: int = 10,
    cache: bool = False,
):
    """Serve ``bench.serve:{app}_app`` with ``kind`` on a free port; yields the port."""
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_APP_DSN": app_dsn,
        "BENCH_PARAMS": str(params_file),
        "BENCH_CACHE": "1" if cache else "0",
        "KPI_JWT_SECRET": SECRET,
        "KPI_DB_POOL_SIZE": str(pool),
    }
    env.pop("KPI_JWT_PUBLIC_KEY", None)
    env.pop("KPI_JWT_JWKS_FILE", None)
    # The server's output (the real app writes an access log line per request) goes to a
    # file: an unread pipe would fill up and stall the server mid-run.
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", kind, app, str(port), str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            probe = "/health" if app == "real" else "/schema"
            while True:
                if proc.poll() is not None:
                    output.seek(0)
                    raise SystemExit(
                        f"bench: {kind} {app} exited: {output.read().decode()[-2000:]}"
                    )
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                        s.sendall(f"GET {probe} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                        if s.recv(64):
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"bench: {kind} {app} did not start")
                time.sleep(0.2)
            yield port
        finally:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def load(
    port: int,
    paths: list[str],
    connections: int,
    seconds: float,
    bearer: str = "",
    if_none_match: str = "",
) -> dict[str, Any]:
    """One load run from its own process: wrk when installed, else bench.loadgen."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
        paths_file = handle.name
    try:
        if shutil.which("wrk"):
            env = {
                **os.environ,
                "BENCH_PATHS": paths_file,
                "BENCH_TOKEN": bearer,
                "BENCH_IF_NONE_MATCH": if_none_match,
            }
            out = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{connections}",
                    f"-d{seconds:g}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(BENCH_DIR / "wrk.lua"),
                    f"http://127.0.0.1:{port}",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            tool = "wrk"
        else:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.loadgen",
                    str(port),
                    str(connections),
                    str(seconds),
                    paths_file,
                    bearer,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            tool = "asyncio"
    finally:
        os.unlink(paths_file)
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    raw = json.loads(line)
    return {
        "tool": tool,
        "connections": connections,
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["non_2xx_3xx"] + raw["socket_errors"],
    }


def pgbench(app_dsn: str, script: str, clients: int, seconds: float) -> dict[str, Any]:
    info = conninfo_to_dict(app_dsn)
    env = {
        **os.environ,
        "PGHOST": str(info.get("host", "")),
        "PGPORT": str(info.get("port", 5432)),
        "PGUSER": str(info.get("user", "postgres")),
        "PGDATABASE": str(info.get("dbname", "")),
        "PGOPTIONS": "-c default_transaction_read_only=on",
    }
    if info.get("password"):
        env["PGPASSWORD"] = str(info["password"])
    with tempfile.TemporaryDirectory() as tmp:
        script_file = Path(tmp) / "endpoint.sql"
        script_file.write_text(script)
        out = subprocess.run(
            [
                str(PGBENCH),
                "-n",
                "-M",
                "prepared",
                "-c",
                str(clients),
                "-j",
                "1",
                "-T",
                f"{int(seconds)}",
                "-f",
                str(script_file),
                "-l",
                "--log-prefix",
                str(Path(tmp) / "log"),
            ],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        if out.returncode != 0:
            return {"error": out.stderr.strip().splitlines()[-1:]}
        latencies = sorted(
            int(line.split()[2])
            for log in Path(tmp).glob("log*")
            for line in log.read_text().splitlines()
        )
    tps = next(
        float(line.split("=")[1].split()[0])
        for line in out.stdout.splitlines()
        if line.startswith("tps")
    )
    return {
        "connections": clients,
        "rps": tps,
        "p50_ms": latencies[len(latencies) // 2] / 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] / 1000,
    }


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
        conn.execute("checkpoint")
    return {
        "seconds": time.perf_counter() - started,
        "autovacuum_workers_left": workers,
        "load_average_1m": os.getloadavg()[0],
    }


def run(
    app_dsn: str,
    *,
    full: bool = True,
    server_kind: str | None = None,
    workers: int | None = None,
    log=print,
) -> dict[str, Any]:
    """The whole API benchmark (``full``) or only ranking at 16 connections (scale curve)."""
    seconds = seconds_per_run()
    settled = settle(app_dsn)
    log(
        f"  settled in {settled['seconds']:.0f} s (autovacuum workers left:"
        f" {settled['autovacuum_workers_left']}, load {settled['load_average_1m']:.1f})"
    )
    markets, params = sample(app_dsn)
    bearer = token(markets)
    report: dict[str, Any] = {
        "lead_markets": markets,
        "seconds_per_run": seconds,
        "settled": settled,
    }
    with tempfile.TemporaryDirectory() as tmp:
        params_file = Path(tmp) / "params.json"
        params_file.write_text(json.dumps(params))
        paths = {name: [e.path(v) for v in params[name]] for name, e in ENDPOINTS.items()}
        # 1. which server: ranking, 16 connections, cache off
        served = ("uvicorn-uvloop", os.cpu_count() or 1, DEFAULT_DB_POOL_SIZE)  # `kpi serve`
        configs = [
            ("uvicorn", 1, DEFAULT_DB_POOL_SIZE),
            ("uvicorn-uvloop", 1, DEFAULT_DB_POOL_SIZE),
            served,
            ("uvicorn-uvloop", served[1], 4),
            ("uvicorn-uvloop", served[1], 20),
            ("granian", 1, DEFAULT_DB_POOL_SIZE),
            ("granian", served[1], DEFAULT_DB_POOL_SIZE),
        ]
        if not full:
            configs = [(server_kind or served[0], workers or served[1], served[2])]
        servers = []
        for kind, n, pool in configs:
            with server(kind, "real", app_dsn, params_file, workers=n, pool=pool) as port:
                load(port, paths["ranking"], 16, 1.0, bearer)  # warm up
                result = load(port, paths["ranking"], 16, seconds, bearer)
            result.update(server=kind, workers=n, pool=pool)
            servers.append(result)
            log(
                f"  server {kind} x{n} pool {pool}: {result['rps']:,.0f} req/s,"
                f" p99 {result['p99_ms']:.1f} ms"
            )
        report["servers"] = servers
        # Every further figure is of the configuration `kpi serve` runs, not the sweep's
        # best: the table is what a user gets.
        kind, n, pool = served if full else configs[0]
        report["chosen"] = {"server": kind, "workers": n, "pool": pool}
        if not full:
            report["ranking_16"] = servers[0]
            return report
        # 2. every endpoint at 1/16/64 connections, the real app, cache off
        endpoints: dict[str, Any] = {}
        with server(kind, "real", app_dsn, params_file, workers=n, pool=pool) as port:
            for name in ENDPOINTS:
                load(port, paths[name], 16, 1.0, bearer)
                endpoints[name] = {"app": {}}
                for c in CONNECTIONS:
                    endpoints[name]["app"][c] = load(port, paths[name], c, seconds, bearer)
                log(
                    f"  {name}: "
                    + ", ".join(
                        f"c{c} {r['rps']:,.0f} req/s p99 {r['p99_ms']:.1f} ms"
                        for c, r in endpoints[name]["app"].items()
                    )
                )
        # 3. the minimal app: same SQL, no auth/validation/types, same server
        with server(kind, "minimal", app_dsn, params_file, workers=n, pool=pool) as port:
            for name in ENDPOINTS:
                min_paths = [f"/min/{name}/{i}" for i in range(len(params[name]))]
                load(port, min_paths, 16, 1.0)
                endpoints[name]["minimal"] = load(port, min_paths, 16, seconds)
        # 4. pgbench: the endpoint's SQL straight on PostgreSQL
        for name in ENDPOINTS:
            endpoints[name]["pgbench"] = pgbench(
                app_dsn, pgbench_script(name, params[name][:500]), 16, seconds
            )
            e = endpoints[name]
            log(
                f"  {name}: minimal {e['minimal']['rps']:,.0f} req/s,"
                f" pgbench {e['pgbench'].get('rps', 0):,.0f} tps"
            )
        report["endpoints"] = endpoints
        # 5. the response cache: repeated ranking requests (the lead's first pages)
        repeated = sorted(set(paths["ranking"]))[:20]
        with server(kind, "real", app_dsn, params_file, workers=n, pool=pool, cache=True) as port:
            load(port, repeated, 16, 1.0, bearer)
            cached = load(port, repeated, 16, seconds, bearer)
            etag = _etag(port, repeated[0], bearer)
            not_modified = load(port, repeated[:1], 16, seconds, bearer, if_none_match=etag)
        report["cache"] = {
            "distinct_paths": len(repeated),
            "ranking_200": cached,
            "ranking_304": not_modified,
        }
        log(f"  cache: {cached['rps']:,.0f} req/s (200), {not_modified['rps']:,.0f} req/s (304)")
    return report


def _etag(port: int, path: str, bearer: str) -> str:
    import httpx

    response = httpx.get(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {bearer}"}
    )
    return response.headers.get("etag", "")


def app_dsn_of(data_dir: Path) -> str:
    from bench.pipeline import _env, run_step

    started = run_step("db start", ["db", "start"], _env(data_dir))
    for line in started.detail["stdout"].splitlines():
        if line.startswith("KPI_APP_DSN="):
            return line.split("=", 1)[1]
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


def median(values: list[float]) -> float:
    return statistics.median(values)

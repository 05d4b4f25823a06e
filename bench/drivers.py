"""The API benchmark's load drivers, each in a process of its own so it does not share the
measured server's interpreter: an HTTP load generator (``wrk`` + bench/wrk.lua, or
bench/loadgen.py when wrk is missing) and ``pgbench`` running an endpoint's SQL straight on
PostgreSQL (the ceiling beside the app).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

BENCH_DIR = Path(__file__).resolve().parent
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
            tool = "wrk"
            out = _wrk(port, paths_file, connections, seconds, bearer, if_none_match)
        else:
            tool = "asyncio"
            out = _loadgen(port, paths_file, connections, seconds, bearer)
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


def _wrk(
    port: int, paths_file: str, connections: int, seconds: float, bearer: str, if_none_match: str
) -> str:
    """wrk's output: one thread, a random path of ``paths_file`` per request."""
    env = {
        **os.environ,
        "BENCH_PATHS": paths_file,
        "BENCH_TOKEN": bearer,
        "BENCH_IF_NONE_MATCH": if_none_match,
    }
    return subprocess.run(
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


def _loadgen(port: int, paths_file: str, connections: int, seconds: float, bearer: str) -> str:
    """bench.loadgen's output (the same JSON line as wrk.lua's)."""
    return subprocess.run(
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


def _pgbench_env(app_dsn: str) -> dict[str, str]:
    """libpq's environment for ``app_dsn``, read-only like the API's connections."""
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
    return env


def pgbench(app_dsn: str, script: str, clients: int, seconds: float) -> dict[str, Any]:
    """``script`` under pgbench (prepared statements, ``clients`` connections): its tps and
    the p50/p99 of its per-transaction log."""
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
            env=_pgbench_env(app_dsn),
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

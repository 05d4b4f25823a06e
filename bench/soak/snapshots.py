"""The soak's two builds: generate once, dbt build for D-1 and D, keep both.

The D-1 marts are copied by the real sync into a database of their own
(``warehouse_prev``) next to that build's dbt artifacts; the D build stays in
``warehouse``. A snapshot is what `kpi sync` needs to publish one of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg

from bench.common import log


@dataclass(frozen=True)
class Snapshot:
    """One publishable build: where its marts are and its dbt artifacts."""

    as_of: date
    warehouse_dsn: str
    target_path: Path


def kpi_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of the soak's `kpi` children: none of the caller's ``KPI_*``
    settings, the embedded PostgreSQL of ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(KPI_DATA_DIR=str(data_dir), DBT_SEND_ANONYMOUS_USAGE_STATS="false", **extra)
    return env


def uri_for_dbname(dsn: str, dbname: str) -> str:
    """A libpq URI (what KPI_*_DSN need) for another database on the server of ``dsn``."""
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    info["dbname"] = dbname
    host = info.pop("host", "") or ""
    port = info.pop("port", None)
    user = info.pop("user", "postgres")
    password = info.pop("password", None)
    auth = quote(str(user)) + (":" + quote(str(password)) if password else "")
    query = {k: str(v) for k, v in info.items() if k != "dbname"}
    netloc = auth + "@"
    if host.startswith("/"):
        query["host"] = host
    else:
        netloc += host + (f":{port}" if port else "")
    if port and host.startswith("/"):
        query["port"] = str(port)
    return f"postgresql://{netloc}/{quote(dbname)}" + (f"?{urlencode(query)}" if query else "")


def kpi_child(
    args: list[str], env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """``kpi ARGS`` as a child process, its output captured (raises TimeoutExpired)."""
    return subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _kpi(args: list[str], env: dict[str, str], timeout: float = 3600) -> str:
    proc = kpi_child(args, env, timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise SystemExit(f"soak: `kpi {' '.join(args)}` failed:\n{tail}")
    return proc.stdout


def two_days(warehouse_dsn: str, data_dir: Path, as_of: date) -> list[Snapshot]:
    """Where :func:`prepare` keeps the builds of D-1 and D (in that order)."""
    previous = as_of - timedelta(days=1)
    return [
        Snapshot(
            previous,
            uri_for_dbname(warehouse_dsn, "warehouse_prev"),
            data_dir / f"target-{previous}",
        ),
        Snapshot(as_of, warehouse_dsn, data_dir / f"target-{as_of}"),
    ]


def prepare(data_dir: Path, scale: float, as_of: date) -> tuple[str, list[Snapshot]]:
    """Generate once, build D-1 and D; returns the app DSN and the two snapshots."""
    from kpi import embedded

    data_dir.mkdir(parents=True, exist_ok=True)
    conns = embedded.start(data_dir / "pgdata")
    before, today = two_days(conns.warehouse_dsn, data_dir, as_of)
    embedded_env = kpi_env(data_dir)
    log(f"soak: generate scale {scale:g} as of {as_of}")
    _kpi(
        ["generate", "--replace", "--scale", str(scale), "--as-of", as_of.isoformat()], embedded_env
    )
    log(f"soak: dbt build as of {before.as_of}")
    _kpi(
        ["build", "--as-of", before.as_of.isoformat()],
        {**embedded_env, "DBT_TARGET_PATH": str(before.target_path)},
    )
    # Keep the D-1 marts: the real sync copies them into a database of their own.
    with psycopg.connect(conns.warehouse_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists warehouse_prev with (force)")
        conn.execute("create database warehouse_prev")
    import sync

    sync.run_sync(conns.warehouse_dsn, before.warehouse_dsn, before.target_path, allow_shrink=True)
    log(f"soak: dbt build as of {as_of}")
    _kpi(
        ["build", "--as-of", as_of.isoformat()],
        {**embedded_env, "DBT_TARGET_PATH": str(today.target_path)},
    )
    with psycopg.connect(conns.app_dsn, autocommit=True) as conn:
        conn.execute("drop schema if exists leader_hub, fraud, kpi_sync cascade")
    return conns.app_dsn, [before, today]


def reuse(data_dir: Path, as_of: date) -> tuple[str, list[Snapshot]]:
    """The app DSN and the two snapshots of an earlier :func:`prepare` (``--reuse``)."""
    from kpi import embedded

    conns = embedded.start(data_dir / "pgdata")
    return conns.app_dsn, two_days(conns.warehouse_dsn, data_dir, as_of)

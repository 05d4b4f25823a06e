"""Fault injection against the real pipeline and real PostgreSQL servers.

* the warehouse connection is killed (pg_terminate_backend) while the sync streams;
* the app database is stopped and started again under a running API;
* the embedded server is killed (kill -9) and its data folder reused;
* the daily job meets a failing dbt test: an empty source table (`not_empty`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient
from ops_support import LocalHttp
from reliability_support import HUB, bearer

import sync
from api.app import create_app
from api.tokens import mint_dev_token
from bench.soak import uri_for_dbname
from kpi.embedded import Connections
from kpi.settings import Settings
from synthetic import SOURCE_SCHEMAS


def _checksums(dsn: str, tables: list[str]) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        return {
            table: conn.execute(
                "select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by"
                f" t::text)), '') from {table} as t"
            ).fetchone()[0]
            for table in tables
        }


def _runs(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "select run_id, as_of_date, outcome, message from kpi_sync.sync_runs order by run_id"
        ).fetchall()


@pytest.fixture
def scratch_app(connections: Connections) -> Iterator[str]:
    """An empty app database on the test server (a libpq URI), dropped afterwards."""
    name = "kpi_rel_fault_app"
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    yield uri_for_dbname(connections.warehouse_dsn, name)
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")


# -------------------------------------------------------- warehouse dropped mid-sync


def test_warehouse_connection_killed_mid_sync_keeps_the_app_tables_and_rerun_succeeds(
    settings: Settings, connections: Connections, scratch_app: str, published: date
) -> None:
    first = sync.run_sync(connections.warehouse_dsn, scratch_app, settings.dbt_target_path)
    tables = sorted(first.rows)
    before = _checksums(scratch_app, tables)
    killed: list[int] = []

    def reporter(table: str, _: int) -> Any:
        if len(killed) == 0 and table == tables[len(tables) // 2]:
            # Mid-stream: the sync's warehouse connection holds its read snapshot open.
            with psycopg.connect(connections.warehouse_dsn, autocommit=True) as admin:
                pids = [
                    pid
                    for (pid,) in admin.execute(
                        "select pid from pg_stat_activity where datname = current_database()"
                        " and pid <> pg_backend_pid() and state like 'idle in transaction%'"
                    )
                ]
                assert pids, "the sync's warehouse connection was not found"
                for pid in pids:
                    admin.execute("select pg_terminate_backend(%s)", [pid])
                killed.extend(pids)
        return lambda n: None

    with pytest.raises(psycopg.OperationalError):
        sync.run_sync(
            connections.warehouse_dsn, scratch_app, settings.dbt_target_path, reporter=reporter
        )
    assert killed
    assert _checksums(scratch_app, tables) == before, "a failed sync changed the app tables"
    run_id, _, outcome, message = _runs(scratch_app)[-1]
    assert outcome == "failed" and "terminating connection" in message, message
    # The API keeps serving the previous sync, then the rerun publishes.
    again = sync.run_sync(connections.warehouse_dsn, scratch_app, settings.dbt_target_path)
    assert again.run_id > run_id and _runs(scratch_app)[-1][2] == "success"
    assert _checksums(scratch_app, tables) == _checksums(connections.warehouse_dsn, tables)


# ---------------------------------------------------------- app database restarted


def _pg_ctl(server: Any, *args: str) -> None:
    from pgserver._commands import pg_ctl

    pg_ctl(list(args), pgdata=server.pgdata, user=server.system_user, timeout=60)


@pytest.fixture
def own_server() -> Iterator[Any]:
    """A pgserver of its own, directly under /tmp (its OS user must reach the folder)."""
    import pgserver

    pgdata = Path(tempfile.mkdtemp(prefix="kpi-rel-pg-", dir="/tmp"))
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    yield server
    # The test restarted the server behind pgserver's back: stop whatever postmaster runs
    # now and wait for it, then delete the folder (pgserver's own "delete" cleanup raced
    # with a still-running server writing WAL).
    with contextlib.suppress(Exception):
        _pg_ctl(server, "-m", "immediate", "-w", "stop")
    shutil.rmtree(pgdata, ignore_errors=True)


def test_app_database_restart_is_503_then_recovers_without_restarting_the_api(
    settings: Settings, connections: Connections, own_server: Any, published: date
) -> None:
    admin = own_server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("create database app")
    app_dsn = uri_for_dbname(admin, "app")
    sync.run_sync(connections.warehouse_dsn, app_dsn, settings.dbt_target_path)
    with psycopg.connect(app_dsn) as conn:
        (market,) = conn.execute("select min(market_id) from leader_hub.markets").fetchone()
    headers = bearer(mint_dev_token(settings, "Market Manager", [market], False))
    url = f"{HUB}/markets/{market}/providers?job_title=APP"
    socket_dir = psycopg.conninfo.conninfo_to_dict(admin)["host"]

    with TestClient(create_app(settings, app_dsn, pool_timeout=1.0)) as client:
        served = client.get(url, headers=headers)
        assert served.status_code == 200

        _pg_ctl(own_server, "-w", "-m", "fast", "stop")
        # The response cache may answer from the snapshot it saw for up to its ttl (1 s);
        # after that every request is a 503, each within the pool timeout.
        deadline = time.monotonic() + 30
        while True:
            started = time.monotonic()
            down = client.get(url, headers=headers)
            # "hung" = no answer long after the 1 s pool timeout, even on a loaded slow machine
            assert time.monotonic() - started < 15, "a request hung while the database was down"
            if down.status_code != 200 or time.monotonic() > deadline:
                break
            assert down.json() == served.json()
            time.sleep(0.2)
        assert down.status_code == 503
        assert down.json() == {
            "status": 503,
            "error": "service_unavailable",
            "message": "the app database is unavailable; try again shortly",
            "field": None,
        }
        assert down.headers["retry-after"] == "5"
        assert client.get("/ready").status_code == 503
        assert client.get("/health").status_code == 200

        _pg_ctl(
            own_server, "-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l",
            str(own_server.log), "start",
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "the API did not reconnect by itself"
            time.sleep(0.25)
        back = client.get(url, headers=headers)
        assert back.status_code == 200 and back.json() == served.json()


# -------------------------------------------------- embedded server killed (kill -9)


def _kpi(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    return subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        capture_output=True,
        text=True,
        env={**base, "KPI_DATA_DIR": str(data_dir), **env},
        timeout=600,
        check=False,
    )


def _dsns(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if line.startswith("KPI_"))


@pytest.fixture
def embedded_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kpi-rel-embedded-", dir="/tmp"))
    yield path
    _kpi(path, "db", "stop")
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_killed_embedded_server_keeps_committed_data_even_when_its_pid_is_reused(
    embedded_dir: Path,
) -> None:
    """Beyond tests/python/test_embedded.py: committed rows survive the kill, an open
    transaction does not, and a postmaster.pid whose pid now belongs to another process
    (pid reuse after a crash) does not stop `kpi db start`."""
    started = _kpi(embedded_dir, "db", "start")
    assert started.returncode == 0, started.stderr
    dsn = _dsns(started.stdout)["KPI_APP_DSN"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create table survivor (id int); insert into survivor values (1)")
    open_tx = psycopg.connect(dsn)
    open_tx.execute("insert into survivor values (2)")  # never committed
    pid_file = embedded_dir / "pgdata" / "postmaster.pid"
    pid = int(pid_file.read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    open_tx.close()
    stranger = subprocess.Popen(["sleep", "120"])  # a live process that is not postgres
    try:
        lines = pid_file.read_text().splitlines()
        pid_file.write_text("\n".join([str(stranger.pid), *lines[1:]]) + "\n")
        restarted = _kpi(embedded_dir, "db", "start")
        assert restarted.returncode == 0, restarted.stderr
    finally:
        stranger.kill()
        stranger.wait()
    with psycopg.connect(_dsns(restarted.stdout)["KPI_APP_DSN"]) as conn:
        assert conn.execute("select id from survivor order by id").fetchall() == [(1,)]


# ------------------------------------------- a failing dbt test in the daily job


def test_daily_job_with_an_empty_source_does_not_sync_and_keeps_serving_the_previous_day(
    settings: Settings, connections: Connections, scratch_app: str, as_of: date, tmp_path: Path,
    published: date,
) -> None:  # fmt: skip
    """`kpi daily` on sources with an empty table: the `not_empty` source tests fail the
    build, nothing is synced, the message says so, and the previous day is still served."""
    previous = sync.run_sync(connections.warehouse_dsn, scratch_app, settings.dbt_target_path)
    runs_before = _runs(scratch_app)
    name = "kpi_rel_fault_wh"
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    warehouse = uri_for_dbname(connections.warehouse_dsn, name)
    receiver = LocalHttp()  # the alert webhook (Slack-compatible)
    env = {
        "KPI_WAREHOUSE_DSN": warehouse,
        "KPI_APP_DSN": scratch_app,
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "KPI_ALERT_WEBHOOK_URL": receiver.url,
    }
    try:
        generated = _kpi(tmp_path, "generate", "--as-of", as_of.isoformat(), **env)
        assert generated.returncode == 0, generated.stderr
        with psycopg.connect(warehouse, autocommit=True) as conn:
            # Replication delivered empty tables: every table of both source systems, so
            # that every source's `not_empty` test fails and dbt skips every model after
            # them (two empty tables left the others' models running: 43 s of make test).
            tables = conn.execute(
                "select quote_ident(table_schema) || '.' || quote_ident(table_name)"
                " from information_schema.tables"
                " where table_schema = any(%s) and table_type = 'BASE TABLE'",
                [list(SOURCE_SCHEMAS)],
            ).fetchall()
            conn.execute("truncate " + ", ".join(name for (name,) in tables))
        daily = _kpi(tmp_path, "daily", "--as-of", as_of.isoformat(), **env)
    finally:
        receiver.stop()
        with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")
    assert daily.returncode == 1
    last_line = daily.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: dbt build failed"), last_line
    assert "still serves the previous sync" in last_line
    import json

    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    failed = {r["unique_id"] for r in results if r["status"] in ("fail", "error")}
    for source in ("station_markets", "ehealth_employees"):
        assert any(f"not_empty_{source}" in f for f in failed), (source, failed)
    # the alerts: the red build naming every failed node, then the stale published day
    red, stale = [message["text"] for message in receiver.posted]
    assert f"the dbt build for {as_of.isoformat()} is red" in red
    assert all(node in red for node in failed) and f"Failed nodes ({len(failed)})" in red
    assert f"the published data is stale: as of {previous.as_of_date}" in stale
    assert _runs(scratch_app) == runs_before, "the failed daily job started a sync"
    with TestClient(create_app(settings, scratch_app)) as client:
        ready = client.get("/ready").json()
    assert ready["run_id"] == previous.run_id and ready["as_of_date"] == previous.as_of_date

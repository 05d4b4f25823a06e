"""The embedded PostgreSQL: start, reuse by a second process, stop, recover after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest


def kpi(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KPI_WAREHOUSE_DSN", "KPI_APP_DSN")}
    env["KPI_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def dsns(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if line.startswith("KPI_"))


@pytest.fixture
def data_dir(tmp_path_factory):
    # Directly under /tmp: the server runs as another OS user and must reach its folder.
    path = Path(f"/tmp/kpi-embedded-test-{os.getpid()}")
    yield path
    kpi(path, "db", "stop")
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_start_status_stop(data_dir: Path) -> None:
    started = kpi(data_dir, "db", "start")
    assert started.returncode == 0, started.stderr
    urls = dsns(started.stdout)
    assert urls["KPI_WAREHOUSE_DSN"].startswith("postgresql://")
    for url in urls.values():
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    assert urls["KPI_WAREHOUSE_DSN"] != urls["KPI_APP_DSN"]

    status = kpi(data_dir, "db", "status")
    assert status.returncode == 0 and dsns(status.stdout) == urls

    stopped = kpi(data_dir, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    status = kpi(data_dir, "db", "status")
    assert status.returncode == 3 and "not running" in status.stdout


def test_second_process_reuses_the_running_server(data_dir: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: kpi(data_dir, "db", "start"), range(2)))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert dsns(results[0].stdout) == dsns(results[1].stdout)
    again = kpi(data_dir, "db", "start")
    assert again.returncode == 0 and dsns(again.stdout) == dsns(results[0].stdout)


def test_start_recovers_after_the_server_was_killed(data_dir: Path) -> None:
    assert kpi(data_dir, "db", "start").returncode == 0
    pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    restarted = kpi(data_dir, "db", "start")
    assert restarted.returncode == 0, restarted.stderr
    with psycopg.connect(dsns(restarted.stdout)["KPI_WAREHOUSE_DSN"]) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_start_waits_out_a_recovery_longer_than_pg_ctl_waits(data_dir: Path, monkeypatch) -> None:
    """After an unclean stop the server may replay WAL for longer than pg_ctl's 10 s; the
    start must wait for it instead of failing (seen after a machine restart)."""
    import pgserver.postgres_server as postgres_server

    from kpi import embedded

    assert kpi(data_dir, "db", "start").returncode == 0
    pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    while Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    real_pg_ctl = postgres_server.pg_ctl
    impatient_starts = []

    def impatient(args, **kwargs):
        if "start" not in args:
            return real_pg_ctl(args, **kwargs)
        # Give up as pg_ctl does after 10 s of recovery, but only once the server has
        # written postmaster.pid: a 10 ms timeout could kill pg_ctl before it launched the
        # server at all on a busy machine, which is not the case under test.
        impatient_starts.append(args)
        real_pg_ctl(["-W" if arg == "-w" else arg for arg in args], **kwargs)
        deadline = time.monotonic() + 60
        while not (data_dir / "pgdata" / "postmaster.pid").exists():
            assert time.monotonic() < deadline, "pg_ctl start launched no server"
            time.sleep(0.05)
        raise subprocess.TimeoutExpired(args, kwargs.get("timeout", 10))

    monkeypatch.setattr(postgres_server, "pg_ctl", impatient)
    connections = embedded.start(data_dir / "pgdata")
    assert impatient_starts, "the start did not go through pg_ctl"
    with psycopg.connect(connections.warehouse_dsn) as conn:
        assert conn.execute("select 1").fetchone() == (1,)

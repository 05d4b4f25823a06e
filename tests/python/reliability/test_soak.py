"""The short soak: bench/soak.py for ~10 s while `kpi sync` alternates two real builds.

The build `make test` made (KPI_TEST_AS_OF) is one snapshot; the other is the same
sources generated again into a scratch warehouse and built by dbt for the day before.
Both are published by the real `kpi sync` (child processes) into a scratch app database
that a real uvicorn API process serves, so the session's app database is not touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench import soak
from kpi.embedded import Connections
from kpi.settings import Settings

SOAK_SECONDS = 10  # and on until both days were synced (min_syncs)
SOAK_CLIENTS = 4


def _kpi(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


@pytest.fixture(scope="module")
def snapshots(
    settings: Settings, connections: Connections, as_of: date, tmp_path_factory, published
) -> Iterator[tuple[Path, str, list[soak.Snapshot]]]:
    """(data dir, app DSN, [the day before in a scratch warehouse, the test build])."""
    import psycopg

    data_dir = tmp_path_factory.mktemp("soak")
    previous = as_of - timedelta(days=1)
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        for name in ("kpi_soak_wh", "kpi_soak_app"):
            conn.execute(f"drop database if exists {name} with (force)")
            conn.execute(f"create database {name}")
    warehouse = soak.uri_for_dbname(connections.warehouse_dsn, "kpi_soak_wh")
    app = soak.uri_for_dbname(connections.warehouse_dsn, "kpi_soak_app")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KPI_")},
        "KPI_DATA_DIR": str(data_dir),
        "KPI_WAREHOUSE_DSN": warehouse,
        "KPI_APP_DSN": app,
        "DBT_TARGET_PATH": str(data_dir / "target-previous"),
    }
    _kpi(["generate", "--replace", "--as-of", as_of.isoformat()], env)
    # The models only: the day before's data tests and unit tests are the test build's
    # own (run by `make dbt-test`); the sync's gate needs every exported model built and
    # green, which this is. ~65 s -> ~25 s of make test.
    tests = ("resource_type:test", "resource_type:unit_test")
    _kpi(["build", "--as-of", previous.isoformat(), "--exclude", *tests], env)
    today = soak.Snapshot(as_of, connections.warehouse_dsn, settings.dbt_target_path)
    yield data_dir, app, [soak.Snapshot(previous, warehouse, data_dir / "target-previous"), today]
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        for name in ("kpi_soak_wh", "kpi_soak_app"):
            conn.execute(f"drop database if exists {name} with (force)")


def test_soak_under_alternating_syncs_has_no_errors_and_no_mixed_snapshots(snapshots) -> None:
    data_dir, app_dsn, builds = snapshots
    report = soak.run(
        app_dsn,
        builds,
        data_dir=data_dir,
        duration=SOAK_SECONDS,
        clients=SOAK_CLIENTS,
        max_requests=50_000,
        # the load outlasts SOAK_SECONDS until both days were synced (a slow machine)
        min_syncs=2,
    )
    print(soak.markdown(report))
    assert report["errors"] == 0, report["problem_examples"]
    assert report["mixed_snapshots"] == 0, report["problem_examples"]
    assert report["syncs"]["succeeded"] >= 2 and not report["syncs"]["failed"], report["syncs"]
    # Both days were served while the syncs alternated, and every endpoint was exercised.
    assert set(report["responses_by_as_of_date"]) == {b.as_of.isoformat() for b in builds}
    assert report["requests"] >= 500
    assert report["latency_ms"]["during_sync"]["requests"] > 0
    assert report["latency_ms"]["idle"]["requests"] > 0


def test_the_checker_flags_a_response_of_the_other_snapshot() -> None:
    """The soak's mixed-snapshot detector has teeth: another day's body is caught."""
    url = "/v1/fraud-reports/phone-numbers"
    day1 = {"as_of_date": "2026-11-19", "items": [{"report_date": "2026-11-19", "n": 1}]}
    day2 = {"as_of_date": "2026-11-20", "items": [{"report_date": "2026-11-20", "n": 2}]}
    checker = soak.Checker({"2026-11-19": {url: (200, day1)}, "2026-11-20": {url: (200, day2)}})
    assert checker.judge(url, 200, day1)[0] is None
    assert checker.judge(url, 200, day2)[0] is None
    mixed_rows = {"as_of_date": "2026-11-20", "items": [{"report_date": "2026-11-19", "n": 1}]}
    assert checker.judge(url, 200, mixed_rows)[0].startswith("mixed")
    mixed_body = {"as_of_date": "2026-11-20", "items": [{"report_date": "2026-11-20", "n": 1}]}
    assert checker.judge(url, 200, mixed_body)[0].startswith("mixed")
    assert checker.judge(url, 503, {"status": 503})[0].startswith("error")

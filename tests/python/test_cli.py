"""The CLI's error paths: one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from kpi.cli import main


def run_kpi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("KPI_WAREHOUSE_DSN", "KPI_APP_DSN")
    }
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kpi", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=900,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("generate", "--scale", "-1"), ("--scale", "greater than 0")),
        (("generate", "--scale", "abc"), ("--scale", "not a number")),
        (("generate", "--seed", "-3"), ("--seed",)),
        (("generate", "--as-of", "2026-02-30"), ("--as-of", "YYYY-MM-DD")),
        (("build", "--vars", "not json"), ("--vars", "YAML or JSON mapping")),
        (("build", "--vars", "{as_of_date: [2026"), ("--vars", "not a YAML or JSON mapping")),
        (("build", "--vars", "[1, 2]"), ("--vars", "mapping of var names")),
        (("daily", "--vars", "{as_of_date: 2026-02-30}"), ("--vars", "day is out of range")),
        (("build", "--vars", "{as_of_date: soon}"), ("as_of_date", "YYYY-MM-DD")),
        (
            ("build", "--vars", '{"as_of_date": "2026-06-30"}', "--as-of", "2026-07-01"),
            ("--as-of 2026-07-01", "as_of_date 2026-06-30", "disagree"),
        ),
        (("serve", "--workers", "0"), ("--workers", "1 or more")),
        (("frobnicate",), ("invalid choice",)),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], fragments: tuple[str]) -> None:
    result = run_kpi(*args)
    assert_one_line_error(result, *fragments)
    assert result.returncode == 2


def test_unknown_setting_is_named() -> None:
    result = run_kpi("db", "status", env={"KPI_WAREHOUSE_DNS": "typo"})
    assert_one_line_error(result, "KPI_WAREHOUSE_DNS")


def test_half_configured_connection_names_the_missing_setting() -> None:
    result = run_kpi("build", env={"KPI_WAREHOUSE_DSN": "postgresql://localhost/x"})
    assert_one_line_error(result, "KPI_APP_DSN is not set")


def test_dsn_must_be_a_uri() -> None:
    result = run_kpi("build", env={"KPI_WAREHOUSE_DSN": "host=x", "KPI_APP_DSN": "host=y"})
    assert_one_line_error(result, "KPI_WAREHOUSE_DSN", "libpq URI")


def test_unreachable_database_is_one_line() -> None:
    dsn = "postgresql://postgres@127.0.0.1:1/warehouse?connect_timeout=2"
    result = run_kpi("generate", env={"KPI_WAREHOUSE_DSN": dsn, "KPI_APP_DSN": dsn})
    assert_one_line_error(result, "cannot connect to KPI_WAREHOUSE_DSN")


def test_generate_into_non_empty_sources_asks_for_replace(connections, capsys) -> None:
    # `make test` generated into this warehouse before pytest ran.
    env = {"KPI_WAREHOUSE_DSN": connections.warehouse_dsn, "KPI_APP_DSN": connections.app_dsn}
    result = run_kpi("generate", "--as-of", "2026-01-01", env=env)
    assert_one_line_error(result, "--replace")


def test_db_status_reports_the_running_server(settings, connections, capsys) -> None:
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert f"KPI_WAREHOUSE_DSN={connections.warehouse_dsn}" in out


def test_docs_site_is_generated_offline_without_touching_the_build(settings, connections) -> None:
    manifest = settings.dbt_target_path / "manifest.json"
    before = manifest.read_bytes() if manifest.exists() else None
    env = {"KPI_WAREHOUSE_DSN": connections.warehouse_dsn, "KPI_APP_DSN": connections.app_dsn}
    result = run_kpi("docs", "--no-serve", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    site = settings.data_dir / "docs" / "static_index.html"
    html = site.read_text()
    assert "market_provider_metrics" in html and "total_patients_doctor" in html
    assert '<script src="http' not in html  # self-contained: works offline
    assert (manifest.read_bytes() if manifest.exists() else None) == before


def test_configured_servers_are_used_and_nothing_embedded_starts(connections, tmp_path) -> None:
    import psycopg

    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists kpi_cli_external with (force)")
        conn.execute("create database kpi_cli_external")
    try:
        # The settings take libpq URIs: same server, another database.
        external = connections.warehouse_dsn.replace("/warehouse?", "/kpi_cli_external?")
        assert external != connections.warehouse_dsn
        env = {
            "KPI_WAREHOUSE_DSN": external,
            "KPI_APP_DSN": connections.app_dsn,
            "KPI_DATA_DIR": str(tmp_path / "data"),
        }
        result = run_kpi("generate", "--scale", "0.005", "--as-of", "2026-01-31", env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        with psycopg.connect(external) as conn:
            (visits,) = conn.execute("select count(*) from station.care_requests").fetchone()
        assert visits > 0
        assert not (tmp_path / "data" / "pgdata").exists()
        status = run_kpi("db", "status", env=env)
        assert_one_line_error(status, "no embedded server")
    finally:
        with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
            conn.execute("drop database if exists kpi_cli_external with (force)")


def test_build_piped_through_kpi_is_plain_text_and_takes_yaml_vars(
    settings, connections, as_of, tmp_path
) -> None:
    """dbt colours its lines even into a pipe; through `kpi` a log file gets plain text.
    `--vars` takes dbt's YAML (unquoted key, unquoted date), merged with `--as-of`."""
    parsed = settings.dbt_target_path / "partial_parse.msgpack"
    if parsed.exists():  # spares a full parse of the project
        (tmp_path / "target").mkdir()
        shutil.copy(parsed, tmp_path / "target" / parsed.name)
    env = {
        "KPI_WAREHOUSE_DSN": connections.warehouse_dsn,
        "KPI_APP_DSN": connections.app_dsn,
        # Its own artifacts: the sync gate reads the full build's run_results.json.
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_USE_COLORS": "",
    }
    # Only the data tests of one staging model: they read the warehouse, change nothing.
    # The same vars as the full build's: other vars would make dbt parse everything again.
    select = "stg_station__markets,test_type:data"
    yaml_vars = f"{{as_of_date: {as_of.isoformat()}}}"
    result = run_kpi(
        "build", "--vars", yaml_vars, "--as-of", as_of.isoformat(), "--select", select, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PASS" in result.stdout
    assert "\x1b" not in result.stdout
    assert "\x1b" not in result.stderr
    run_results = json.loads((tmp_path / "target" / "run_results.json").read_text())
    passed = run_results["args"]["vars"]
    passed = json.loads(passed) if isinstance(passed, str) else passed
    assert passed == {"as_of_date": as_of.isoformat()}


def test_vars_merge_with_as_of_and_dates_pass_as_text() -> None:
    from datetime import date

    from kpi.cli import build_parser
    from kpi.commands import build_vars

    args = build_parser().parse_args(
        ["daily", "--vars", "{visit_window: 50, as_of_date: 2026-06-30}", "--as-of", "2026-06-30"]
    )
    assert build_vars(args.vars, args.as_of) == {"visit_window": 50, "as_of_date": "2026-06-30"}
    assert build_vars({"visit_window": 50}, date(2026, 6, 30)) == {
        "visit_window": 50,
        "as_of_date": "2026-06-30",
    }
    assert build_vars(None, None) == {}

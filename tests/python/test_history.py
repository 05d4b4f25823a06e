"""The metric history (SPEC §12) as `make dbt-test` built it, against real builds.

`make dbt-test` built 2026-11-20, then `kpi backfill --weeks 6` and `--from 2026-11-14
--to 2026-11-19`. Here each history date is compared, row for row, with the metric marts
of a separate build of that date; a forced re-run must replace one date and leave the
others; and the backfill must have left the latest build's marts, views and artifacts.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg
import pytest

from kpi.backfill import BACKFILL_VAR, DATES_LOG, HISTORY_MODELS, STAGING
from kpi.cli import main
from kpi.dbt_runner import parse_project, run_dbt
from sync.manifest import check_build

# The history model of each metric mart.
MARTS = {
    "market_metrics": "market_metric_history",
    "provider_metrics": "provider_metric_history",
    "market_provider_metrics": "market_provider_metric_history",
}


def expected_dates(as_of: date) -> set[date]:
    """What the Makefile's two backfills ask for: 6 weekly dates and the 6 days before D."""
    weekly = {as_of - timedelta(days=7 * i) for i in range(6)}
    return weekly | {as_of - timedelta(days=i) for i in range(1, 7)}


def differences(conn: psycopg.Connection, left: str, right: str, columns: list[str]) -> int:
    """Rows in one query's result and not the other's (both ways): 0 means equal sets."""
    cols = ", ".join(columns)
    query = (
        f"select count(*) from ((select {cols} from {left} except all select {cols} from {right})"
        f" union all (select {cols} from {right} except all select {cols} from {left})) as d"
    )
    return conn.execute(query).fetchone()[0]


def mart_columns(conn: psycopg.Connection, schema: str, table: str) -> list[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns where table_schema = %s"
        " and table_name = %s order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


@pytest.fixture(scope="module")
def separate_builds(settings, connections, as_of):
    """Builds the three metric marts alone for two past dates, each in the scratch schema.

    Each is a `dbt run` of the marts and everything upstream with that date's var, in
    `*_backfill` schemas and a target folder of its own; yields a function that snapshots
    the marts of one date into `history_check` tables, then drops the scratch schemas.
    """
    target = settings.data_dir / "backfill-target"
    flags = ["--target-path", str(target), "--quiet"]
    scratch = {BACKFILL_VAR: True}
    manifest = parse_project(settings, connections.warehouse_dsn, flags, vars_=scratch)
    select = ["--select", *(f"+{mart}" for mart in MARTS), "--exclude", STAGING]
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as conn:
        conn.execute("drop schema if exists history_check cascade")
        conn.execute("create schema history_check")
        for day in (as_of - timedelta(days=7), as_of - timedelta(days=1)):
            day_vars = {**scratch, "as_of_date": day.isoformat()}
            assert run_dbt(
                settings,
                connections.warehouse_dsn,
                ["run", *select, *flags],
                vars_=day_vars,
                manifest=manifest,
            )
            for mart in MARTS:
                conn.execute(
                    f"create table history_check.{mart}_{day:%Y%m%d} as"
                    f" select * from leader_hub_backfill.{mart}"
                )
        run_dbt(
            settings,
            connections.warehouse_dsn,
            ["run-operation", "drop_backfill_schemas", *flags],
            vars_=scratch,
            manifest=manifest,
        )
        yield conn
        conn.execute("drop schema if exists history_check cascade")


def test_history_holds_exactly_the_test_builds_dates(warehouse, as_of) -> None:
    for table in (*HISTORY_MODELS, DATES_LOG):
        rows = warehouse.execute(f"select distinct as_of_date from leader_hub.{table}").fetchall()
        assert {day for (day,) in rows} == expected_dates(as_of), table


def test_history_columns_are_the_marts_columns(settings) -> None:
    assert tuple(MARTS.values()) == HISTORY_MODELS
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for mart, history in MARTS.items():
        mart_cols = [(c["name"], c["data_type"]) for c in nodes[mart]["columns"].values()]
        history_cols = [(c["name"], c["data_type"]) for c in nodes[history]["columns"].values()]
        assert history_cols == mart_cols, history
        assert nodes[history]["config"]["full_refresh"] is False


def test_staging_models_do_not_read_the_report_date(settings, as_of) -> None:
    """A backfill reads the staging views in place, which is right only while no staging
    model depends on the date (macros/generate_schema_name.sql)."""
    staging = settings.project_dir / "models" / "staging"
    compiled = settings.dbt_target_path / "compiled" / "clinical_kpi" / "models" / "staging"
    sources = list(staging.rglob("*.sql"))
    assert sources
    for path in sources:
        text = path.read_text()
        assert not any(word in text for word in ("as_of_date", "var(", "run_started_at")), path
        built = (compiled / path.relative_to(staging)).read_text()
        assert as_of.isoformat() not in built, path


def test_latest_date_equals_the_published_marts(warehouse, as_of) -> None:
    for mart, history in MARTS.items():
        columns = mart_columns(warehouse, "leader_hub", mart)
        latest = f"(select * from leader_hub.{history} where as_of_date = '{as_of}') as h"
        assert differences(warehouse, f"leader_hub.{mart}", latest, columns) == 0, mart
        (count,) = warehouse.execute(f"select count(*) from leader_hub.{mart}").fetchone()
        assert count > 0


def test_backfilled_dates_equal_separate_builds_of_those_dates(separate_builds, as_of) -> None:
    conn = separate_builds
    for day in (as_of - timedelta(days=7), as_of - timedelta(days=1)):
        for mart, history in MARTS.items():
            columns = mart_columns(conn, "leader_hub", mart)
            built = f"history_check.{mart}_{day:%Y%m%d}"
            kept = f"(select * from leader_hub.{history} where as_of_date = '{day}') as h"
            assert differences(conn, built, kept, columns) == 0, (mart, day)
            (count,) = conn.execute(f"select count(*) from {built}").fetchone()
            assert count > 0, (mart, day)


def test_forced_rerun_replaces_its_date_and_keeps_the_others(
    settings, warehouse, separate_builds, as_of
) -> None:
    """Corrupt one date, re-run it with --force: it is rebuilt; a plain re-run skips it."""
    day = as_of - timedelta(days=7)
    checksum = (
        "select as_of_date, count(*), md5(string_agg(t::text, ',' order by t::text))"
        " from leader_hub.market_provider_metric_history as t group by 1 order by 1"
    )
    before = warehouse.execute(checksum).fetchall()
    warehouse.execute(
        "update leader_hub.market_provider_metric_history set visit_count = -1"
        " where as_of_date = %s",
        [day],
    )
    log = f"select built_at from leader_hub.{DATES_LOG} where as_of_date = %s"
    (built_before,) = warehouse.execute(log, [day]).fetchone()
    assert main(["backfill", "--from", str(day), "--to", str(day)]) == 0  # present: skipped
    assert warehouse.execute(log, [day]).fetchone()[0] == built_before
    assert main(["backfill", "--from", str(day), "--to", str(day), "--force"]) == 0
    assert warehouse.execute(log, [day]).fetchone()[0] > built_before
    assert warehouse.execute(checksum).fetchall() == before
    columns = mart_columns(warehouse, "leader_hub", "market_provider_metrics")
    kept = (
        f"(select * from leader_hub.market_provider_metric_history where as_of_date = '{day}') as h"
    )
    built = f"history_check.market_provider_metrics_{day:%Y%m%d}"
    assert differences(warehouse, built, kept, columns) == 0


def test_backfill_left_the_latest_build_published(settings, warehouse, as_of) -> None:
    """The marts, the intermediate views and target/ are still the latest build's."""
    for mart in MARTS:
        dates = warehouse.execute(f"select distinct as_of_date from leader_hub.{mart}").fetchall()
        assert dates == [(as_of,)], mart
    views = warehouse.execute(
        "select viewname, definition from pg_views where schemaname = 'intermediate'"
    ).fetchall()
    dated = [name for name, sql in views if "2026-" in sql]
    assert dated, "no intermediate view carries the report date"
    for name, sql in views:
        dates_in_view = {part[:10] for part in sql.split("'") if part[:5] == "2026-"}
        assert dates_in_view <= {as_of.isoformat()}, name
    schemas = warehouse.execute(
        "select nspname from pg_namespace where nspname like '%%\\_backfill'"
    ).fetchall()
    assert schemas == []
    # What the sync publishes: still the build of D, green.
    assert check_build(settings.dbt_target_path).as_of_date == as_of


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--from", "2026-11-20", "--to", "2026-11-01"), "is after --to"),
        (("--from", "2026-11-01"), "--from needs --to"),
        (("--weeks", "0"), "--weeks"),
        (("--weeks", "2", "--from", "2026-11-01"), "not allowed with"),
        (("--weeks", "2", "--to", "2026-11-01"), "go with --from"),
        (("--from", "2026-11-01", "--to", "2026-11-02", "--as-of", "2026-11-02"), "--as-of"),
        (("--weeks", "4000"), "at most"),
        (("--from", "2026-13-01", "--to", "2026-11-02"), "YYYY-MM-DD"),
        (("--from", "2026-11-01", "--to", "2026-11-02", "--step-days", "0"), "1 or more"),
        ((), "one of the arguments"),
    ],
)
def test_bad_backfill_arguments_are_one_line_and_exit_2(args, fragment, capsys) -> None:
    assert main(["backfill", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err, err

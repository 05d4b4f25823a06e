"""`kpi compare`: two warehouses' exported marts diffed on their keys, with the tolerance
each column's contract type allows, reporting keys only.

Two scratch databases on the embedded server hold a few rows of every exported mart of
the test build (the same rows on both sides), then the right side is perturbed.
"""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from kpi.cli import main
from kpi.targets import warehouse_dsn
from sync.manifest import ExportedTable, exported_tables

ROWS_PER_TABLE = 12


@pytest.fixture(scope="module")
def tables(settings) -> tuple[ExportedTable, ...]:
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    return exported_tables(manifest)


def _copy_marts(source_dsn: str, target_dsn: str, tables: tuple[ExportedTable, ...]) -> None:
    """The first rows (by key) of every exported mart, into tables made from the contracts."""
    with psycopg.connect(source_dsn) as source, psycopg.connect(target_dsn) as target:
        for table in tables:
            name = sql.Identifier(table.schema, table.name)
            columns = sql.SQL(", ").join(map(sql.Identifier, table.column_names))
            definition = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.data_type))
                for c in table.columns
            )
            target.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(table.schema))
            )
            target.execute(sql.SQL("create table {} ({})").format(name, definition))
            rows = source.execute(
                sql.SQL("select {} from {} order by {} limit {}").format(
                    columns,
                    name,
                    sql.SQL(", ").join(map(sql.Identifier, table.unique_key)),
                    ROWS_PER_TABLE,
                )
            ).fetchall()
            placeholders = sql.SQL(", ").join(sql.Placeholder() * len(table.columns))
            with target.cursor() as cursor:
                cursor.executemany(
                    sql.SQL("insert into {} ({}) values ({})").format(name, columns, placeholders),
                    rows,
                )


@pytest.fixture(scope="module")
def two_warehouses(connections, scratch_database, tables) -> tuple[str, str]:
    left, right = scratch_database("kpi_compare_left"), scratch_database("kpi_compare_right")
    for dsn in (left, right):
        _copy_marts(connections.warehouse_dsn, dsn, tables)
    return left, right


def _first_keys(dsn: str, table: str, key: str, count: int) -> list:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"select {key} from {table} order by {key} limit {count}").fetchall()
    return [row[0] for row in rows]


def test_identical_warehouses_match(two_warehouses, tables, capsys) -> None:
    left, right = two_warehouses
    assert main(["compare", left, right]) == 0
    out = capsys.readouterr().out
    assert f"compare: all {len(tables)} exported tables match" in out
    assert out.count(": same") == len(tables)


def test_perturbed_copy_reports_rows_and_keys_only(two_warehouses, tables, capsys) -> None:
    left, right = two_warehouses
    market_ids = _first_keys(right, "leader_hub.market_metrics", "market_id", 2)
    provider_ids = _first_keys(right, "leader_hub.provider_metrics", "provider_id", 1)
    with psycopg.connect(right) as conn:
        # Two units of the 4th decimal: beyond tolerance. One unit: within it.
        conn.execute(
            "update leader_hub.market_metrics set survey_capture_rate ="
            " coalesce(survey_capture_rate, 0.5) + 0.0002 where market_id = %s",
            [market_ids[0]],
        )
        conn.execute(
            "update leader_hub.market_metrics set survey_capture_rate ="
            " coalesce(survey_capture_rate, 0.5) - 0.0001 where market_id = %s",
            [market_ids[1]],
        )
        conn.execute(
            "delete from leader_hub.provider_metrics where provider_id = %s", [provider_ids[0]]
        )
        conn.execute(
            "insert into leader_hub.markets (market_id, name, short_name, market_group_id)"
            " values (987654, 'Extra', 'EXT', 1)"
        )
        # An unrounded float differing in its last bits only: equal.
        changed = conn.execute(
            "update fraud.authorization_doctor"
            " set ratio_offline_patients_qty = ratio_offline_patients_qty * (1 + 1e-13)"
            " where ratio_offline_patients_qty > 0"
        ).rowcount
        assert changed > 0
        names = conn.execute(
            "select patient_first_name, patient_last_name, patient_athena_id"
            " from leader_hub.provider_visits"
        ).fetchall()
    try:
        assert main(["compare", left, right]) == 1
        out = capsys.readouterr().out
    finally:
        _copy_back(left, right, tables)
    lines = {line.split(":")[0]: line for line in out.splitlines() if not line.startswith(" ")}
    assert "1 differing (survey_capture_rate 1)" in lines["leader_hub.market_metrics"]
    assert f"differing: market_id={market_ids[0]}" in out
    assert f"market_id={market_ids[1]}" not in out  # one unit of the last digit: same
    assert "1 only left, 0 only right" in lines["leader_hub.provider_metrics"]
    assert f"only left: provider_id={provider_ids[0]}" in out
    assert "0 only left, 1 only right, 0 differing" in lines["leader_hub.markets"]
    assert "only right: market_id=987654" in out
    assert lines["fraud.authorization_doctor"].endswith(": same")
    assert lines["compare"] == f"compare: 3 of {len(tables)} tables differ"
    for first, last, athena in names:  # keys only: no patient detail is printed
        assert first not in out and last not in out and str(athena) not in out


def _copy_back(left: str, right: str, tables: tuple[ExportedTable, ...]) -> None:
    """Make the right side equal to the left again (the fixture is per module)."""
    with psycopg.connect(right) as conn:
        for table in tables:
            conn.execute(
                sql.SQL("drop table if exists {}").format(sql.Identifier(table.schema, table.name))
            )
    _copy_marts(left, right, tables)


def test_float_columns_compare_relatively_and_numeric_by_last_digit(tables) -> None:
    from sync.compare import equality_for
    from sync.manifest import Column

    rate = equality_for(Column("r", "numeric(9, 4)"))
    assert rate(Decimal("0.1234"), Decimal("0.1235")) and not rate(
        Decimal("0.1234"), Decimal("0.1236")
    )
    percent = equality_for(Column("p", "numeric(9, 2)"))
    assert percent(Decimal("99.99"), Decimal("100.00")) and not percent(
        Decimal("1.00"), Decimal("1.02")
    )
    ratio = equality_for(Column("x", "double precision"))
    assert ratio(1 / 3, 0.3333333333333333) and not ratio(0.3333, 0.3334)
    assert rate(0.1234, Decimal("0.1235")) and ratio(Decimal("0.5"), 0.5)  # mixed drivers
    count = equality_for(Column("n", "bigint"))
    assert not count(1, 2) and count(None, None) and not rate(None, Decimal("0"))


def test_unknown_target_name_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    assert main(["compare", "local", "redshift"]) == 2
    err = capsys.readouterr().err
    assert "no dbt target 'redshift'" in err and "Traceback" not in err


def test_target_names_resolve_through_the_dbt_profile(
    settings, connections, monkeypatch, tmp_path
) -> None:
    """A dbt target is rendered by dbt (env_var, as_number) into a DSN that connects."""
    info = psycopg.conninfo.conninfo_to_dict(connections.warehouse_dsn)
    (tmp_path / "profiles.yml").write_text(
        "clinical_kpi:\n  target: left\n  outputs:\n    left:\n      type: postgres\n"
        "      host: \"{{ env_var('KPI_TEST_COMPARE_HOST') }}\"\n"
        "      port: \"{{ env_var('KPI_TEST_COMPARE_PORT') | as_number }}\"\n"
        f"      user: {info.get('user', 'postgres')}\n      password: ''\n"
        f"      dbname: {info['dbname']}\n      schema: public\n      threads: 1\n"
    )
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.setenv("KPI_TEST_COMPARE_HOST", info["host"])
    monkeypatch.setenv("KPI_TEST_COMPARE_PORT", str(info.get("port") or 5432))
    dsn = warehouse_dsn(settings, "left")
    with psycopg.connect(dsn) as conn:
        (name,) = conn.execute("select current_database()").fetchone()
    assert name == info["dbname"]


def test_a_table_missing_on_one_side_is_reported_and_the_rest_compared(
    two_warehouses, tables, capsys
) -> None:
    left, right = two_warehouses
    with psycopg.connect(right) as conn:
        conn.execute("drop table leader_hub.market_groups")
    try:
        assert main(["compare", left, right]) == 1
        captured = capsys.readouterr()
    finally:
        _copy_back(left, right, tables)
    lines = [line for line in captured.out.splitlines() if not line.startswith(" ")]
    assert "leader_hub.market_groups: cannot compare:" in captured.out
    assert "does not exist" in captured.out
    assert sum(line.endswith(": same") for line in lines) == len(tables) - 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("profile", "target", "fragment"),
    [
        ("clinical_kpi: [unclosed\n", "left", "cannot read"),
        (
            "clinical_kpi:\n  outputs:\n    rs:\n      type: redshift\n"
            "      host: \"{{ env_var('KPI_TEST_COMPARE_UNSET') }}\"\n",
            "rs",
            "Env var required but not provided",
        ),
        ("clinical_kpi:\n  outputs:\n    rs: {type: redshift}\n", "xx", "targets: rs"),
    ],
)
def test_bad_profiles_are_one_line_errors(
    profile, target, fragment, monkeypatch, tmp_path, capsys
) -> None:
    (tmp_path / "profiles.yml").write_text(profile)
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.delenv("KPI_TEST_COMPARE_UNSET", raising=False)
    assert main(["compare", target, target]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1

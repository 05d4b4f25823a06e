"""`kpi generate --format csv`: the sources as CSV files that load back (COPY ... CSV, the
format Redshift's COPY reads from S3) into exactly the tables `kpi generate` writes."""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
import pytest
from psycopg import sql

import synthetic
from kpi.cli import main
from synthetic.csv_files import COPY_SCRIPT, EmptyStringError, csv_path, write_csv

SCALE = 0.002
SEED = 11
AS_OF = date(2026, 3, 31)


def _load_csv(conn: psycopg.Connection, table: str, path) -> None:
    schema, name = table.split(".")
    copy = sql.SQL("copy {} from stdin (format csv, header true)").format(
        sql.Identifier(schema, name)
    )
    with conn.cursor() as cursor, cursor.copy(copy) as load, path.open("rb") as source:
        while block := source.read(1 << 16):
            load.write(block)


def _rows(conn: psycopg.Connection, table: str) -> list[tuple]:
    schema, name = table.split(".")
    return sorted(
        conn.execute(sql.SQL("select * from {}").format(sql.Identifier(schema, name))).fetchall(),
        key=repr,
    )


def test_csv_files_load_back_into_the_generated_tables(scratch_database, tmp_path, capsys) -> None:
    out = tmp_path / "csv"
    args = ["--scale", str(SCALE), "--seed", str(SEED), "--as-of", AS_OF.isoformat()]
    assert main(["generate", "--format", "csv", "--out", str(out), *args]) == 0
    assert "redshift_copy.sql" in capsys.readouterr().out
    generated = scratch_database("kpi_csv_generated")
    loaded = scratch_database("kpi_csv_loaded")
    result = synthetic.generate(generated, scale=SCALE, seed=SEED, as_of=AS_OF)
    script = (out / COPY_SCRIPT).read_text()
    with psycopg.connect(generated) as left, psycopg.connect(loaded) as right:
        right.execute(synthetic.SOURCES_SQL.read_text())
        for table, count in result.rows.items():
            _load_csv(right, table, csv_path(out, table))
            assert f"copy {table} (" in script
            rows = _rows(right, table)
            assert len(rows) == count
            assert rows == _rows(left, table), table
        (fraction,) = right.execute(
            "select count(*) from station.shift_snapshots"
            " where end_time <> date_trunc('second', end_time)"
        ).fetchone()
    assert fraction > 0  # microseconds survive the round trip


def test_null_is_an_empty_unquoted_field_and_text_round_trips(warehouse, tmp_path) -> None:
    path = tmp_path / "t.csv"
    tricky = 'a,"b"\nc é'
    columns = {
        "id": np.array([1, 2, 3]),
        "label": [None, tricky, "plain"],
        "at": np.array(["2026-01-01T08:00:00.000001", "NaT", "2026-01-02"], "datetime64[us]"),
        "flag": [True, None, False],
    }
    assert write_csv(path, columns) == 3
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1] == '"1",,"2026-01-01 08:00:00.000001","t"'
    warehouse.execute(
        "create temp table csv_round_trip (id bigint, label text, at timestamp, flag boolean)"
    )
    _load_csv(warehouse, "pg_temp.csv_round_trip", path)
    rows = warehouse.execute("select * from csv_round_trip order by id").fetchall()
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (1, None, True),
        (2, tricky, None),
        (3, "plain", False),
    ]
    assert rows[1][2] is None and rows[0][2].microsecond == 1


def test_an_empty_string_is_refused(tmp_path) -> None:
    """Redshift's EMPTYASNULL would read "" as NULL: the writer never writes one."""
    with pytest.raises(EmptyStringError):
        write_csv(tmp_path / "e.csv", {"id": np.array([1]), "label": [""]})


def test_format_csv_needs_out(capsys) -> None:
    assert main(["generate", "--format", "csv"]) == 2
    assert "--out" in capsys.readouterr().err

"""The sync against real PostgreSQL and real dbt artifacts.

A tiny dbt project (tests/python/sync_fixture) is built for real into a scratch
warehouse database, so gate refusals, upserts, the shrink guard, crashes and concurrent
readers can all be provoked on demand.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

import sync
from kpi.dbt_runner import PASSWORD_ENV
from sync.manifest import Column, ExportedTable, check_build
from sync.schema import ensure_indexes, ensure_table

FIXTURE = Path(__file__).with_name("sync_fixture")
TABLES = ("fixture_marts.widgets", "fixture_marts.widget_pairs")


class Pipeline:
    """Scratch warehouse + app databases and the fixture dbt project built into them."""

    def __init__(self, server_dsn: str, tmp: Path) -> None:
        self.tmp = tmp
        self.target = tmp / "target"
        self.warehouse = make_conninfo(server_dsn, dbname="kpi_sync_wh")
        self.app = make_conninfo(server_dsn, dbname="kpi_sync_app")
        with psycopg.connect(server_dsn, autocommit=True) as conn:
            for name in ("kpi_sync_wh", "kpi_sync_app"):
                conn.execute(f"drop database if exists {name} with (force)")
                conn.execute(f"create database {name}")
        with psycopg.connect(self.warehouse, autocommit=True) as conn:
            conn.execute(
                "create schema fixture_src;"
                " create table fixture_src.widgets (widget_id bigint, name text,"
                " amount numeric(10, 2), seen_on date, seen_at timestamp, is_active boolean);"
                " create table fixture_src.widget_pairs (left_id bigint, right_id bigint,"
                " label text)"
            )
        info = psycopg.conninfo.conninfo_to_dict(self.warehouse)
        profiles = tmp / "profiles"
        profiles.mkdir(parents=True, exist_ok=True)
        (profiles / "profiles.yml").write_text(
            json.dumps(
                {
                    "clinical_kpi": {
                        "target": "local",
                        "outputs": {
                            "local": {
                                "type": "postgres",
                                "host": info["host"],
                                "port": 5432,
                                "user": "postgres",
                                "password": "",
                                "dbname": "kpi_sync_wh",
                                "schema": "public",
                                "threads": 1,
                            }
                        },
                    }
                }
            )
        )
        self.profiles = profiles

    def load(self, widgets: int, *, start: int = 1, amount_bump: int = 0, null_name=False) -> None:
        rows = [
            (
                i,
                None if null_name and i == start else f"widget {i}",
                Decimal(i % 97) + Decimal("0.25") + amount_bump,
                date(2026, 1, 1 + i % 28),
                datetime(2026, 1, 1, i % 24, i % 60),
                i % 3 != 0,
            )
            for i in range(start, start + widgets)
        ]
        pairs = [(i, i + 1, f"pair {i}") for i in range(start, start + widgets // 2)]
        with psycopg.connect(self.warehouse) as conn, conn.cursor() as cur:
            cur.execute("truncate fixture_src.widgets, fixture_src.widget_pairs")
            with cur.copy("copy fixture_src.widgets from stdin") as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy("copy fixture_src.widget_pairs from stdin") as copy:
                for row in pairs:
                    copy.write_row(row)

    def dbt(self, *args: str) -> bool:
        from dbt.cli.main import dbtRunner

        os.environ[PASSWORD_ENV] = ""
        result = dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(FIXTURE),
                "--profiles-dir",
                str(self.profiles),
                "--target-path",
                str(self.target),
                "--log-path",
                str(self.tmp / "logs"),
                "--quiet",
            ]
        )
        return bool(result.success)

    def build(self) -> None:
        assert self.dbt("build"), "fixture dbt build failed"

    def sync(self, **kwargs) -> sync.SyncResult:
        return sync.run_sync(self.warehouse, self.app, self.target, **kwargs)

    def checksums(self, dsn: str | None = None) -> dict[str, str]:
        with psycopg.connect(dsn or self.app) as conn:
            return {t: table_checksum(conn, t) for t in TABLES}

    def rows(self, dsn: str, table: str) -> list[tuple]:
        with psycopg.connect(dsn) as conn:
            return conn.execute(f"select * from {table} order by 1, 2").fetchall()


def table_checksum(conn: psycopg.Connection, table: str) -> str:
    (value,) = conn.execute(
        f"select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '')"
        f" from {table} as t"
    ).fetchone()
    return value


@pytest.fixture(scope="module")
def pipeline(connections, tmp_path_factory) -> Pipeline:
    server = make_conninfo(connections.warehouse_dsn, dbname="postgres")
    pipe = Pipeline(server, tmp_path_factory.mktemp("sync"))
    pipe.load(200)
    pipe.build()
    pipe.sync()
    return pipe


def test_first_sync_publishes_every_exported_table(pipeline: Pipeline) -> None:
    for table in TABLES:
        assert pipeline.rows(pipeline.app, table) == pipeline.rows(pipeline.warehouse, table)
    with psycopg.connect(pipeline.app) as conn:
        assert conn.execute("select to_regclass('fixture_marts.not_exported')").fetchone() == (
            None,
        )
        outcome, rows = conn.execute(
            "select outcome, rows_per_table from kpi_sync.sync_runs order by run_id desc limit 1"
        ).fetchone()
    assert outcome == "success"
    assert rows == {"fixture_marts.widgets": 200, "fixture_marts.widget_pairs": 100}


def test_resync_leaves_tables_identical(pipeline: Pipeline) -> None:
    before = pipeline.checksums()
    pipeline.sync()
    assert pipeline.checksums() == before


def test_upsert_updates_changed_rows_and_deletes_removed_ones(pipeline: Pipeline) -> None:
    pipeline.load(200, start=11, amount_bump=1)  # ids 1-10 gone, 201-210 new, amounts changed
    pipeline.build()
    pipeline.sync()
    for table in TABLES:
        assert pipeline.rows(pipeline.app, table) == pipeline.rows(pipeline.warehouse, table)
    assert pipeline.checksums() == pipeline.checksums(pipeline.warehouse)


def test_cursor_and_copy_methods_publish_identical_tables(pipeline: Pipeline) -> None:
    pipeline.load(150, start=40, amount_bump=4)
    pipeline.build()
    pipeline.sync(method="cursor", allow_shrink=True)
    by_cursor = pipeline.checksums()
    pipeline.load(200)
    pipeline.build()
    pipeline.sync(method="copy", allow_shrink=True)
    pipeline.load(150, start=40, amount_bump=4)
    pipeline.build()
    pipeline.sync(method="copy", allow_shrink=True)
    assert pipeline.checksums() == by_cursor == pipeline.checksums(pipeline.warehouse)
    pipeline.load(200)
    pipeline.build()
    pipeline.sync(allow_shrink=True)


def test_first_publish_of_a_dropped_table_by_either_method(pipeline: Pipeline) -> None:
    """A table published for the first time is copied straight in, then gets its keys."""
    for method in ("cursor", "copy"):
        with psycopg.connect(pipeline.app, autocommit=True) as conn:
            conn.execute("drop table fixture_marts.widgets")
        result = pipeline.sync(method=method)
        assert result.rows["fixture_marts.widgets"] == 200
        assert pipeline.checksums() == pipeline.checksums(pipeline.warehouse)
        with psycopg.connect(pipeline.app) as conn:
            (key,) = conn.execute(
                "select pg_get_constraintdef(oid) from pg_constraint"
                " where conrelid = 'fixture_marts.widgets'::regclass and contype = 'p'"
            ).fetchone()
            # analyzed in the same transaction: the API's first queries see statistics
            (analyzed,) = conn.execute(
                "select count(*) from pg_stats where schemaname = 'fixture_marts'"
                " and tablename = 'widgets'"
            ).fetchone()
        assert key == "PRIMARY KEY (widget_id)"
        assert analyzed > 0


def test_killed_first_publish_leaves_no_half_table(pipeline: Pipeline) -> None:
    with psycopg.connect(pipeline.app, autocommit=True) as conn:
        conn.execute("drop table fixture_marts.widgets")
    crashed = run_crashing_sync(pipeline, "mid_copy")
    assert crashed.returncode == -9, crashed.stderr
    with psycopg.connect(pipeline.app) as conn:
        assert conn.execute("select count(*) from fixture_marts.widgets").fetchone() == (0,)
    pipeline.sync()
    assert pipeline.checksums() == pipeline.checksums(pipeline.warehouse)


def test_shrink_guard_refuses_and_names_the_table(pipeline: Pipeline) -> None:
    pipeline.load(200)
    pipeline.build()
    pipeline.sync()
    before = pipeline.checksums()
    pipeline.load(80)
    pipeline.build()
    with pytest.raises(sync.ShrinkError, match=r"fixture_marts\.widget\w* would shrink from"):
        pipeline.sync()
    assert pipeline.checksums() == before
    pipeline.sync(allow_shrink=True)
    assert pipeline.checksums() == pipeline.checksums(pipeline.warehouse)
    pipeline.load(200)
    pipeline.build()
    pipeline.sync()


def test_gate_refuses_a_build_with_a_failed_test(pipeline: Pipeline) -> None:
    before = pipeline.checksums()
    pipeline.load(200, null_name=True)
    assert not pipeline.dbt("build")
    with pytest.raises(sync.GateError, match="not green"):
        pipeline.sync()
    assert pipeline.checksums() == before
    pipeline.load(200)
    pipeline.build()


def test_gate_refuses_run_results_of_another_invocation(pipeline: Pipeline) -> None:
    pipeline.build()
    assert pipeline.dbt("parse")  # rewrites the manifest only
    with pytest.raises(sync.GateError, match="does not belong to the current manifest"):
        check_build(pipeline.target)
    pipeline.build()
    check_build(pipeline.target)


def test_gate_refuses_a_run_that_was_not_a_build(pipeline: Pipeline) -> None:
    assert pipeline.dbt("run")
    with pytest.raises(sync.GateError, match="not `build`"):
        check_build(pipeline.target)
    pipeline.build()


def test_gate_refuses_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(sync.GateError, match="no manifest"):
        check_build(tmp_path)


def test_gate_refuses_a_skipped_node(pipeline: Pipeline, tmp_path: Path) -> None:
    shutil.copy(pipeline.target / "manifest.json", tmp_path / "manifest.json")
    results = json.loads((pipeline.target / "run_results.json").read_text())
    results["results"][0]["status"] = "skipped"
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    with pytest.raises(sync.GateError, match="skipped"):
        check_build(tmp_path)


# A sync in a child process that kills itself (kill -9) at one point of the publish. The
# script wraps one step of sync.publish, so the production code carries no crash hook.
CRASH_SCRIPT = """
import os, sys
from pathlib import Path

from sync import publish

warehouse, app, target, point = sys.argv[1:]
step, when = {
    "before_copy": ("publish_table", "before"),  # lock held, no table touched yet
    "mid_copy": ("copy_rows", "after"),  # a table's rows copied, not yet indexed or merged
    "before_commit": ("_record_success", "before"),  # every table published, no commit
}[point]
original = getattr(publish, step)


def crashing(*args, **kwargs):
    if when == "before":
        os.kill(os.getpid(), 9)
    result = original(*args, **kwargs)
    os.kill(os.getpid(), 9)
    return result


setattr(publish, step, crashing)
publish.run_sync(warehouse, app, Path(target))
"""


def run_crashing_sync(pipeline: Pipeline, point: str) -> subprocess.CompletedProcess[bytes]:
    """Run CRASH_SCRIPT against the pipeline; it should die of SIGKILL at ``point``."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            CRASH_SCRIPT,
            pipeline.warehouse,
            pipeline.app,
            pipeline.target,
            point,
        ],
        capture_output=True,
        timeout=900,
        check=False,
    )


@pytest.mark.parametrize("point", ["before_copy", "mid_copy", "before_commit"])
def test_killed_sync_leaves_previous_snapshot_and_rerun_finishes(
    pipeline: Pipeline, point: str
) -> None:
    pipeline.load(200)
    pipeline.build()
    pipeline.sync()
    before = pipeline.checksums()
    pipeline.load(190, start=5, amount_bump=2)
    pipeline.build()
    crashed = run_crashing_sync(pipeline, point)
    assert crashed.returncode == -9, crashed.stderr
    assert pipeline.checksums() == before
    pipeline.sync()
    assert pipeline.checksums() == pipeline.checksums(pipeline.warehouse)


def test_concurrent_reader_sees_one_snapshot_at_a_time(pipeline: Pipeline) -> None:
    pipeline.load(200)
    pipeline.build()
    pipeline.sync()
    old = tuple(pipeline.checksums().values())
    pipeline.load(220, start=3, amount_bump=3)
    pipeline.build()
    new = tuple(pipeline.checksums(pipeline.warehouse).values())
    seen: set[tuple[str, ...]] = set()
    stop = threading.Event()

    def read() -> None:
        with psycopg.connect(pipeline.app, autocommit=True) as conn:
            while not stop.is_set():
                with conn.transaction():
                    conn.execute("set transaction isolation level repeatable read, read only")
                    seen.add(tuple(table_checksum(conn, t) for t in TABLES))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        pipeline.sync()
    finally:
        stop.set()
        reader.join()
    assert seen <= {old, new}
    assert tuple(pipeline.checksums().values()) == new


def test_added_column_migrates_and_keeps_rows(pipeline: Pipeline) -> None:
    with psycopg.connect(pipeline.app) as conn:
        table = ExportedTable(
            unique_id="model.test.evolving",
            schema="fixture_marts",
            name="evolving",
            columns=(Column("evolving_id", "bigint"), Column("label", "text")),
            unique_key=("evolving_id",),
        )
        ensure_table(conn, table)
        conn.execute("insert into fixture_marts.evolving values (1, 'kept')")
        wider = ExportedTable(
            unique_id=table.unique_id,
            schema=table.schema,
            name=table.name,
            columns=(*table.columns, Column("score", "numeric(6, 2)")),
            unique_key=table.unique_key,
            indexes=(("score",),),
        )
        changes = ensure_table(conn, wider)
        assert changes == ["added fixture_marts.evolving.score"]
        assert conn.execute("select * from fixture_marts.evolving").fetchall() == [
            (1, "kept", None)
        ]
        assert ensure_table(conn, wider) == []
        # Indexes are the publish's job (after the first rows are in): the primary key of
        # the unique key and the declared ones, each once.
        assert ensure_indexes(conn, wider) == [
            "added the primary key of fixture_marts.evolving",
            "created index fixture_marts.evolving__score_idx",
        ]
        assert ensure_indexes(conn, wider) == []
        defs = [
            d
            for (d,) in conn.execute(
                "select indexdef from pg_indexes where tablename = 'evolving'"
            ).fetchall()
        ]
        assert sorted(defs) == sorted(
            [
                "CREATE UNIQUE INDEX evolving_pkey ON fixture_marts.evolving"
                " USING btree (evolving_id)",
                "CREATE INDEX evolving__score_idx ON fixture_marts.evolving USING btree (score)",
            ]
        )
        conn.rollback()


def test_sync_creates_the_declared_indexes(pipeline: Pipeline) -> None:
    with psycopg.connect(pipeline.app) as conn:
        defs = [
            r[0]
            for r in conn.execute(
                "select indexdef from pg_indexes where tablename = 'widgets'"
            ).fetchall()
        ]
    assert any("(widget_id)" in d and "UNIQUE" in d for d in defs)
    assert any("(name)" in d for d in defs)
    assert any("(seen_on, widget_id)" in d for d in defs)

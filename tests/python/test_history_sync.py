"""The sync of the metric history (SPEC §9, §12) into a scratch app database.

The test build (`make dbt-test`) holds 12 history dates. A first sync copies them all;
after that only dates that are missing, recounted or rebuilt (their `built_at` in the
log differs) move, dates gone from the warehouse are removed and said so, the shrink
guard counts dates, and a build older than the published one is refused unless asked.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import psycopg
import pytest

import sync
from kpi.backfill import HISTORY_MODELS

MP_HISTORY = "leader_hub.market_provider_metric_history"


@pytest.fixture(scope="module")
def app_dsn(scratch_database) -> str:
    return scratch_database("kpi_history_sync")


def run(settings, connections, app_dsn: str, **kwargs) -> tuple[sync.SyncResult, Counter]:
    """One sync; returns its result and the rows copied per table (the progress calls)."""
    moved: Counter = Counter()

    def reporter(table: str, total: int):
        return lambda n: moved.update({table: n})

    result = sync.run_sync(
        connections.warehouse_dsn,
        app_dsn,
        settings.dbt_target_path,
        reporter=reporter,
        **kwargs,
    )
    return result, moved


def count(app: psycopg.Connection, where: str = "true") -> int:
    return app.execute(f"select count(*) from {MP_HISTORY} where {where}").fetchone()[0]


def test_first_sync_copies_every_date_then_nothing_moves(settings, connections, app_dsn) -> None:
    first, moved = run(settings, connections, app_dsn)
    with psycopg.connect(connections.warehouse_dsn) as wh, psycopg.connect(app_dsn) as app:
        for name in HISTORY_MODELS:
            table = f"leader_hub.{name}"
            checksum = (
                f"select count(*), md5(string_agg(t::text, ',' order by t::text)) from {table} as t"
            )
            assert wh.execute(checksum).fetchone() == app.execute(checksum).fetchone(), name
            assert moved[table] == first.rows[table] > 0
        keys = app.execute(
            "select indexrelid::regclass::text from pg_index"
            " where indrelid = %s::regclass order by 1",
            [MP_HISTORY],
        ).fetchall()
        assert len(keys) == 3  # the primary key, (market_id, as_of_date), (provider_id, ...)
    second, moved = run(settings, connections, app_dsn)
    assert all(moved[f"leader_hub.{name}"] == 0 for name in HISTORY_MODELS), moved
    assert second.rows == first.rows
    assert second.notes == []


def test_only_missing_changed_or_rebuilt_dates_move(settings, connections, app_dsn, as_of) -> None:
    rebuilt, lost, fake = as_of - timedelta(days=7), as_of - timedelta(days=14), date(2020, 1, 3)
    with psycopg.connect(app_dsn, autocommit=True) as app:
        rebuilt_rows = count(app, f"as_of_date = '{rebuilt}'")
        (market_rows,) = app.execute(
            "select count(*) from leader_hub.market_metric_history where as_of_date = %s",
            [rebuilt],
        ).fetchone()
        lost_rows = count(app, f"as_of_date = '{lost}'")
        # A rebuilt date: the warehouse log's built_at no longer matches the app's copy.
        app.execute(
            "update leader_hub.metric_history_dates set built_at = built_at - interval '1 day'"
            " where as_of_date = %s",
            [rebuilt],
        )
        app.execute(f"update {MP_HISTORY} set visit_count = -1 where as_of_date = %s", [rebuilt])
        app.execute(f"delete from {MP_HISTORY} where as_of_date = %s", [lost])
        app.execute(
            f"insert into {MP_HISTORY} (market_id, provider_id, as_of_date, job_title)"
            " values (1, 1, %s, 'APP')",
            [fake],
        )
    result, moved = run(settings, connections, app_dsn)
    assert moved[MP_HISTORY] == rebuilt_rows + lost_rows
    # The rebuilt date moves in every history table; nothing else does.
    assert moved["leader_hub.market_metric_history"] == market_rows > 0
    assert result.notes == [
        f"{MP_HISTORY}: removed 1 dates the warehouse no longer has ({fake} … {fake})"
    ]
    with psycopg.connect(app_dsn) as app, psycopg.connect(connections.warehouse_dsn) as wh:
        checksum = (
            "select count(*), md5(string_agg(t::text, ',' order by t::text))"
            f" from {MP_HISTORY} as t"
        )
        assert app.execute(checksum).fetchone() == wh.execute(checksum).fetchone()


def test_shrink_guard_counts_dates_not_rows(settings, connections, app_dsn) -> None:
    """13+ fake one-row dates: the warehouse's 12 dates are under half of the app's."""
    with psycopg.connect(app_dsn, autocommit=True) as app:
        for day in range(13):
            app.execute(
                f"insert into {MP_HISTORY} (market_id, provider_id, as_of_date, job_title)"
                " values (1, 1, %s, 'APP')",
                [date(2020, 1, 1) + timedelta(days=day)],
            )
        rows_before = count(app)
    with pytest.raises(sync.ShrinkError, match=r"keep 12 of its 25 published dates"):
        run(settings, connections, app_dsn)
    with psycopg.connect(app_dsn) as app:
        assert count(app) == rows_before  # rolled back: nothing published
    result, _ = run(settings, connections, app_dsn, allow_shrink=True)
    assert len(result.notes) == 1 and "removed 13 dates" in result.notes[0]


def test_older_build_is_refused_unless_allowed(settings, connections, app_dsn, as_of) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as app:
        app.execute(
            "insert into kpi_sync.sync_runs (as_of_date, dbt_invocation_id, started_at,"
            " finished_at, outcome) values (%s, 'newer', now(), now(), 'success')",
            [as_of + timedelta(days=1)],
        )
    with pytest.raises(sync.GateError, match=r"older than the published .*--allow-older"):
        run(settings, connections, app_dsn)
    result, _ = run(settings, connections, app_dsn, allow_older=True)
    assert result.as_of_date == as_of.isoformat()

"""The station generator: the shape SPEC §4/§6 rely on, the planted cases, determinism."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import psycopg
import pytest

from synthetic import SOURCES_SQL, station, write_tables

AS_OF = date(2026, 3, 31)
SCALE = 0.02
DB_NAME = "kpi_station_test"


@pytest.fixture(scope="module")
def generated(connections):
    """Generate the station schema once into a scratch database; yield (conn, result, calls)."""
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DB_NAME} with (force)")
        admin.execute(f"create database {DB_NAME}")
    dsn = psycopg.conninfo.make_conninfo(connections.warehouse_dsn, dbname=DB_NAME)
    calls: dict[str, list[int]] = {}

    def reporter(table: str, expected: int):
        calls[table] = [expected, 0]

        def advance(rows: int) -> None:
            calls[table][1] += rows

        return advance

    with psycopg.connect(dsn) as conn:
        conn.execute(SOURCES_SQL.read_text())
        tables, planted = station.build(np.random.default_rng([7, 1]), SCALE, AS_OF)
        result = write_tables(conn, tables, reporter), planted
        conn.commit()
        yield conn, result, calls
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DB_NAME} with (force)")


def one(conn: psycopg.Connection, query: str, *params):
    return conn.execute(query, params).fetchone()


def test_same_seed_builds_identical_columns_and_another_seed_does_not() -> None:
    first, planted_first = station.build(np.random.default_rng([3, 1]), 0.005, AS_OF)
    second, planted_second = station.build(np.random.default_rng([3, 1]), 0.005, AS_OF)
    other, _ = station.build(np.random.default_rng([4, 1]), 0.005, AS_OF)
    assert planted_first == planted_second
    for table, columns in first.items():
        for name, column in columns.items():
            # tolist(): NaT and None become None, which compare equal
            same = np.asarray(column).tolist() == np.asarray(second[table][name]).tolist()
            assert same, f"{table}.{name}"
    assert not np.array_equal(
        first["station.care_requests"]["completed_at"],
        other["station.care_requests"]["completed_at"],
    )


def test_counts_match_tables_and_progress_reports(generated) -> None:
    conn, (counts, _), calls = generated
    assert set(counts) == {
        f"station.{t}"
        for t in (
            "market_groups",
            "markets",
            "providers",
            "shift_teams",
            "shift_team_members",
            "shift_snapshots",
            "care_requests",
            "surveys",
        )
    }
    for table, rows in counts.items():
        assert one(conn, f"select count(*) from {table}")[0] == rows
        assert calls[table] == [rows, rows]
    assert counts["station.markets"] == 3
    (visits,) = one(conn, "select count(*) from station.care_requests where status = 'complete'")
    assert 25_000 <= visits <= 36_000  # ~1.5 M x 0.02 over two years, plus 3 days after


def test_every_team_has_one_app_and_one_dhmt(generated) -> None:
    conn, _, _ = generated
    shapes = conn.execute(
        """
        select apps, dhmts, count(*) from (
            select m.shift_team_id,
                count(*) filter (where p.position = 'advanced practice provider') as apps,
                count(*) filter (where p.position = 'emt') as dhmts
            from station.shift_team_members as m
            inner join station.providers as p on m.provider_id = p.provider_id
            group by m.shift_team_id
        ) as teams group by apps, dhmts"""
    ).fetchall()
    assert [(a, d) for a, d, _ in shapes] == [(1, 1)]
    assert shapes[0][2] == one(conn, "select count(*) from station.shift_teams")[0]


def test_nobody_is_on_two_overlapping_shifts(generated) -> None:
    conn, _, _ = generated
    (overlaps,) = one(
        conn,
        """
        select count(*)
        from station.shift_team_members as a
        inner join station.shift_teams as ta on a.shift_team_id = ta.shift_team_id
        inner join station.shift_team_members as b
            on a.provider_id = b.provider_id and a.shift_team_id < b.shift_team_id
        inner join station.shift_teams as tb on b.shift_team_id = tb.shift_team_id
        where ta.start_time::date = tb.start_time::date
            and ta.start_time < tb.end_time and tb.start_time < ta.end_time""",
    )
    assert overlaps == 0


def test_each_visit_is_exactly_one_on_scene_snapshot_of_its_team(generated) -> None:
    conn, _, _ = generated
    (unmatched_visits,) = one(
        conn,
        """
        select count(*) from station.care_requests as cr
        where cr.status = 'complete' and not exists (
            select from station.shift_snapshots as s
            where s.shift_team_id = cr.shift_team_id and s.phase = 'on_scene'
                and s.start_time = cr.on_scene_at and s.end_time = cr.completed_at)""",
    )
    (unmatched_snapshots,) = one(
        conn,
        """
        select count(*) from station.shift_snapshots as s
        where s.phase = 'on_scene' and not exists (
            select from station.care_requests as cr
            where cr.shift_team_id = s.shift_team_id and cr.status = 'complete'
                and cr.on_scene_at = s.start_time)""",
    )
    assert (unmatched_visits, unmatched_snapshots) == (0, 0)
    (wrong_date,) = one(
        conn,
        "select count(*) from station.care_requests"
        " where status = 'complete' and service_date <> on_scene_at::date",
    )
    assert wrong_date == 0


def test_rates_are_near_their_targets(generated) -> None:
    conn, _, _ = generated
    row = one(
        conn,
        """
        select
            avg((status = 'complete')::int),
            percentile_cont(0.5) within group (
                order by extract(epoch from completed_at - on_scene_at)
            ) filter (where status = 'complete'),
            avg((chart_closed_at <= completed_at + interval '24 hours')::int)
                filter (where status = 'complete' and chart_closed_at is not null),
            avg((chart_closed_at is null)::int) filter (where status = 'complete'),
            count(*) filter (where chart_closed_at = completed_at + interval '24 hours'),
            avg(is_escalated::int) filter (where status = 'complete'),
            avg(is_abx_prescribed::int) filter (where status = 'complete'),
            count(*) filter (where status <> 'complete' and on_scene_at is not null)
        from station.care_requests""",
    )
    complete, median_on_scene, chart_24h, chart_null, exactly_24h, esc, abx, odd = row
    assert 0.90 <= complete <= 0.94
    assert 40 * 60 <= median_on_scene <= 50 * 60
    assert 0.85 <= chart_24h <= 0.95
    assert 0.005 <= chart_null <= 0.05
    assert exactly_24h > 0
    assert 0.03 <= esc <= 0.08
    assert 0.2 <= abx <= 0.4
    assert odd == 0
    surveyed, no_score, high = one(
        conn,
        """
        select
            count(*)::numeric / (
                select count(*) from station.care_requests where status = 'complete'
            ),
            avg((nps_score is null)::int),
            avg((nps_score >= 9)::int) filter (where nps_score is not null)
        from station.surveys""",
    )
    assert 0.5 <= surveyed <= 0.7
    assert 0.05 <= no_score <= 0.15
    assert high >= 0.6


def test_some_visits_of_a_market_complete_at_the_same_moment(generated) -> None:
    conn, _, _ = generated
    (ties,) = one(
        conn,
        """
        select count(*) from (
            select market_id, completed_at from station.care_requests
            where status = 'complete'
            group by market_id, completed_at having count(*) > 1
        ) as tied""",
    )
    assert ties > 0


def test_some_shifts_skip_the_break_and_some_see_no_patient(generated) -> None:
    conn, _, _ = generated
    skipped, without_visits = one(
        conn,
        """
        select
            avg((not exists (
                select from station.shift_snapshots as s
                where s.shift_team_id = t.shift_team_id and s.phase = 'on_break'
            ))::int),
            count(*) filter (where not exists (
                select from station.shift_snapshots as s
                where s.shift_team_id = t.shift_team_id and s.phase = 'en_route'
            ))
        from station.shift_teams as t""",
    )
    assert 0.1 <= skipped <= 0.2
    assert without_visits > 0


def test_planted_cases_are_in_the_data(generated) -> None:
    conn, (_, planted), _ = generated
    (group,) = planted["two_market_groups"]
    assert one(
        conn,
        "select array_agg(market_id order by market_id) from station.markets"
        " where market_group_id = %s",
        group["market_group_id"],
    )[0] == sorted(group["market_ids"])

    def markets_worked(provider_id: int) -> int:
        return one(
            conn,
            "select count(distinct t.market_id) from station.shift_team_members as m"
            " inner join station.shift_teams as t on m.shift_team_id = t.shift_team_id"
            " where m.provider_id = %s",
            provider_id,
        )[0]

    for provider_id in planted["cross_market_provider_ids"] + planted["cross_group_provider_ids"]:
        assert markets_worked(provider_id) >= 2

    def last_shift_and_visits(provider_id: int):
        return one(
            conn,
            """
            select max(t.start_time)::date, (
                select count(*) from station.care_requests as cr
                inner join station.shift_team_members as m2
                    on cr.shift_team_id = m2.shift_team_id
                where m2.provider_id = %s and cr.status = 'complete'
                    and cr.service_date <= %s)
            from station.shift_team_members as m
            inner join station.shift_teams as t on m.shift_team_id = t.shift_team_id
            where m.provider_id = %s and t.start_time::date <= %s""",
            provider_id,
            AS_OF,
            provider_id,
            AS_OF,
        )

    for provider_id in planted["inactive_provider_ids"]:
        assert last_shift_and_visits(provider_id)[0] <= AS_OF - timedelta(days=90)
    assert planted["under_80_visits_provider_ids"]
    for provider_id in planted["under_80_visits_provider_ids"]:
        assert 0 < last_shift_and_visits(provider_id)[1] < 80
    for provider_id in planted["no_visit_provider_ids"]:
        assert last_shift_and_visits(provider_id) == (None, 0)
        assert one(
            conn, "select position from station.providers where provider_id = %s", provider_id
        )[0] in ("advanced practice provider", "emt")

    split = planted["split_day_example"]
    rows = conn.execute(
        "select market_id, start_time::date from station.shift_teams"
        " where shift_team_id = any(%s) order by start_time",
        [split["shift_team_ids"]],
    ).fetchall()
    assert [m for m, _ in rows] == split["market_ids"]
    assert rows[0][1] == rows[1][1]

    (after,) = one(
        conn,
        "select count(*) from station.care_requests"
        " where status = 'complete' and service_date > %s",
        AS_OF,
    )
    assert after == planted["visits_after_as_of"] > 0

"""SPEC §6 durations, recomputed independently: every single-event duration in the built
warehouse is the exact difference of its microsecond source timestamps truncated toward
zero to whole seconds (Python integer arithmetic on the raw timestamps, not SQL)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import psycopg
import pytest

PHASE_COLUMNS = {
    "en_route": "en_route_duration_seconds",
    "on_scene": "on_scene_duration_seconds",
    "on_break": "on_break_duration_seconds",
    "idle": "idle_duration_seconds",
}


def truncated_seconds(delta: timedelta) -> int:
    """Whole seconds of ``delta``, truncated toward zero, without floating point."""
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros // 1_000_000 if micros >= 0 else -((-micros) // 1_000_000)


def test_truncation_helper_is_toward_zero() -> None:
    assert truncated_seconds(timedelta(seconds=1.2)) == 1
    assert truncated_seconds(timedelta(seconds=1.8)) == 1
    assert truncated_seconds(timedelta(seconds=-1.2)) == -1


def test_source_timestamps_carry_microseconds(warehouse) -> None:
    (with_fraction,) = warehouse.execute(
        "select count(*) from station.care_requests"
        " where completed_at <> date_trunc('second', completed_at)"
    ).fetchone()
    assert with_fraction > 0


def test_visit_on_scene_seconds_truncate_the_exact_difference(warehouse) -> None:
    rows = warehouse.execute(
        """select v.on_scene_seconds, c.on_scene_at, c.completed_at
        from intermediate.int_visits_enriched as v
        inner join station.care_requests as c on v.care_request_id = c.care_request_id
        order by v.care_request_id limit 5000"""
    ).fetchall()
    assert rows
    fractional = 0
    for seconds, on_scene_at, completed_at in rows:
        assert seconds == truncated_seconds(completed_at - on_scene_at)
        fractional += (completed_at - on_scene_at).microseconds != 0
    assert fractional > len(rows) // 2  # the rule is exercised, not whole seconds only


@pytest.fixture(scope="module")
def shifts(connections):
    with psycopg.connect(connections.warehouse_dsn) as conn:
        marts = conn.execute(
            """select distinct on (shift_team_id) shift_team_id, start_time, end_time,
                out_the_door_duration_seconds, en_route_duration_seconds,
                on_scene_duration_seconds, on_break_duration_seconds, idle_duration_seconds
            from leader_hub.provider_shifts order by shift_team_id limit 400"""
        ).fetchall()
        ids = [row[0] for row in marts]
        snapshots = conn.execute(
            "select shift_team_id, phase, start_time, end_time from station.shift_snapshots"
            " where shift_team_id = any(%s) order by shift_team_id, start_time",
            [ids],
        ).fetchall()
    return marts, snapshots


def test_shift_phases_truncate_each_snapshot_and_fit_the_shift(shifts) -> None:
    marts, snapshots = shifts
    assert marts
    phases: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PHASE_COLUMNS, 0))
    first_en_route = {}
    for shift_team_id, phase, start, end in snapshots:
        phases[shift_team_id][phase] += truncated_seconds(end - start)
        if phase == "en_route":
            first_en_route.setdefault(shift_team_id, start)
    for shift_team_id, start, end, out_the_door, *durations in marts:
        expected = [phases[shift_team_id][phase] for phase in PHASE_COLUMNS]
        assert durations == expected, shift_team_id
        if shift_team_id in first_en_route:
            assert out_the_door == truncated_seconds(first_en_route[shift_team_id] - start)
        else:
            assert out_the_door is None
        assert sum(durations) <= truncated_seconds(end - start)

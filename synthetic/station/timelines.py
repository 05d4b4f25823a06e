"""Shift timelines: the phases of every shift (idle, en route, on scene, on break) as
durations, and the ``shift_snapshots`` rows that tile each shift with them."""

from __future__ import annotations

import numpy as np

from synthetic.station.constants import (
    BREAK_SHARE,
    HOUR,
    MAX_VISITS,
    MIN_TRAILING_IDLE,
    MINUTE,
    NO_VISIT_SHIFT_SHARE,
    PHASES,
    TIE_GRID,
    TIE_SHARE,
)


def lognormal_seconds(
    rng: np.random.Generator,
    median: float,
    sigma: float,
    size: int | tuple[int, ...],
    low: float,
    high: float,
) -> np.ndarray:
    """Whole seconds, lognormal around ``median``, clipped to [low, high]."""
    return np.clip(np.rint(median * rng.lognormal(0.0, sigma, size)), low, high).astype(np.int64)


def lay_out_timelines(rng: np.random.Generator, shifts: dict, people: dict) -> dict:
    """Phase durations per shift as an (n, 1 + 4 * MAX_VISITS) matrix that sums to its length.

    Column 0 is the first idle (out the door); visit slot k owns columns 1 + 4k ..
    4 + 4k: en_route, on_scene, on_break (only after the visit the break follows),
    idle (the gap before the next visit; after the last visit, idle to the shift's end).
    A zero duration is a phase that did not happen.
    """
    n, k_max = shifts["n"], MAX_VISITS
    length = shifts["length"]
    draws = _phase_draws(rng, shifts, people)
    visits, break_after, break_length, first_idle = _fit_visits(draws, length)

    slots = np.arange(k_max)[None, :]
    live = slots < visits[:, None]
    dur = np.zeros((n, 1 + 4 * k_max), dtype=np.int64)
    dur[:, 0] = first_idle
    dur[:, 1::4] = np.where(live, draws["en_route"], 0)
    dur[:, 2::4] = np.where(live, draws["on_scene"], 0)
    dur[:, 3::4] = np.where(
        draws["has_break"][:, None] & (slots == break_after[:, None]), break_length[:, None], 0
    )
    dur[:, 4::4] = np.where(slots < visits[:, None] - 1, draws["gap"], 0)

    # Quarter-hour completions (ties between teams): move the on-scene end back to the
    # grid when the visit stays >= 10 min; the idle after it grows by as much.
    end_off = np.cumsum(dur, axis=1)[:, 2::4]
    delta = (shifts["start_sec"][:, None] + end_off) % TIE_GRID
    snap = draws["ties"] & live & (dur[:, 2::4] - delta >= 10 * MINUTE)
    dur[:, 2::4] -= np.where(snap, delta, 0)
    dur[:, 4::4] += np.where(snap, delta, 0)

    # The idle after the last visit (or the first slot's idle when there is none) runs to
    # the end of the shift.
    rows = np.arange(n)
    last_idle = 4 + 4 * np.maximum(visits - 1, 0)
    dur[rows, last_idle] = 0
    dur[rows, last_idle] = length - dur.sum(axis=1)
    if (dur[rows, last_idle] < MIN_TRAILING_IDLE).any():
        raise AssertionError("shift timeline overruns its shift")
    # Ends that stay on the whole second when microseconds are added: the quarter-hour
    # completions.
    on_grid = np.zeros(dur.shape, dtype=bool)
    on_grid[:, 2::4] = snap
    return {"dur": dur, "visits": visits, "on_grid": on_grid}


def _phase_draws(rng: np.random.Generator, shifts: dict, people: dict) -> dict[str, np.ndarray]:
    """Every random phase length of every visit slot, before deciding how many fit."""
    n, k_max = shifts["n"], MAX_VISITS
    pace = people["pace"][shifts["app"]] * people["pace"][shifts["dhmt"]]
    en_route = lognormal_seconds(rng, 18 * MINUTE, 0.5, (n, k_max), 4 * MINUTE, 2 * HOUR)
    on_scene = np.clip(
        np.rint(47 * MINUTE * pace[:, None] * rng.lognormal(0.0, 0.42, (n, k_max))),
        10 * MINUTE,
        4 * HOUR,
    ).astype(np.int64)
    gap = lognormal_seconds(rng, 22 * MINUTE, 0.8, (n, k_max), MINUTE, 3 * HOUR)
    gap[rng.random((n, k_max)) < 0.3] = 0  # straight on to the next patient
    return {
        "en_route": en_route,
        "on_scene": on_scene,
        "gap": gap,
        "first_idle": lognormal_seconds(rng, 20 * MINUTE, 0.6, n, 3 * MINUTE, 2 * HOUR),
        "break": np.where(
            rng.random(n) < 0.4, 30 * MINUTE, rng.integers(25 * MINUTE, 40 * MINUTE, n)
        ),
        "has_break": rng.random(n) < BREAK_SHARE,
        "break_after_share": rng.uniform(0.35, 0.6, n),
        "no_visits": rng.random(n) < NO_VISIT_SHIFT_SHARE,
        "ties": rng.random((n, k_max)) < TIE_SHARE,
    }


def _fit_visits(
    draws: dict[str, np.ndarray], length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(visits, slot the break follows, break length, first idle) per shift: as many
    visits as fit with the break and the trailing idle. Clears ``has_break`` where the
    break no longer fits."""
    k_max, first_idle, has_break = MAX_VISITS, draws["first_idle"], draws["has_break"]
    slots = np.arange(k_max)[None, :]
    # On-scene end of every slot, without the break.
    gap = draws["gap"]
    end_nb = first_idle[:, None] + np.cumsum(draws["en_route"] + draws["on_scene"] + gap, axis=1)
    end_nb -= gap
    reached = end_nb >= (draws["break_after_share"] * length)[:, None]
    after = np.where(reached.any(axis=1), reached.argmax(axis=1), k_max - 1)
    brk_len = np.where(has_break, draws["break"], 0)
    need = (
        end_nb
        + MIN_TRAILING_IDLE
        + np.where(slots > after[:, None], brk_len[:, None], 0)
        + np.where(slots == after[:, None], brk_len[:, None], 0)
    )
    visits = (need <= length[:, None]).sum(axis=1)
    visits[draws["no_visits"]] = 0

    # Break planned after a visit that no longer fits: after the last visit instead,
    # dropping that visit if there is no room, skipping the break if still none.
    rows = np.arange(len(length))

    def room_after_last_visit(visits: np.ndarray) -> np.ndarray:
        last_end = np.where(visits > 0, end_nb[rows, np.maximum(visits - 1, 0)], first_idle)
        return last_end + brk_len + MIN_TRAILING_IDLE <= length

    late = has_break & (after >= visits)
    for _ in range(2):
        room = room_after_last_visit(visits)
        visits = np.where(late & ~room & (visits > 0), visits - 1, visits)
    room = room_after_last_visit(visits)
    has_break &= ~late | room
    after = np.where(late, np.maximum(visits - 1, 0), after)
    # A shift without visits idles until its break, mid-shift.
    first_idle = np.where(
        draws["no_visits"],
        np.rint(draws["break_after_share"] * length).astype(np.int64),
        first_idle,
    )
    return visits, after, brk_len, first_idle


def snapshot_columns(
    rng: np.random.Generator, shifts: dict, timeline: dict, markets: dict
) -> dict[str, object]:
    """station.shift_snapshots: one row per phase that happened, by shift then time, placed
    at the team's base or its patient."""
    dur, visits, end_us = timeline["dur"], timeline["visits"], timeline["end_us"]
    n, k_max = shifts["n"], MAX_VISITS
    start_us = np.c_[np.zeros(n, dtype=np.int64), end_us[:, :-1]]
    rows, cols = np.nonzero(dur > 0)  # row-major: by shift, then in time order
    kind = np.where(cols == 0, 0, (cols - 1) % 4 + 1)  # 0 first idle, 1 en_route .. 4 idle
    phase_code = np.array([0, 1, 2, 3, 0])[kind]
    slot = np.maximum(cols - 1, 0) // 4

    # Places: the team's base near the market centre, patients around it.
    lat0 = markets["lat"][shifts["market"]]
    lon0 = markets["lon"][shifts["market"]]
    lon_scale = 1.0 / np.cos(np.radians(lat0))
    base_lat = lat0 + rng.normal(0.0, 0.01, n)
    base_lon = lon0 + rng.normal(0.0, 0.01, n) * lon_scale
    pat_lat = lat0[:, None] + rng.normal(0.0, 0.07, (n, k_max))
    pat_lon = lon0[:, None] + rng.normal(0.0, 0.07, (n, k_max)) * lon_scale[:, None]
    at_patient = slot < visits[rows]  # on scene, or idle/break right after a visit
    prev = np.maximum(slot - 1, 0)
    from_base = (kind == 0) | ((kind == 1) & (slot == 0)) | (~at_patient & (kind != 1))
    where_slot = np.where(kind == 1, prev, slot)
    lat = np.where(from_base, base_lat[rows], pat_lat[rows, where_slot])
    lon = np.where(from_base, base_lon[rows], pat_lon[rows, where_slot])
    on_break = kind == 3
    lat = lat + np.where(on_break, rng.normal(0.0, 0.004, len(rows)), 0.0)
    lon = lon + np.where(on_break, rng.normal(0.0, 0.004, len(rows)), 0.0)

    shift_start = shifts["start"][rows].astype("datetime64[us]")
    return {
        "shift_team_id": shifts["ids"][rows],
        "start_time": shift_start + start_us[rows, cols].astype("timedelta64[us]"),
        "end_time": shift_start + end_us[rows, cols].astype("timedelta64[us]"),
        "phase": PHASES[phase_code],
        "latitude_e6": np.rint(lat * 1e6).astype(np.int64),
        "longitude_e6": np.rint(lon * 1e6).astype(np.int64),
    }

"""Shift teams: how many a market wants each day, who is on them, when they run.

A team is one APP and one DHMT drawn from the clinicians available in that market that
day (at most one team a day each), plus the planted split days and a few third members.
"""

from __future__ import annotations

import numpy as np

from synthetic.station.constants import (
    APP,
    AS_OF_DAY,
    HISTORY_DAYS,
    HOUR,
    MINUTE,
    N_DAYS,
    OTHER,
    SHIFT_LATEST_END,
    SHIFT_TEAM_ID_BASE,
    VISITS_PER_SCALE,
    VISITS_PER_SHIFT,
)


def day_profile(day0: np.datetime64) -> np.ndarray:
    """Relative demand per day: growth over the two years, winter peak, quieter weekends."""
    t = np.arange(N_DAYS)
    days = day0 + t
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    dow = np.where(weekday == 5, 0.9, np.where(weekday == 6, 0.8, 1.05))
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    season = 1.0 + 0.12 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    growth = 0.8 + 0.35 * t / AS_OF_DAY
    profile = dow * season * growth
    return profile / profile[:HISTORY_DAYS].mean()


def schedule_shifts(
    rng: np.random.Generator, scale: float, markets: dict, people: dict, day0: np.datetime64
) -> dict:
    """Every shift team in time order (ids follow it): market, day, start, length, members."""
    # Wanted shift teams per (market, day).
    shifts_per_day = VISITS_PER_SCALE * scale / VISITS_PER_SHIFT / HISTORY_DAYS
    share = markets["weight"] / markets["weight"].sum()
    lam = shifts_per_day * share[:, None] * day_profile(day0)[None, :]
    lam[np.arange(N_DAYS)[None, :] < markets["launch_day"][:, None]] = 0.0
    wanted = rng.poisson(lam)  # (market, day)

    team = _staff_teams(rng, markets, people, wanted)
    start_sec, length = _start_and_length(rng, team["n"])
    team.update(start_sec=start_sec, length=length)
    _add_split_days(rng, markets, team)
    team["third"] = _third_members(rng, people, team["day"], team["partner"])
    return _in_time_order(team, day0)


def _availability(
    rng: np.random.Generator, markets: dict, people: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clinician, day, market): one row per clinician and day employed, in the market
    worked that day (a cross-market clinician sometimes in the other one)."""
    clin = np.flatnonzero(people["role"] != OTHER)
    first = people["start"][clin]
    last = np.minimum(people["end"][clin], N_DAYS - 1)
    span = np.maximum(last - first + 1, 0)
    who = np.repeat(clin, span)
    day = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span) + np.repeat(first, span)
    market = people["home"][who]
    alt = people["alt"][who]
    go_alt = (alt >= 0) & (rng.random(len(who)) < people["alt_share"][who])
    market = np.where(go_alt, alt, market)
    ok = day >= markets["launch_day"][market]
    return who[ok], day[ok], market[ok]


def _staff_teams(
    rng: np.random.Generator, markets: dict, people: dict, wanted: np.ndarray
) -> dict[str, np.ndarray | int]:
    """As many teams per (market, day) as wanted and staffed; APP and DHMT per team by a
    weighted draw without replacement (an exponential race) among the available."""
    n_markets = markets["n"]
    who, day, market = _availability(rng, markets, people)
    role = people["role"][who]
    race = rng.exponential(size=len(who)) / people["shift_weight"][who]
    group = (role * n_markets + market) * N_DAYS + day
    order = np.lexsort((race, group))
    who, day, market, role, group = (a[order] for a in (who, day, market, role, group))
    idx = np.arange(len(group))
    is_first = np.r_[True, group[1:] != group[:-1]]
    rank = idx - np.maximum.accumulate(np.where(is_first, idx, 0))
    available = np.bincount(group, minlength=2 * n_markets * N_DAYS).reshape(2, n_markets, N_DAYS)
    teams = np.minimum(wanted, available.min(axis=0))  # (market, day)

    by_day = teams.T.ravel()  # shifts ordered by (day, market, rank)
    offset = (np.cumsum(by_day) - by_day).reshape(N_DAYS, n_markets)
    chosen = rank < teams[market, day]
    slot = offset[day[chosen], market[chosen]] + rank[chosen]
    n_shifts = int(by_day.sum())
    app = np.full(n_shifts, -1, dtype=np.int64)
    dhmt = np.full(n_shifts, -1, dtype=np.int64)
    is_app = role[chosen] == APP
    app[slot[is_app]] = who[chosen][is_app]
    dhmt[slot[~is_app]] = who[chosen][~is_app]
    return {
        "n": n_shifts,
        "market": np.repeat(np.tile(np.arange(n_markets), N_DAYS), by_day),
        "day": np.repeat(np.repeat(np.arange(N_DAYS), n_markets), by_day),
        "app": app,
        "dhmt": dhmt,
    }


def _start_and_length(rng: np.random.Generator, n_shifts: int) -> tuple[np.ndarray, np.ndarray]:
    """Start (local morning/afternoon, on the hour or half hour) and length (8-12 h)."""
    start_hour = rng.choice(
        np.arange(6, 15), n_shifts, p=[0.04, 0.24, 0.2, 0.1, 0.14, 0.05, 0.1, 0.05, 0.08]
    )
    start_sec = start_hour * HOUR + np.where(rng.random(n_shifts) < 0.2, 30 * MINUTE, 0)
    length = rng.choice(
        np.array([8, 9, 10, 11, 12]) * HOUR, n_shifts, p=[0.3, 0.06, 0.34, 0.05, 0.25]
    )
    return np.minimum(start_sec, SHIFT_LATEST_END - length), length


def _add_split_days(rng: np.random.Generator, markets: dict, team: dict) -> None:
    """Split days (planted): a morning team in one market of a two-market group, the same
    two clinicians in the group's other market in the afternoon (appended; ``partner`` of
    an afternoon team is its morning team's index)."""
    n_shifts, s_market, s_day = team["n"], team["market"], team["day"]
    start_sec, length = team["start_sec"], team["length"]
    in_pair = markets["other_in_group"][s_market] >= 0
    split = in_pair & (rng.random(n_shifts) < 0.004)
    recent = np.flatnonzero(in_pair & (s_day <= AS_OF_DAY - 2) & (s_day >= AS_OF_DAY - 20))
    if len(recent):
        split[recent[-1]] = True  # at least one inside every window
    split_idx = np.flatnonzero(split)
    start_sec[split_idx] = 7 * HOUR
    length[split_idx] = 5 * HOUR
    k = len(split_idx)
    team.update(
        market=np.r_[s_market, markets["other_in_group"][s_market[split_idx]]],
        day=np.r_[s_day, s_day[split_idx]],
        app=np.r_[team["app"], team["app"][split_idx]],
        dhmt=np.r_[team["dhmt"], team["dhmt"][split_idx]],
        start_sec=np.r_[start_sec, np.full(k, 12 * HOUR + 30 * MINUTE)],
        length=np.r_[length, rng.choice([5 * HOUR, 5 * HOUR + 30 * MINUTE, 6 * HOUR], k)],
        partner=np.r_[np.full(n_shifts, -1), split_idx],
        n=n_shifts + k,
    )


def _third_members(
    rng: np.random.Generator, people: dict, s_day: np.ndarray, partner: np.ndarray
) -> np.ndarray:
    """Third member: a non-clinician (ride-along RN, virtual doctor ...), ~2% of teams; at
    most one team a day each (distinct members per day from a random rotation)."""
    n_shifts = len(s_day)
    others = np.flatnonzero(people["role"] == OTHER)
    third = np.full(n_shifts, -1, dtype=np.int64)
    has_third = np.flatnonzero((rng.random(n_shifts) < 0.02) & (partner < 0))
    h_day = s_day[has_third]  # has_third is in day order
    h_idx = np.arange(len(has_third))
    h_first = np.r_[True, h_day[1:] != h_day[:-1]]
    h_rank = h_idx - np.maximum.accumulate(np.where(h_first, h_idx, 0))
    rotation = rng.integers(0, len(others), N_DAYS)
    keep = h_rank < len(others)
    third[has_third[keep]] = others[(rotation[h_day] + h_rank)[keep] % len(others)]
    return third


def _in_time_order(team: dict, day0: np.datetime64) -> dict:
    """The teams sorted by (day, start, market): ids in time order."""
    n_shifts = team["n"]
    order = np.lexsort((np.arange(n_shifts), team["market"], team["start_sec"], team["day"]))
    inverse = np.empty(n_shifts, dtype=np.int64)
    inverse[order] = np.arange(n_shifts)
    s_market, s_day, start_sec, length, app, dhmt, third = (
        team[name][order]
        for name in ("market", "day", "start_sec", "length", "app", "dhmt", "third")
    )
    partner = team["partner"][order]
    partner = np.where(partner >= 0, inverse[np.maximum(partner, 0)], -1)
    start = (day0 + s_day).astype("datetime64[s]") + start_sec.astype("timedelta64[s]")
    return {
        "n": n_shifts,
        "ids": SHIFT_TEAM_ID_BASE + 1 + np.arange(n_shifts, dtype=np.int64),
        "market": s_market,
        "day": s_day,
        "start": start,
        "start_sec": start_sec.astype(np.int64),
        "length": length.astype(np.int64),
        "app": app,
        "dhmt": dhmt,
        "third": third,
        "split_partner": partner,  # afternoon team -> index of its morning team
    }


def member_columns(shifts: dict, people: dict) -> dict[str, object]:
    """station.shift_team_members: APP, DHMT and any third member of every team."""
    n = shifts["n"]
    idx = np.arange(n)
    has_third = shifts["third"] >= 0
    team = np.concatenate([idx, idx, idx[has_third]])
    member = np.concatenate([shifts["app"], shifts["dhmt"], shifts["third"][has_third]])
    order = np.lexsort((people["id"][member], team))
    return {
        "shift_team_id": shifts["ids"][team[order]],
        "provider_id": people["id"][member[order]],
    }

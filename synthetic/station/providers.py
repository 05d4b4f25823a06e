"""Providers: clinicians (APPs and DHMTs) per market, a few non-clinicians, and the
planted clinicians (cross-market, travelling, left, new, not started yet).

``people`` is a dict of per-provider arrays (index = provider row, not provider_id) plus
the planted ids; the shift scheduler reads their employment spans and markets.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synthetic.station.constants import (
    APP,
    AS_OF_DAY,
    CLINICIANS_PER_SCALE,
    DHMT,
    N_DAYS,
    OTHER,
    POSITION_OF_ROLE,
    PROVIDER_ID_BASE,
)
from synthetic.station.names import (
    FIRST_NAMES,
    LAST_NAMES,
    OTHER_POSITION_WEIGHTS,
    OTHER_POSITIONS,
)


def allocate(total: int, weight: np.ndarray, minimum: int) -> np.ndarray:
    """Split ``total`` over ``weight`` (largest remainder), at least ``minimum`` where w > 0."""
    share = total * weight / weight.sum()
    out = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - out), kind="stable")
    out[order[: total - out.sum()]] += 1
    return np.where(weight > 0, np.maximum(out, minimum), 0)


def hire_providers(rng: np.random.Generator, scale: float, markets: dict) -> dict:
    """Every provider's role, markets, employment span, id, name and personal traits."""
    role, home, n_clinicians = _roles_and_homes(rng, scale, markets)
    n = len(role)
    # Employment: most were there before the history starts, some were hired during it.
    start = np.where(rng.random(n) < 0.78, 0, rng.integers(0, AS_OF_DAY - 60, n))
    start = np.maximum(start, markets["launch_day"][home])
    span = {
        "home": home,
        "start": start,
        "end": np.full(n, N_DAYS - 1, dtype=np.int64),
        "alt": np.full(n, -1, dtype=np.int64),  # second market the clinician also works in
        "alt_share": np.zeros(n),
    }
    # Planted clinicians, each drawn from a shuffled list so the roles never overlap.
    picker = _Picker([int(i) for i in rng.permutation(n_clinicians)])
    cross, travelers = _plant_cross_market(rng, markets, span, picker, n_clinicians)
    unstarted = _plant_departures_and_arrivals(rng, markets, span, picker, n_clinicians)

    # Provider ids follow hiring order.
    order = np.lexsort((rng.random(n), start))
    provider_id = np.empty(n, dtype=np.int64)
    provider_id[order] = PROVIDER_ID_BASE + 1 + np.arange(n)

    position = np.empty(n, dtype=object)
    position[role == APP] = POSITION_OF_ROLE[APP]
    position[role == DHMT] = POSITION_OF_ROLE[DHMT]
    position[role == OTHER] = np.array(OTHER_POSITIONS, dtype=object)[
        rng.choice(len(OTHER_POSITIONS), n - n_clinicians, p=OTHER_POSITION_WEIGHTS)
    ]
    return {
        "n": n,
        "n_clinicians": n_clinicians,
        "role": role,
        **span,
        "id": provider_id,
        "position": position,
        "first_name": np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)],
        "last_name": np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)],
        **_traits(rng, n),
        "cross": sorted(int(provider_id[i]) for i in cross),
        "travelers": sorted(int(provider_id[i]) for i in travelers),
        "unstarted": [int(provider_id[i]) for i in unstarted],
    }


def _roles_and_homes(
    rng: np.random.Generator, scale: float, markets: dict
) -> tuple[np.ndarray, np.ndarray, int]:
    """(role, home market, clinician count): APPs and DHMTs by market weight (at least 3
    of each per staffed market), then non-clinicians in random staffed markets."""
    n_markets, weight = markets["n"], markets["weight"]
    staffed = weight > 0
    per_role = max(round(CLINICIANS_PER_SCALE * scale / 2), 3 * int(staffed.sum()))
    n_app = allocate(per_role, weight, 3)
    n_dhmt = allocate(per_role, weight, 3)
    role = np.concatenate([np.repeat(APP, n_app.sum()), np.repeat(DHMT, n_dhmt.sum())])
    home = np.concatenate(
        [np.repeat(np.arange(n_markets), n_app), np.repeat(np.arange(n_markets), n_dhmt)]
    )
    n_clinicians = len(role)
    n_other = max(3, round(0.06 * n_clinicians))
    staffed_markets = np.flatnonzero(staffed)
    role = np.concatenate([role, np.repeat(OTHER, n_other)])
    home = np.concatenate([home, staffed_markets[rng.integers(0, len(staffed_markets), n_other)]])
    return role, home, n_clinicians


class _Picker:
    """Clinicians for planted roles, in one shuffled order; nobody gets two roles."""

    def __init__(self, order: list[int]) -> None:
        self._order = order
        self._taken: set[int] = set()

    def pick(self, cond: Callable[[int], bool], count: int) -> list[int]:
        found = []
        for i in self._order:
            if len(found) == count:
                break
            if i not in self._taken and cond(i):
                found.append(i)
                self._taken.add(i)
        return found


def _plant_cross_market(
    rng: np.random.Generator, markets: dict, span: dict, picker: _Picker, n_clinicians: int
) -> tuple[list[int], list[int]]:
    """Cross-market clinicians: ~10% of those homed in a two-market group, at least one per
    group; ~1% travel to a market of another group. Sets their second market and share."""
    home, start, alt, alt_share = span["home"], span["start"], span["alt"], span["alt_share"]
    regular = markets["launch_day"] == 0
    cross: list[int] = []
    for members in markets["group_members"]:
        if len(members) != 2:
            continue
        homed = [i for i in range(n_clinicians) if home[i] in members]
        want = max(1, round(0.10 * len(homed)))
        cross += picker.pick(lambda i, ms=members: home[i] in ms and start[i] == 0, want)
    for i in cross:
        alt[i] = markets["other_in_group"][home[i]]
        alt_share[i] = 0.3
    travel_targets = np.flatnonzero(regular & (markets["weight"] > 0))
    travelers = picker.pick(
        lambda i: regular[home[i]] and start[i] == 0, max(1, round(0.01 * n_clinicians))
    )
    for i in travelers:
        own_group = markets["group"][home[i]]
        choices = travel_targets[markets["group"][travel_targets] != own_group]
        alt[i] = choices[rng.integers(0, len(choices))]
        alt_share[i] = 0.15
    return cross, travelers


def _plant_departures_and_arrivals(
    rng: np.random.Generator, markets: dict, span: dict, picker: _Picker, n_clinicians: int
) -> list[int]:
    """Clinicians who left, who started lately, and one hired but not on any shift yet
    (returned). Moves their employment span."""
    home, start, end = span["home"], span["start"], span["end"]
    regular = markets["launch_day"] == 0
    # Left: stopped months ago (one > 90 days ago at least) and one a few weeks ago.
    n_left = max(2, round(0.06 * n_clinicians))
    left = picker.pick(lambda i: start[i] == 0 and regular[home[i]], n_left)
    end_days_ago = rng.integers(35, 500, len(left))
    end_days_ago[0] = rng.integers(100, 500)
    end_days_ago[-1] = rng.integers(35, 75)
    for i, ago in zip(left, end_days_ago, strict=True):
        end[i] = AS_OF_DAY - ago
    # New: started 10-35 days ago, so far fewer than 80 visits.
    n_new = max(2, round(0.04 * n_clinicians))
    new = picker.pick(lambda i: regular[home[i]], n_new)
    for i in new:
        start[i] = AS_OF_DAY - rng.integers(10, 36)
    # Hired, not on any shift yet.
    unstarted = picker.pick(lambda i: regular[home[i]], 1)
    for i in unstarted:
        start[i] = N_DAYS + 30
    return unstarted


def _traits(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Personal traits that make the metrics and ranks differ between clinicians."""
    return {
        "shift_weight": rng.uniform(0.6, 1.4, n),  # part-time .. full-time
        "pace": rng.lognormal(0.0, 0.12, n),  # on-scene time factor
        "chart_late": rng.beta(2.0, 23.0, n),  # charts closed after 24 h (APP)
        "chart_never": rng.beta(1.0, 49.0, n),  # charts never closed (APP)
        "abx": rng.beta(6.0, 14.0, n),  # antibiotic prescribing (APP)
        "escalation": rng.beta(2.0, 38.0, n),  # escalations (APP)
        "survey": rng.beta(12.0, 8.0, n),  # survey capture (DHMT)
        "nps_good": rng.beta(8.0, 2.5, n),  # share of visits with the "good" NPS profile
    }


def provider_columns(people: dict) -> dict[str, object]:
    """station.providers in provider_id order."""
    order = np.argsort(people["id"], kind="stable")
    ids = people["id"][order]
    return {
        "provider_id": ids,
        "first_name": people["first_name"][order],
        "last_name": people["last_name"][order],
        "avatar_url": [f"https://example.invalid/avatars/{i}.png" for i in ids.tolist()],
        "position": people["position"][order],
    }

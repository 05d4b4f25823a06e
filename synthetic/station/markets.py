"""Markets and market groups: real US cities, about one group in seven a neighbouring pair."""

from __future__ import annotations

import numpy as np

from synthetic.station.constants import (
    AS_OF_DAY,
    MARKET_GROUP_ID_BASE,
    MARKETS_PER_SCALE,
    N_DAYS,
    PAIR_GROUP_EVERY,
)
from synthetic.station.names import PAIRS, SINGLES


def plan_markets(rng: np.random.Generator, scale: float) -> dict:
    """Markets in groups (every PAIR_GROUP_EVERY-th group a neighbouring pair), their size
    weights and launch days; past the city lists, numbered markets."""
    n_markets = max(3, round(MARKETS_PER_SCALE * scale))
    cities: list[tuple[str, str, float, float]] = []
    group_of: list[int] = []
    group_members: list[list[int]] = []
    pairs, singles = iter(PAIRS), iter(SINGLES)
    numbered: list[tuple[str, str, float, float]] = []

    def next_numbered(
        near: tuple[str, str, float, float] | None = None,
    ) -> tuple[str, str, float, float]:
        """Past the city list (scale > ~1.2): "Market 1", "M001", ..."""
        k = len(numbered) + 1
        if near is None:
            lat, lon = float(rng.uniform(30.0, 47.0)), float(rng.uniform(-120.0, -75.0))
        else:
            lat, lon = near[2] + 0.3, near[3] + 0.3
        numbered.append((f"Market {k}", f"M{k:03d}", lat, lon))
        return numbered[-1]

    while len(cities) < n_markets:
        g = len(group_members)
        if g % PAIR_GROUP_EVERY == 0:
            group = next(pairs, None)
            if group is None:
                first = next_numbered()
                group = (first, next_numbered(first))
        else:
            group = (next(singles, None) or next_numbered(),)
        group = group[: n_markets - len(cities)]
        group_members.append(list(range(len(cities), len(cities) + len(group))))
        cities.extend(group)
        group_of.extend([g] * len(group))
    n_groups = len(group_members)
    names = [c[0] for c in cities]
    shorts = [c[1] for c in cities]
    if len(set(shorts)) != len(shorts):
        raise AssertionError("market short names must be unique")
    group_names = [" / ".join(names[m] for m in ms) for ms in group_members]
    group_shorts = ["-".join(shorts[m] for m in ms) for ms in group_members]

    # Relative size of each market (its share of shifts and clinicians).
    weight = rng.lognormal(0.0, 0.45, n_markets)
    launch_day = np.zeros(n_markets, dtype=np.int64)
    single_markets = [ms[0] for ms in group_members if len(ms) == 1]
    new_market = empty_market = -1
    if n_markets >= 10 and len(single_markets) >= 3:
        # One market opened six weeks ago, one has not opened yet (no staff, no visits).
        new_market, empty_market = single_markets[-2], single_markets[-1]
        launch_day[new_market] = AS_OF_DAY - 44
        launch_day[empty_market] = N_DAYS
        weight[empty_market] = 0.0
    other_in_group = np.full(n_markets, -1, dtype=np.int64)
    for ms in group_members:
        if len(ms) == 2:
            other_in_group[ms[0]], other_in_group[ms[1]] = ms[1], ms[0]
    return {
        "n": n_markets,
        "ids": np.arange(1, n_markets + 1, dtype=np.int64),
        "names": names,
        "short_names": shorts,
        "lat": np.array([c[2] for c in cities]),
        "lon": np.array([c[3] for c in cities]),
        "group": np.array(group_of, dtype=np.int64),
        "group_ids": MARKET_GROUP_ID_BASE + np.arange(1, n_groups + 1, dtype=np.int64),
        "group_names": group_names,
        "group_short_names": group_shorts,
        "group_members": group_members,
        "weight": weight,
        "launch_day": launch_day,
        "other_in_group": other_in_group,
        "new_market": new_market,
        "empty_market": empty_market,
    }

"""The planted facts of the station data, for tests and demos (read from the tables'
own arrays, so they are true by construction)."""

from __future__ import annotations

import numpy as np

from kpi.project import dbt_var
from synthetic.station.constants import AS_OF_DAY, OTHER

# The Leader Hub windows the planted lists are cut by (dbt vars, SPEC §5); the manifest's
# key names ("under_80_visits_...") are its interface and keep the default.
ACTIVE_PROVIDER_DAYS: int = dbt_var("active_provider_days")
VISIT_WINDOW: int = dbt_var("visit_window")
RECENT_DAYS = 30  # "recently": a shift in the last 90 days but none in the last 30


def planted_facts(
    markets: dict, people: dict, shifts: dict, visits: dict, day0: np.datetime64
) -> dict[str, object]:
    """Ids of the cases the marts must handle: two-market groups, cross-market and split-day
    clinicians, inactive / new / visit-less clinicians, rows after as_of."""
    pid = people["id"]
    n = people["n"]
    past = shifts["day"] <= AS_OF_DAY
    # Visits per clinician with service_date <= as_of, and their last shift day.
    as_of = day0 + AS_OF_DAY
    v_ok = visits["visit_service_date"] <= as_of
    v_shift = visits["visit_shift"][v_ok]
    per_provider = np.bincount(shifts["app"][v_shift], minlength=n) + np.bincount(
        shifts["dhmt"][v_shift], minlength=n
    )
    last_day = np.full(n, -1, dtype=np.int64)
    for members in (shifts["app"], shifts["dhmt"]):
        np.maximum.at(last_day, members[past], shifts["day"][past])
    clinician = people["role"] != OTHER
    worked = last_day >= 0

    def ids(mask: np.ndarray) -> list[int]:
        return sorted(int(i) for i in pid[mask])

    pair_groups = [ms for ms in markets["group_members"] if len(ms) == 2]
    split = np.flatnonzero(shifts["split_partner"] >= 0)
    split_example = None
    if len(split):
        afternoon = split[-1]
        morning = shifts["split_partner"][afternoon]
        split_example = {
            "shift_team_ids": [int(shifts["ids"][morning]), int(shifts["ids"][afternoon])],
            "provider_ids": sorted(
                [int(pid[shifts["app"][afternoon]]), int(pid[shifts["dhmt"][afternoon]])]
            ),
            "market_ids": [
                int(markets["ids"][shifts["market"][morning]]),
                int(markets["ids"][shifts["market"][afternoon]]),
            ],
        }
    return {
        "two_market_groups": [
            {
                "market_group_id": int(markets["group_ids"][markets["group"][ms[0]]]),
                "market_ids": [int(markets["ids"][m]) for m in ms],
            }
            for ms in pair_groups
        ],
        "cross_market_provider_ids": people["cross"],
        "cross_group_provider_ids": people["travelers"],
        "split_day_example": split_example,
        "inactive_provider_ids": ids(
            clinician & worked & (last_day <= AS_OF_DAY - ACTIVE_PROVIDER_DAYS)
        ),
        "recently_inactive_provider_ids": ids(
            clinician
            & (last_day > AS_OF_DAY - ACTIVE_PROVIDER_DAYS)
            & (last_day <= AS_OF_DAY - RECENT_DAYS)
        ),
        "under_80_visits_provider_ids": ids(
            clinician
            & (per_provider > 0)
            & (per_provider < VISIT_WINDOW)
            & (last_day > AS_OF_DAY - RECENT_DAYS)
        ),
        "no_visit_provider_ids": ids(clinician & (per_provider == 0)),
        "non_clinician_provider_ids": ids(~clinician),
        "new_market_id": (
            int(markets["ids"][markets["new_market"]]) if markets["new_market"] >= 0 else None
        ),
        "market_without_visits_id": (
            int(markets["ids"][markets["empty_market"]]) if markets["empty_market"] >= 0 else None
        ),
        "shifts_after_as_of": int((~past).sum()),
        "visits_after_as_of": int((~v_ok).sum()),
    }

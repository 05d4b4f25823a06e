"""Deterministic synthetic data for the ``station`` source schema (SPEC §4, clinical operations).

One entry function, :func:`build`. Everything is drawn from the ``numpy`` generator it is
handed, in a fixed order, so one (seed, scale, as_of) always gives byte-identical tables.
The steps, in their drawing order: ``markets``, ``providers``, ``shifts``, ``timelines``
(phase durations and the snapshots), ``visits`` (care requests, surveys); ``planted``
lists the cases the tests and demos look for.

The world it builds, scale 1 (counts scale linearly with ``scale``):

- ~100 markets (real US cities) in market groups; about one group in seven holds two
  neighbouring markets.
- ~2,500 clinicians (APPs and DHMTs) with a home market, plus a few non-clinician rows
  (RNs, virtual doctors, dispatchers, care navigators). About 10% of the clinicians of a
  two-market group also work in its other market, about 1% travel to a market of another
  group. Some clinicians left months ago, some started a few weeks ago, one has not
  worked a shift yet.
- Two years of shifts ending at ``as_of`` plus three days after it (the marts must ignore
  those). Each shift team is one APP and one DHMT (about 2% carry a third, non-clinician
  member); a clinician works at most one shift team a day, except planted "split days":
  a morning team in one market of a group and an afternoon team in the other.
- Every shift is tiled by ``shift_snapshots``: idle (out the door), then per visit
  en_route -> on_scene, optional idle gaps, one ~30 min on_break (about 15% skip it),
  trailing idle to the shift's end; no gaps, no overlaps.
- ~1.5 M completed care requests (on-scene time lognormal, median ~45 min) plus ~8%
  canceled/archived ones, ~60% of visits surveyed (NPS skewed to 9-10, ~10% without
  score). About 10% of completions are logged on a quarter hour, which makes some visits
  of one market share ``completed_at`` (ties for the "last N visits" order).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from synthetic._common import Tables
from synthetic.station.constants import AS_OF_DAY, DAY
from synthetic.station.markets import plan_markets
from synthetic.station.planted import planted_facts
from synthetic.station.providers import hire_providers, provider_columns
from synthetic.station.shifts import member_columns, schedule_shifts
from synthetic.station.subseconds import add_fraction, end_microseconds
from synthetic.station.timelines import lay_out_timelines, snapshot_columns
from synthetic.station.visits import record_care_requests, take_surveys

__all__ = ["build"]


def build(rng: np.random.Generator, scale: float, as_of: date) -> tuple[Tables, dict[str, object]]:
    """Compute every ``station`` table as columns (no database) and the planted facts."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    day0 = np.datetime64(as_of, "D") - AS_OF_DAY
    # The sub-second parts come from a stream of their own: the whole seconds a seed
    # gives are the same as before they were added.
    micro = rng.spawn(1)[0]
    markets = plan_markets(rng, scale)
    people = hire_providers(rng, scale, markets)
    shifts = schedule_shifts(rng, scale, markets, people, day0)
    timeline = lay_out_timelines(rng, shifts, people)
    timeline["end_us"] = end_microseconds(micro, timeline["dur"], timeline["on_grid"])
    visits = record_care_requests(rng, shifts, timeline, people)
    surveys = take_surveys(rng, shifts, visits, people)
    _add_fractions(micro, visits["columns"], surveys)

    tables: Tables = {
        "station.market_groups": {
            "market_group_id": markets["group_ids"],
            "name": markets["group_names"],
            "short_name": markets["group_short_names"],
        },
        "station.markets": {
            "market_id": markets["ids"],
            "name": markets["names"],
            "short_name": markets["short_names"],
            "market_group_id": markets["group_ids"][markets["group"]],
        },
        "station.providers": provider_columns(people),
        "station.shift_teams": {
            "shift_team_id": shifts["ids"],
            "market_id": markets["ids"][shifts["market"]],
            "start_time": shifts["start"],
            "end_time": shifts["start"].astype("datetime64[us]")
            + timeline["end_us"][:, -1].astype("timedelta64[us]"),
        },
        "station.shift_team_members": member_columns(shifts, people),
        "station.shift_snapshots": snapshot_columns(rng, shifts, timeline, markets),
        "station.care_requests": visits["columns"],
        "station.surveys": surveys,
    }
    planted = planted_facts(markets, people, shifts, visits, day0)
    return tables, planted


def _add_fractions(micro: np.random.Generator, care_requests: dict, surveys: dict) -> None:
    """Microseconds on chart closures (except those exactly 24 h after completion, the
    closure rule's boundary) and survey captures; the visits' own times already carry
    theirs, from the phase boundaries."""
    closed = care_requests["chart_closed_at"]
    at_24h = (closed - care_requests["completed_at"]) == np.timedelta64(DAY, "s")
    care_requests["chart_closed_at"] = add_fraction(micro, closed, keep=at_24h)
    surveys["captured_at"] = add_fraction(
        micro, surveys["captured_at"], keep=np.zeros(len(surveys["captured_at"]), dtype=bool)
    )

"""Volumes, ids, the day axis and the shift timeline's units of the station generator."""

from __future__ import annotations

import numpy as np

# --- volumes (scale 1) ---------------------------------------------------------------
MARKETS_PER_SCALE = 100
CLINICIANS_PER_SCALE = 2_500
VISITS_PER_SCALE = 1_500_000  # completed visits in the two history years
HISTORY_DAYS = 730  # days as_of - 729 .. as_of
FUTURE_DAYS = 3  # shifts/visits after as_of, which the marts must ignore
N_DAYS = HISTORY_DAYS + FUTURE_DAYS
AS_OF_DAY = HISTORY_DAYS - 1  # index of as_of in the day axis
# Mean completed visits per shift the timeline below produces (measured); it turns the
# visit target into a shift target.
VISITS_PER_SHIFT = 5.5
COMPLETE_SHARE = 0.92
PAIR_GROUP_EVERY = 7  # groups 0, 7, 14, ... hold two markets (~15% of groups)

# --- ids ------------------------------------------------------------------------------
MARKET_GROUP_ID_BASE = 1_000
PROVIDER_ID_BASE = 10_000
SHIFT_TEAM_ID_BASE = 200_000
CARE_REQUEST_ID_BASE = 1_000_000

# --- shift timeline (seconds) ---------------------------------------------------------
MAX_VISITS = 12  # visit slots per shift
MINUTE = 60
HOUR = 3_600
DAY = 86_400
MIN_TRAILING_IDLE = 10 * MINUTE
SHIFT_LATEST_END = 23 * HOUR + 30 * MINUTE
TIE_SHARE = 0.10  # completions logged on a quarter hour
TIE_GRID = 15 * MINUTE
BREAK_SHARE = 0.85
NO_VISIT_SHIFT_SHARE = 0.003

PHASES = np.array(["idle", "en_route", "on_scene", "on_break"], dtype=object)

APP, DHMT, OTHER = 0, 1, 2
POSITION_OF_ROLE = {APP: "advanced practice provider", DHMT: "emt"}

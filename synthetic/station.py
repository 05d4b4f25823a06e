"""Deterministic synthetic data for the ``station`` source schema (SPEC §4, clinical operations).

One entry function, :func:`generate`. Everything is drawn from the ``numpy`` generator it is
handed, in a fixed order, so one (seed, scale, as_of) always gives byte-identical tables.

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

from collections.abc import Callable
from datetime import date

import numpy as np
import psycopg

from synthetic._common import Advance, copy_columns

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

# (name, short_name, latitude, longitude). Pairs are neighbours that form one market group.
_PAIRS = [
    (("Denver", "DEN", 39.7392, -104.9903), ("Colorado Springs", "COS", 38.8339, -104.8214)),
    (("Dallas", "DAL", 32.7767, -96.7970), ("Fort Worth", "FTW", 32.7555, -97.3308)),
    (("Seattle", "SEA", 47.6062, -122.3321), ("Tacoma", "TAC", 47.2529, -122.4443)),
    (("Minneapolis", "MSP", 44.9778, -93.2650), ("St. Paul", "STP", 44.9537, -93.0900)),
    (("Tampa", "TPA", 27.9506, -82.4572), ("St. Petersburg", "PIE", 27.7676, -82.6403)),
    (("Raleigh", "RDU", 35.7796, -78.6382), ("Durham", "DUR", 35.9940, -78.8986)),
    (("San Francisco", "SFO", 37.7749, -122.4194), ("Oakland", "OAK", 37.8044, -122.2712)),
    (("Portland", "PDX", 45.5152, -122.6784), ("Vancouver", "VAN", 45.6387, -122.6615)),
    (("Miami", "MIA", 25.7617, -80.1918), ("Fort Lauderdale", "FLL", 26.1224, -80.1373)),
    (("Baltimore", "BAL", 39.2904, -76.6122), ("Washington", "WAS", 38.9072, -77.0369)),
    (("Boston", "BOS", 42.3601, -71.0589), ("Worcester", "WOR", 42.2626, -71.8023)),
    (("Detroit", "DTW", 42.3314, -83.0458), ("Ann Arbor", "ARB", 42.2808, -83.7430)),
    (("Salt Lake City", "SLC", 40.7608, -111.8910), ("Ogden", "OGD", 41.2230, -111.9738)),
    (("Los Angeles", "LAX", 34.0522, -118.2437), ("Riverside", "RIV", 33.9806, -117.3755)),
    (("Kansas City", "MCI", 39.0997, -94.5786), ("Overland Park", "OPK", 38.9822, -94.6708)),
    (("Hartford", "HFD", 41.7658, -72.6734), ("New Haven", "HVN", 41.3083, -72.9279)),
    (("Richmond", "RIC", 37.5407, -77.4360), ("Norfolk", "ORF", 36.8508, -76.2859)),
]
_SINGLES = [
    ("Phoenix", "PHX", 33.4484, -112.0740),
    ("Las Vegas", "LAS", 36.1699, -115.1398),
    ("Houston", "HOU", 29.7604, -95.3698),
    ("Oklahoma City", "OKC", 35.4676, -97.5164),
    ("Nashville", "BNA", 36.1627, -86.7816),
    ("Atlanta", "ATL", 33.7490, -84.3880),
    ("Charlotte", "CLT", 35.2271, -80.8431),
    ("Columbus", "CMH", 39.9612, -82.9988),
    ("Indianapolis", "IND", 39.7684, -86.1581),
    ("St. Louis", "STL", 38.6270, -90.1994),
    ("Chicago", "CHI", 41.8781, -87.6298),
    ("Milwaukee", "MKE", 43.0389, -87.9065),
    ("Omaha", "OMA", 41.2565, -95.9345),
    ("Albuquerque", "ABQ", 35.0844, -106.6504),
    ("Tucson", "TUS", 32.2226, -110.9747),
    ("San Antonio", "SAT", 29.4241, -98.4936),
    ("Austin", "AUS", 30.2672, -97.7431),
    ("El Paso", "ELP", 31.7619, -106.4850),
    ("New Orleans", "MSY", 29.9511, -90.0715),
    ("Birmingham", "BHM", 33.5186, -86.8104),
    ("Jacksonville", "JAX", 30.3322, -81.6557),
    ("Orlando", "MCO", 28.5383, -81.3792),
    ("Memphis", "MEM", 35.1495, -90.0490),
    ("Louisville", "SDF", 38.2527, -85.7585),
    ("Cincinnati", "CVG", 39.1031, -84.5120),
    ("Cleveland", "CLE", 41.4993, -81.6944),
    ("Pittsburgh", "PIT", 40.4406, -79.9959),
    ("Philadelphia", "PHL", 39.9526, -75.1652),
    ("Buffalo", "BUF", 42.8864, -78.8784),
    ("Rochester", "ROC", 43.1566, -77.6088),
    ("Syracuse", "SYR", 43.0481, -76.1474),
    ("Albany", "ALB", 42.6526, -73.7562),
    ("Providence", "PVD", 41.8240, -71.4128),
    ("Newark", "EWR", 40.7357, -74.1724),
    ("Sacramento", "SMF", 38.5816, -121.4944),
    ("Fresno", "FAT", 36.7378, -119.7871),
    ("San Diego", "SAN", 32.7157, -117.1611),
    ("San Jose", "SJC", 37.3382, -121.8863),
    ("Bakersfield", "BFL", 35.3733, -119.0187),
    ("Reno", "RNO", 39.5296, -119.8138),
    ("Boise", "BOI", 43.6150, -116.2023),
    ("Spokane", "GEG", 47.6588, -117.4260),
    ("Tulsa", "TUL", 36.1540, -95.9928),
    ("Wichita", "ICT", 37.6872, -97.3301),
    ("Little Rock", "LIT", 34.7465, -92.2896),
    ("Des Moines", "DSM", 41.5868, -93.6250),
    ("Knoxville", "TYS", 35.9606, -83.9207),
    ("Chattanooga", "CHA", 35.0456, -85.3097),
    ("Lexington", "LEX", 38.0406, -84.5037),
    ("Greenville", "GSP", 34.8526, -82.3940),
    ("Charleston", "CHS", 32.7765, -79.9311),
    ("Savannah", "SAV", 32.0809, -81.0912),
    ("Columbia", "CAE", 34.0007, -81.0348),
    ("Greensboro", "GSO", 36.0726, -79.7920),
    ("Roanoke", "ROA", 37.2710, -79.9414),
    ("Grand Rapids", "GRR", 42.9634, -85.6681),
    ("Lansing", "LAN", 42.7325, -84.5555),
    ("Madison", "MSN", 43.0731, -89.4012),
    ("Green Bay", "GRB", 44.5133, -88.0133),
    ("Toledo", "TOL", 41.6528, -83.5379),
    ("Dayton", "DAY", 39.7589, -84.1916),
    ("Akron", "CAK", 41.0814, -81.5190),
    ("Fort Wayne", "FWA", 41.0793, -85.1394),
    ("Springfield", "SGF", 37.2090, -93.2923),
    ("Lubbock", "LBB", 33.5779, -101.8552),
    ("Amarillo", "AMA", 35.2220, -101.8313),
    ("Corpus Christi", "CRP", 27.8006, -97.3964),
    ("Baton Rouge", "BTR", 30.4515, -91.1871),
    ("Jackson", "JAN", 32.2988, -90.1848),
    ("Mobile", "MOB", 30.6954, -88.0399),
    ("Pensacola", "PNS", 30.4213, -87.2169),
    ("Tallahassee", "TLH", 30.4383, -84.2807),
    ("Huntsville", "HSV", 34.7304, -86.5861),
    ("Montgomery", "MGM", 32.3792, -86.3077),
    ("Shreveport", "SHV", 32.5252, -93.7502),
    ("Augusta", "AGS", 33.4735, -82.0105),
    ("Anchorage", "ANC", 61.2181, -149.9003),
    ("Honolulu", "HNL", 21.3069, -157.8583),
    ("Eugene", "EUG", 44.0521, -123.0868),
    ("Santa Fe", "SAF", 35.6870, -105.9378),
    ("Lincoln", "LNK", 40.8136, -96.7026),
    ("Cedar Rapids", "CID", 41.9779, -91.6656),
    ("Peoria", "PIA", 40.6936, -89.5890),
    ("Evansville", "EVV", 37.9716, -87.5711),
    ("Billings", "BIL", 45.7833, -108.5007),
    ("Fargo", "FAR", 46.8772, -96.7898),
    ("Sioux Falls", "FSD", 43.5446, -96.7311),
]

_FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella",
    "William", "Mia", "Benjamin", "Charlotte", "Lucas", "Amelia", "Henry", "Harper",
    "Alexander", "Evelyn", "Daniel", "Abigail", "Michael", "Emily", "Mateo", "Ella",
    "Jackson", "Camila", "Sebastian", "Aria", "Jack", "Scarlett", "Owen", "Chloe", "Samuel",
    "Layla", "Wyatt", "Priya", "Carlos", "Mei", "Omar", "Fatima", "Diego", "Aisha", "Kenji",
    "Grace", "Nathan", "Lucia", "Ethan",
]  # fmt: skip
_LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
    "Patel", "Kim", "Chen", "O'Brien",
]  # fmt: skip
# Non-clinician positions (excluded from the Leader Hub) and their weights.
_OTHER_POSITIONS = ["rn", "virtual doctor", "dispatcher", "care navigator"]
_OTHER_POSITION_WEIGHTS = [0.4, 0.25, 0.2, 0.15]
# (chief complaint, diagnosis, weight, antibiotic likelihood factor)
_COMPLAINTS = [
    ("cough", "acute bronchitis", 0.12, 0.8),
    ("sore throat", "streptococcal pharyngitis", 0.08, 2.6),
    ("fever", "viral syndrome", 0.10, 0.2),
    ("painful urination", "urinary tract infection", 0.10, 2.7),
    ("ear pain", "acute otitis media", 0.06, 2.4),
    ("nasal congestion", "acute sinusitis", 0.07, 1.9),
    ("shortness of breath", "copd exacerbation", 0.05, 1.3),
    ("nausea and vomiting", "gastroenteritis", 0.08, 0.1),
    ("skin redness", "cellulitis", 0.06, 2.9),
    ("fall", "contusion", 0.07, 0.05),
    ("dizziness", "dehydration", 0.06, 0.05),
    ("back pain", "lumbar strain", 0.05, 0.05),
    ("headache", "tension headache", 0.04, 0.05),
    ("laceration", "laceration repair", 0.03, 0.4),
    ("confusion", "altered mental status", 0.03, 0.6),
]
_ABX = [
    "amoxicillin 500 mg",
    "amoxicillin-clavulanate 875 mg",
    "azithromycin 250 mg",
    "cephalexin 500 mg",
    "doxycycline 100 mg",
    "nitrofurantoin 100 mg",
    "ciprofloxacin 500 mg",
    "sulfamethoxazole-trimethoprim 800-160 mg",
]
_ESCALATION_REASONS = [
    "transferred to emergency department",
    "911 called on scene",
    "advised emergency department visit",
    "direct hospital admission",
    "condition worsened during visit",
]
# NPS score distributions (0..10): a well-run visit and an ordinary one.
_NPS_GOOD = np.array([0, 0, 0, 0, 0, 0, 0.005, 0.015, 0.06, 0.22, 0.70])
_NPS_MIXED = np.array([0.03, 0.02, 0.03, 0.04, 0.05, 0.09, 0.1, 0.16, 0.2, 0.13, 0.15])

APP, DHMT, OTHER = 0, 1, 2
_POSITION_OF_ROLE = {APP: "advanced practice provider", DHMT: "emt"}

Reporter = Callable[[str, int], Advance]


# ---------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------
def generate(
    conn: psycopg.Connection,
    rng: np.random.Generator,
    scale: float,
    as_of: date,
    reporter: Reporter | None = None,
) -> tuple[dict[str, int], dict[str, object]]:
    """Fill the (existing, empty) ``station`` tables; return row counts and planted facts."""
    tables, planted = build(rng, scale, as_of)
    counts: dict[str, int] = {}
    for table, columns in tables.items():
        rows = len(next(iter(columns.values())))
        advance = reporter(table, rows) if reporter is not None else None
        counts[table] = copy_columns(conn, table, columns, advance)
    return counts, planted


def build(
    rng: np.random.Generator, scale: float, as_of: date
) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """Compute every ``station`` table as columns (no database); see :func:`generate`."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    day0 = np.datetime64(as_of, "D") - AS_OF_DAY
    markets = _markets(rng, scale)
    people = _providers(rng, scale, markets)
    shifts = _shifts(rng, scale, markets, people, day0)
    timeline = _timelines(rng, shifts, people)
    visits = _care_requests(rng, shifts, timeline, people)
    surveys = _surveys(rng, shifts, visits, people)

    tables: dict[str, dict[str, object]] = {
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
        "station.providers": _provider_columns(people),
        "station.shift_teams": {
            "shift_team_id": shifts["ids"],
            "market_id": markets["ids"][shifts["market"]],
            "start_time": shifts["start"],
            "end_time": shifts["start"] + shifts["length"].astype("timedelta64[s]"),
        },
        "station.shift_team_members": _member_columns(shifts, people),
        "station.shift_snapshots": _snapshot_columns(rng, shifts, timeline, markets),
        "station.care_requests": visits["columns"],
        "station.surveys": surveys,
    }
    planted = _planted(markets, people, shifts, visits, day0)
    return tables, planted


# ---------------------------------------------------------------------------------------
# markets
# ---------------------------------------------------------------------------------------
def _markets(rng: np.random.Generator, scale: float) -> dict:
    n_markets = max(3, round(MARKETS_PER_SCALE * scale))
    cities: list[tuple[str, str, float, float]] = []
    group_of: list[int] = []
    group_members: list[list[int]] = []
    pairs, singles = iter(_PAIRS), iter(_SINGLES)
    numbered: list[tuple[str, str, float, float]] = []

    def next_numbered(near: tuple[str, str, float, float] | None = None):
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


# ---------------------------------------------------------------------------------------
# providers
# ---------------------------------------------------------------------------------------
def _allocate(total: int, weight: np.ndarray, minimum: int) -> np.ndarray:
    """Split ``total`` over ``weight`` (largest remainder), at least ``minimum`` where w > 0."""
    share = total * weight / weight.sum()
    out = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - out), kind="stable")
    out[order[: total - out.sum()]] += 1
    return np.where(weight > 0, np.maximum(out, minimum), 0)


def _providers(rng: np.random.Generator, scale: float, markets: dict) -> dict:
    n_markets = markets["n"]
    weight = markets["weight"]
    staffed = weight > 0
    per_role = max(round(CLINICIANS_PER_SCALE * scale / 2), 3 * int(staffed.sum()))
    n_app = _allocate(per_role, weight, 3)
    n_dhmt = _allocate(per_role, weight, 3)
    role = np.concatenate([np.repeat(APP, n_app.sum()), np.repeat(DHMT, n_dhmt.sum())])
    home = np.concatenate(
        [np.repeat(np.arange(n_markets), n_app), np.repeat(np.arange(n_markets), n_dhmt)]
    )
    n_clin = len(role)
    n_other = max(3, round(0.06 * n_clin))
    staffed_markets = np.flatnonzero(staffed)
    role = np.concatenate([role, np.repeat(OTHER, n_other)])
    home = np.concatenate([home, staffed_markets[rng.integers(0, len(staffed_markets), n_other)]])
    n = len(role)

    # Employment: most were there before the history starts, some were hired during it.
    start = np.where(rng.random(n) < 0.78, 0, rng.integers(0, AS_OF_DAY - 60, n))
    start = np.maximum(start, markets["launch_day"][home])
    end = np.full(n, N_DAYS - 1, dtype=np.int64)
    alt = np.full(n, -1, dtype=np.int64)  # second market the clinician also works in
    alt_share = np.zeros(n)

    # Planted clinicians, each drawn from a shuffled list so the roles never overlap.
    clin_order = [int(i) for i in rng.permutation(n_clin)]
    taken: set[int] = set()

    def pick(cond: Callable[[int], bool], count: int) -> list[int]:
        found = []
        for i in clin_order:
            if len(found) == count:
                break
            if i not in taken and cond(i):
                found.append(i)
                taken.add(i)
        return found

    regular = markets["launch_day"] == 0
    # Cross-market clinicians: ~10% of those homed in a two-market group, at least one per
    # group; ~1% travel to a market of another group.
    cross: list[int] = []
    for members in markets["group_members"]:
        if len(members) != 2:
            continue
        homed = [i for i in range(n_clin) if home[i] in members]
        want = max(1, round(0.10 * len(homed)))
        cross += pick(lambda i, ms=members: home[i] in ms and start[i] == 0, want)
    for i in cross:
        alt[i] = markets["other_in_group"][home[i]]
        alt_share[i] = 0.3
    travel_targets = np.flatnonzero(regular & staffed)
    travelers = pick(lambda i: regular[home[i]] and start[i] == 0, max(1, round(0.01 * n_clin)))
    for i in travelers:
        own_group = markets["group"][home[i]]
        choices = travel_targets[markets["group"][travel_targets] != own_group]
        alt[i] = choices[rng.integers(0, len(choices))]
        alt_share[i] = 0.15

    # Left: stopped months ago (one > 90 days ago at least) and one a few weeks ago.
    n_left = max(2, round(0.06 * n_clin))
    left = pick(lambda i: start[i] == 0 and regular[home[i]], n_left)
    end_days_ago = rng.integers(35, 500, len(left))
    end_days_ago[0] = rng.integers(100, 500)
    end_days_ago[-1] = rng.integers(35, 75)
    for i, ago in zip(left, end_days_ago, strict=True):
        end[i] = AS_OF_DAY - ago
    # New: started 10-35 days ago, so far fewer than 80 visits.
    n_new = max(2, round(0.04 * n_clin))
    new = pick(lambda i: regular[home[i]], n_new)
    for i in new:
        start[i] = AS_OF_DAY - rng.integers(10, 36)
    # Hired, not on any shift yet.
    unstarted = pick(lambda i: regular[home[i]], 1)
    for i in unstarted:
        start[i] = N_DAYS + 30

    # Provider ids follow hiring order.
    order = np.lexsort((rng.random(n), start))
    provider_id = np.empty(n, dtype=np.int64)
    provider_id[order] = PROVIDER_ID_BASE + 1 + np.arange(n)

    position = np.empty(n, dtype=object)
    position[role == APP] = _POSITION_OF_ROLE[APP]
    position[role == DHMT] = _POSITION_OF_ROLE[DHMT]
    position[role == OTHER] = np.array(_OTHER_POSITIONS, dtype=object)[
        rng.choice(len(_OTHER_POSITIONS), n_other, p=_OTHER_POSITION_WEIGHTS)
    ]
    return {
        "n": n,
        "n_clinicians": n_clin,
        "role": role,
        "home": home,
        "alt": alt,
        "alt_share": alt_share,
        "start": start,
        "end": end,
        "id": provider_id,
        "position": position,
        "first_name": np.array(_FIRST_NAMES, dtype=object)[rng.integers(0, len(_FIRST_NAMES), n)],
        "last_name": np.array(_LAST_NAMES, dtype=object)[rng.integers(0, len(_LAST_NAMES), n)],
        # Personal traits that make the metrics and ranks differ between clinicians.
        "shift_weight": rng.uniform(0.6, 1.4, n),  # part-time .. full-time
        "pace": rng.lognormal(0.0, 0.12, n),  # on-scene time factor
        "chart_late": rng.beta(2.0, 23.0, n),  # charts closed after 24 h (APP)
        "chart_never": rng.beta(1.0, 49.0, n),  # charts never closed (APP)
        "abx": rng.beta(6.0, 14.0, n),  # antibiotic prescribing (APP)
        "escalation": rng.beta(2.0, 38.0, n),  # escalations (APP)
        "survey": rng.beta(12.0, 8.0, n),  # survey capture (DHMT)
        "nps_good": rng.beta(8.0, 2.5, n),  # share of visits with the "good" NPS profile
        "cross": sorted(int(provider_id[i]) for i in cross),
        "travelers": sorted(int(provider_id[i]) for i in travelers),
        "unstarted": [int(provider_id[i]) for i in unstarted],
    }


def _provider_columns(people: dict) -> dict[str, object]:
    order = np.argsort(people["id"], kind="stable")
    ids = people["id"][order]
    return {
        "provider_id": ids,
        "first_name": people["first_name"][order],
        "last_name": people["last_name"][order],
        "avatar_url": [f"https://example.invalid/avatars/{i}.png" for i in ids.tolist()],
        "position": people["position"][order],
    }


# ---------------------------------------------------------------------------------------
# shifts and their teams
# ---------------------------------------------------------------------------------------
def _day_profile(day0: np.datetime64) -> np.ndarray:
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


def _shifts(
    rng: np.random.Generator, scale: float, markets: dict, people: dict, day0: np.datetime64
) -> dict:
    n_markets = markets["n"]
    clin = np.flatnonzero(people["role"] != OTHER)

    # Wanted shift teams per (market, day).
    shifts_per_day = VISITS_PER_SCALE * scale / VISITS_PER_SHIFT / HISTORY_DAYS
    share = markets["weight"] / markets["weight"].sum()
    lam = shifts_per_day * share[:, None] * _day_profile(day0)[None, :]
    lam[np.arange(N_DAYS)[None, :] < markets["launch_day"][:, None]] = 0.0
    wanted = rng.poisson(lam)  # (market, day)

    # Availability: one row per (clinician, day employed), in the market worked that day.
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
    who, day, market = who[ok], day[ok], market[ok]
    role = people["role"][who]

    # Weighted draw without replacement per (role, market, day): exponential race.
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
    s_market = np.repeat(np.tile(np.arange(n_markets), N_DAYS), by_day)
    s_day = np.repeat(np.repeat(np.arange(N_DAYS), n_markets), by_day)

    # Start (local morning/afternoon, on the hour or half hour) and length (8-12 h).
    start_hour = rng.choice(
        np.arange(6, 15), n_shifts, p=[0.04, 0.24, 0.2, 0.1, 0.14, 0.05, 0.1, 0.05, 0.08]
    )
    start_sec = start_hour * HOUR + np.where(rng.random(n_shifts) < 0.2, 30 * MINUTE, 0)
    length = rng.choice(
        np.array([8, 9, 10, 11, 12]) * HOUR, n_shifts, p=[0.3, 0.06, 0.34, 0.05, 0.25]
    )
    start_sec = np.minimum(start_sec, SHIFT_LATEST_END - length)

    # Split days (planted): a morning team in one market of a two-market group, the same
    # two clinicians in the group's other market in the afternoon.
    in_pair = markets["other_in_group"][s_market] >= 0
    split = in_pair & (rng.random(n_shifts) < 0.004)
    recent = np.flatnonzero(in_pair & (s_day <= AS_OF_DAY - 2) & (s_day >= AS_OF_DAY - 20))
    if len(recent):
        split[recent[-1]] = True  # at least one inside every window
    split_idx = np.flatnonzero(split)
    start_sec[split_idx] = 7 * HOUR
    length[split_idx] = 5 * HOUR
    k = len(split_idx)
    s_market = np.r_[s_market, markets["other_in_group"][s_market[split_idx]]]
    s_day = np.r_[s_day, s_day[split_idx]]
    app = np.r_[app, app[split_idx]]
    dhmt = np.r_[dhmt, dhmt[split_idx]]
    start_sec = np.r_[start_sec, np.full(k, 12 * HOUR + 30 * MINUTE)]
    length = np.r_[length, rng.choice([5 * HOUR, 5 * HOUR + 30 * MINUTE, 6 * HOUR], k)]
    partner = np.r_[np.full(n_shifts, -1), split_idx]  # index of the morning team
    n_shifts += k

    # Third member: a non-clinician (ride-along RN, virtual doctor ...), ~2% of teams; at
    # most one team a day each (distinct members per day from a random rotation).
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

    # Ids in time order.
    order = np.lexsort((np.arange(n_shifts), s_market, start_sec, s_day))
    inverse = np.empty(n_shifts, dtype=np.int64)
    inverse[order] = np.arange(n_shifts)
    s_market, s_day, start_sec, length, app, dhmt, third = (
        a[order] for a in (s_market, s_day, start_sec, length, app, dhmt, third)
    )
    partner = partner[order]
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


def _member_columns(shifts: dict, people: dict) -> dict[str, object]:
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


# ---------------------------------------------------------------------------------------
# shift timelines (the snapshots) and the visits on them
# ---------------------------------------------------------------------------------------
def _lognormal_seconds(
    rng: np.random.Generator, median: float, sigma: float, size, low: float, high: float
) -> np.ndarray:
    return np.clip(np.rint(median * rng.lognormal(0.0, sigma, size)), low, high).astype(np.int64)


def _timelines(rng: np.random.Generator, shifts: dict, people: dict) -> dict:
    """Phase durations per shift as an (n, 1 + 4 * MAX_VISITS) matrix that sums to its length.

    Column 0 is the first idle (out the door); visit slot k owns columns 1 + 4k ..
    4 + 4k: en_route, on_scene, on_break (only after the visit the break follows),
    idle (the gap before the next visit; after the last visit, idle to the shift's end).
    A zero duration is a phase that did not happen.
    """
    n, k_max = shifts["n"], MAX_VISITS
    length = shifts["length"]
    pace = people["pace"][shifts["app"]] * people["pace"][shifts["dhmt"]]
    en_route = _lognormal_seconds(rng, 18 * MINUTE, 0.5, (n, k_max), 4 * MINUTE, 2 * HOUR)
    on_scene = np.clip(
        np.rint(47 * MINUTE * pace[:, None] * rng.lognormal(0.0, 0.42, (n, k_max))),
        10 * MINUTE,
        4 * HOUR,
    ).astype(np.int64)
    gap = _lognormal_seconds(rng, 22 * MINUTE, 0.8, (n, k_max), MINUTE, 3 * HOUR)
    gap[rng.random((n, k_max)) < 0.3] = 0  # straight on to the next patient
    first_idle = _lognormal_seconds(rng, 20 * MINUTE, 0.6, n, 3 * MINUTE, 2 * HOUR)
    brk = np.where(rng.random(n) < 0.4, 30 * MINUTE, rng.integers(25 * MINUTE, 40 * MINUTE, n))
    has_break = rng.random(n) < BREAK_SHARE
    break_after_share = rng.uniform(0.35, 0.6, n)
    no_visits = rng.random(n) < NO_VISIT_SHIFT_SHARE
    ties = rng.random((n, k_max)) < TIE_SHARE

    slots = np.arange(k_max)[None, :]
    # On-scene end of every slot, without the break.
    end_nb = first_idle[:, None] + np.cumsum(en_route + on_scene + gap, axis=1) - gap
    reached = end_nb >= (break_after_share * length)[:, None]
    after = np.where(reached.any(axis=1), reached.argmax(axis=1), k_max - 1)
    brk_len = np.where(has_break, brk, 0)
    need = (
        end_nb
        + MIN_TRAILING_IDLE
        + np.where(slots > after[:, None], brk_len[:, None], 0)
        + np.where(slots == after[:, None], brk_len[:, None], 0)
    )
    visits = (need <= length[:, None]).sum(axis=1)
    visits[no_visits] = 0

    # Break planned after a visit that no longer fits: after the last visit instead,
    # dropping that visit if there is no room, skipping the break if still none.
    def room_after_last_visit(visits: np.ndarray) -> np.ndarray:
        last_end = np.where(visits > 0, end_nb[rows, np.maximum(visits - 1, 0)], first_idle)
        return last_end + brk_len + MIN_TRAILING_IDLE <= length

    rows = np.arange(n)
    late = has_break & (after >= visits)
    for _ in range(2):
        room = room_after_last_visit(visits)
        visits = np.where(late & ~room & (visits > 0), visits - 1, visits)
    room = room_after_last_visit(visits)
    has_break &= ~late | room
    after = np.where(late, np.maximum(visits - 1, 0), after)
    # A shift without visits idles until its break, mid-shift.
    first_idle = np.where(
        no_visits, np.rint(break_after_share * length).astype(np.int64), first_idle
    )

    live = slots < visits[:, None]
    dur = np.zeros((n, 1 + 4 * k_max), dtype=np.int64)
    dur[:, 0] = first_idle
    dur[:, 1::4] = np.where(live, en_route, 0)
    dur[:, 2::4] = np.where(live, on_scene, 0)
    dur[:, 3::4] = np.where(has_break[:, None] & (slots == after[:, None]), brk_len[:, None], 0)
    dur[:, 4::4] = np.where(slots < visits[:, None] - 1, gap, 0)

    # Quarter-hour completions (ties between teams): move the on-scene end back to the
    # grid when the visit stays >= 10 min; the idle after it grows by as much.
    end_off = np.cumsum(dur, axis=1)[:, 2::4]
    delta = (shifts["start_sec"][:, None] + end_off) % TIE_GRID
    snap = ties & live & (dur[:, 2::4] - delta >= 10 * MINUTE)
    dur[:, 2::4] -= np.where(snap, delta, 0)
    dur[:, 4::4] += np.where(snap, delta, 0)

    # The idle after the last visit (or the first slot's idle when there is none) runs to
    # the end of the shift.
    last_idle = 4 + 4 * np.maximum(visits - 1, 0)
    dur[rows, last_idle] = 0
    dur[rows, last_idle] = length - dur.sum(axis=1)
    if (dur[rows, last_idle] < MIN_TRAILING_IDLE).any():
        raise AssertionError("shift timeline overruns its shift")
    return {"dur": dur, "visits": visits}


def _snapshot_columns(
    rng: np.random.Generator, shifts: dict, timeline: dict, markets: dict
) -> dict[str, object]:
    dur, visits = timeline["dur"], timeline["visits"]
    n, k_max = shifts["n"], MAX_VISITS
    offset = np.cumsum(dur, axis=1) - dur
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

    start = shifts["start"][rows] + offset[rows, cols].astype("timedelta64[s]")
    return {
        "shift_team_id": shifts["ids"][rows],
        "start_time": start,
        "end_time": start + dur[rows, cols].astype("timedelta64[s]"),
        "phase": PHASES[phase_code],
        "latitude_e6": np.rint(lat * 1e6).astype(np.int64),
        "longitude_e6": np.rint(lon * 1e6).astype(np.int64),
    }


def _care_requests(rng: np.random.Generator, shifts: dict, timeline: dict, people: dict) -> dict:
    dur, visits = timeline["dur"], timeline["visits"]
    n_shifts = shifts["n"]
    offset = np.cumsum(dur, axis=1) - dur
    live = np.arange(MAX_VISITS)[None, :] < visits[:, None]
    v_shift, v_slot = np.nonzero(live)
    n_done = len(v_shift)
    on_scene_at = shifts["start"][v_shift] + offset[v_shift, 2 + 4 * v_slot].astype(
        "timedelta64[s]"
    )
    completed_at = on_scene_at + dur[v_shift, 2 + 4 * v_slot].astype("timedelta64[s]")
    # Requests arrive before the team is dispatched to them.
    dispatched = offset[v_shift, 1 + 4 * v_slot]
    created = dispatched - rng.integers(0, 75 * MINUTE, n_done)

    # Canceled / archived requests: assigned to a team, never seen.
    p_lost = (1 - COMPLETE_SHARE) / COMPLETE_SHARE
    lost_per_shift = rng.poisson(p_lost * np.maximum(visits, 2))
    c_shift = np.repeat(np.arange(n_shifts), lost_per_shift)
    n_lost = len(c_shift)
    c_created = (rng.random(n_lost) * shifts["length"][c_shift]).astype(np.int64)
    c_status = np.where(rng.random(n_lost) < 0.75, "canceled", "archived")

    shift_of = np.r_[v_shift, c_shift]
    created_at = shifts["start"][shift_of] + np.r_[created, c_created].astype("timedelta64[s]")
    n = n_done + n_lost
    done = np.r_[np.ones(n_done, dtype=bool), np.zeros(n_lost, dtype=bool)]

    app = shifts["app"][shift_of]
    complaint_weight = np.array([c[2] for c in _COMPLAINTS])
    complaint_weight /= complaint_weight.sum()
    complaint = rng.choice(len(_COMPLAINTS), n, p=complaint_weight)
    # Antibiotics depend on the diagnosis; the factors average 1 over all visits.
    abx_factor = np.array([c[3] for c in _COMPLAINTS])
    abx_factor /= (abx_factor * complaint_weight).sum()
    is_abx = done & (rng.random(n) < np.clip(people["abx"][app] * abx_factor[complaint], 0, 0.97))
    is_escalated = done & (rng.random(n) < people["escalation"][app])
    abx_details = np.array(_ABX, dtype=object)[rng.integers(0, len(_ABX), n)]
    reasons = np.array(_ESCALATION_REASONS, dtype=object)[
        rng.integers(0, len(_ESCALATION_REASONS), n)
    ]

    # Chart closure: mostly within 24 h, some exactly at 24 h, some later, a few never.
    u = rng.random(n)
    late_p, never_p = people["chart_late"][app], people["chart_never"][app]
    within = _lognormal_seconds(rng, 3 * HOUR, 1.1, n, MINUTE, DAY - 1)
    later = DAY + _lognormal_seconds(rng, 30 * HOUR, 0.8, n, MINUTE, 30 * DAY)
    delay = np.where(u < never_p + late_p, later, within)
    delay = np.where(rng.random(n) < 0.01, DAY, delay)
    chart_never = u < never_p

    nat = np.datetime64("NaT", "s")
    on_scene_full = np.r_[on_scene_at, np.full(n_lost, nat)]
    completed_full = np.r_[completed_at, np.full(n_lost, nat)]
    chart_closed = np.where(
        done & ~chart_never, completed_full + delay.astype("timedelta64[s]"), nat
    )
    service_date = np.where(
        done,
        on_scene_full.astype("datetime64[D]"),
        shifts["start"][shift_of].astype("datetime64[D]"),
    )
    status = np.r_[np.full(n_done, "complete", dtype=object), c_status.astype(object)]

    # Ids increase with the time the request came in.
    order = np.lexsort((rng.random(n), created_at))
    care_request_id = np.empty(n, dtype=np.int64)
    care_request_id[order] = CARE_REQUEST_ID_BASE + 1 + np.arange(n)

    names_first = np.array(_FIRST_NAMES, dtype=object)
    names_last = np.array(_LAST_NAMES, dtype=object)
    complaints = np.array([c[0] for c in _COMPLAINTS], dtype=object)
    diagnoses = np.array([c[1] for c in _COMPLAINTS], dtype=object)
    columns = {
        "care_request_id": care_request_id,
        "shift_team_id": shifts["ids"][shift_of],
        "market_id": shifts["market"][shift_of] + 1,
        "status": status,
        "patient_first_name": names_first[rng.integers(0, len(names_first), n)],
        "patient_last_name": names_last[rng.integers(0, len(names_last), n)],
        "patient_athena_id": rng.integers(1_000_000, 99_999_999, n),  # COPY renders digits
        "service_date": np.datetime_as_string(service_date, unit="D"),
        "on_scene_at": on_scene_full,
        "completed_at": completed_full,
        "chart_closed_at": chart_closed,
        "chief_complaint": complaints[complaint],
        "diagnosis": np.where(done, diagnoses[complaint], None),
        "is_abx_prescribed": is_abx,
        "abx_details": np.where(is_abx, abx_details, None),
        "is_escalated": is_escalated,
        "escalated_reason": np.where(is_escalated, reasons, None),
    }
    columns = {name: col[order] for name, col in columns.items()}
    return {
        "columns": columns,
        "n_done": n_done,
        # Visits (complete care requests) in generation order, for surveys and planting.
        "visit_id": care_request_id[:n_done],
        "visit_shift": v_shift,
        "visit_completed_at": completed_at,
        "visit_service_date": service_date[:n_done],
    }


def _surveys(rng: np.random.Generator, shifts: dict, visits: dict, people: dict) -> dict:
    v_shift = visits["visit_shift"]
    n = len(v_shift)
    dhmt = shifts["dhmt"][v_shift]
    app = shifts["app"][v_shift]
    taken = rng.random(n) < people["survey"][dhmt]
    good = rng.random(n) < people["nps_good"][app]
    u = rng.random(n)
    score_good = np.searchsorted(np.cumsum(_NPS_GOOD) / _NPS_GOOD.sum(), u, side="right")
    score_mixed = np.searchsorted(np.cumsum(_NPS_MIXED) / _NPS_MIXED.sum(), u, side="right")
    score = np.minimum(np.where(good, score_good, score_mixed), 10)
    answered = rng.random(n) >= 0.10
    delay = _lognormal_seconds(rng, 4 * HOUR, 1.0, n, 5 * MINUTE, 14 * DAY)
    captured = visits["visit_completed_at"] + delay.astype("timedelta64[s]")
    ids = visits["visit_id"][taken]
    order = np.argsort(ids, kind="stable")
    scores = np.where(answered, score, -1)[taken][order]
    return {
        "care_request_id": ids[order],
        "captured_at": captured[taken][order],
        "nps_score": [None if s < 0 else s for s in scores.tolist()],
    }


# ---------------------------------------------------------------------------------------
# planted facts for tests and demos
# ---------------------------------------------------------------------------------------
def _planted(markets: dict, people: dict, shifts: dict, visits: dict, day0: np.datetime64):
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
        "inactive_provider_ids": ids(clinician & worked & (last_day <= AS_OF_DAY - 90)),
        "recently_inactive_provider_ids": ids(
            clinician & (last_day > AS_OF_DAY - 90) & (last_day <= AS_OF_DAY - 30)
        ),
        "under_80_visits_provider_ids": ids(
            clinician & (per_provider > 0) & (per_provider < 80) & (last_day > AS_OF_DAY - 30)
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

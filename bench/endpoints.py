"""The API benchmark's endpoints: random requests of a lead of several markets.

For every endpoint: a list of parameter sets sampled from the app database (random
markets, providers, shifts and pages the token may see), the API path of each, and the
endpoint's own SQL (imported from the API modules, so pgbench and the minimal app run
exactly what the API runs).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from api.fraud import queries as fraud
from api.fraud.workbench import MAX_LINKS
from api.leader_hub import changes
from api.leader_hub import queries as leader_hub
from api.params import DEFAULT_POINTS, INTERVAL_DAYS
from bench import personal_hub
from bench.common import busiest_markets
from kpi.settings import DEFAULT_FRAUD_SUPPRESS_DAYS

LH = "/v1/leader-hub-metrics"
FR = "/v1/fraud-reports"
LEAD_MARKETS = 5  # the lead's token: the 5 markets with the most active providers
SAMPLES = 2_000
RANKING_PER_PAGE = 30
VISITS_PER_PAGE = 30
SHIFTS_PER_PAGE = 10
FRAUD_PER_PAGE = 25
HISTORY_INTERVALS = ("week", "day")  # drawn at random, each with its default points
CHANGES_METRIC = "on_scene_time"  # the drill-downs' heaviest summary (a median per group)
CHANGES_PER_PAGE = 30
MAX_ROWS = leader_hub.MAX_LIST_ROWS


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: Callable[[dict[str, Any]], str]
    sql: Callable[[dict[str, Any]], str]


def _page(total: int, per_page: int, rng: random.Random) -> int:
    return rng.randint(1, max(1, -(-total // per_page)))


def _interval_of(values: dict[str, Any]) -> str:
    """The API's ``interval`` of a history parameter set's ``step_days``."""
    return next(name for name, days in INTERVAL_DAYS.items() if days == values["step_days"])


def _history(interval: str) -> dict[str, int]:
    """A history statement's date parameters for ``interval`` with its default points."""
    points = DEFAULT_POINTS[interval]
    return {"step_days": INTERVAL_DAYS[interval], "points": points, "limit": points, "offset": 0}


def _page_of(values: dict[str, Any]) -> int:
    """The API's ``page`` of a parameter set's ``limit``/``offset``."""
    return values["offset"] // values["limit"] + 1


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in [
        Endpoint("markets", lambda v: f"{LH}/markets", lambda v: leader_hub.MARKETS_SQL),
        Endpoint(
            "market",
            lambda v: f"{LH}/markets/{v['market_id']}",
            lambda v: leader_hub.MARKET_GOALS_SQL,
        ),
        Endpoint(
            "ranking",
            lambda v: (
                f"{LH}/markets/{v['market_id']}/providers?job_title={v['job_title']}"
                f"&page={_page_of(v)}"
            ),
            lambda v: leader_hub.RANKING_GOALS_SQL["on_scene_time"],
        ),
        Endpoint(
            "market_provider",
            lambda v: f"{LH}/markets/{v['market_id']}/providers/{v['provider_id']}",
            lambda v: leader_hub.MARKET_PROVIDER_GOALS_SQL,
        ),
        Endpoint(
            "provider",
            lambda v: f"{LH}/providers/{v['provider_id']}",
            lambda v: leader_hub.PROVIDER_GOALS_SQL,
        ),
        Endpoint(
            "provider_markets",
            lambda v: f"{LH}/providers/{v['provider_id']}/markets",
            lambda v: leader_hub.PROVIDER_MARKETS_SQL,
        ),
        Endpoint(
            "visits",
            lambda v: f"{LH}/providers/{v['provider_id']}/provider-visits?page={_page_of(v)}",
            lambda v: leader_hub.VISITS_SQL,
        ),
        Endpoint(
            "shifts",
            lambda v: f"{LH}/providers/{v['provider_id']}/provider-shifts?page={_page_of(v)}",
            lambda v: leader_hub.SHIFTS_SQL["desc"],
        ),
        Endpoint(
            "breakdowns",
            lambda v: f"{LH}/provider-shifts/{v['shift_team_id']}/provider-shift-breakdowns",
            lambda v: leader_hub.BREAKDOWNS_SQL,
        ),
        Endpoint(
            "market_history",
            lambda v: f"{LH}/markets/{v['market_id']}/history?interval={_interval_of(v)}",
            lambda v: leader_hub.MARKET_HISTORY_SQL,
        ),
        Endpoint(
            "provider_history",
            lambda v: f"{LH}/providers/{v['provider_id']}/history?interval={_interval_of(v)}",
            lambda v: leader_hub.PROVIDER_HISTORY_SQL,
        ),
        Endpoint(
            "market_provider_history",
            lambda v: (
                f"{LH}/markets/{v['market_id']}/providers/{v['provider_id']}/history"
                f"?interval={_interval_of(v)}"
            ),
            lambda v: leader_hub.MARKET_PROVIDER_HISTORY_SQL,
        ),
        Endpoint(
            "market_changes",
            lambda v: f"{LH}/markets/{v['market_id']}/changes?metric={CHANGES_METRIC}",
            lambda v: changes.MARKET_CHANGES_SQL[CHANGES_METRIC],
        ),
        Endpoint(
            "market_provider_changes",
            lambda v: (
                f"{LH}/markets/{v['market_id']}/providers/{v['provider_id']}/changes"
                f"?metric={CHANGES_METRIC}"
            ),
            lambda v: changes.MARKET_PROVIDER_CHANGES_SQL[CHANGES_METRIC],
        ),
        Endpoint(
            "fraud_authorizations",
            lambda v: (
                f"{FR}/authorizations?type=DOCTOR&settlement_type={v['settlement_type']}"
                f"&page={_page_of(v)}"
            ),
            lambda v: fraud.AUTHORIZATION_QUERIES["DOCTOR"].page,
        ),
        Endpoint(
            "fraud_phone_numbers",
            lambda v: f"{FR}/phone-numbers?page={_page_of(v)}",
            lambda v: fraud.PHONE_NUMBERS_QUERY.page,
        ),
        Endpoint(
            "fraud_doctors",
            lambda v: f"{FR}/doctors?page={_page_of(v)}",
            lambda v: fraud.DOCTORS_QUERY.page,
        ),
        # My Performance Hub: the bench token's user id is one clinician (bench.personal_hub)
        *(Endpoint(*spec) for spec in personal_hub.ENDPOINTS),
        Endpoint(
            "fraud_resolved",
            lambda v: f"{FR}/{v['report']}/resolved",
            lambda v: fraud.RESOLVED_SQL,
        ),
        Endpoint(
            "fraud_phone_links",
            lambda v: f"{FR}/phone-numbers/{v['phone_number']}/doctors",
            lambda v: fraud.PHONE_NUMBER_LINKS_SQL,
        ),
    ]
}
# the reports of /{report}/resolved
RESOLVED_REPORTS = ("authorizations", "phone-numbers", "doctors")


# the default report lists' review parameters, as the API binds them (api/fraud/controllers)
UNREVIEWED = {
    "include_reviewed": False,
    "filtered": False,
    "suppress_days": DEFAULT_FRAUD_SUPPRESS_DAYS,
}


def sql_of(endpoint: str, values: dict[str, Any]) -> str:
    return ENDPOINTS[endpoint].sql(values)


def lead_markets(conn: psycopg.Connection) -> list[int]:
    return busiest_markets(conn, LEAD_MARKETS)


@dataclass(frozen=True)
class Population:
    """What the lead's token may see in the app database, to draw requests from."""

    markets: list[int]
    visible: list[int]  # providers active in the lead's markets
    rankings: list[tuple[int, str, int]]  # (market, job title, ranked providers)
    pairs: list[tuple[int, int]]  # (market, provider) with metrics
    visits: dict[int, int]  # provider -> visits
    shifts: dict[int, int]  # provider -> shifts
    shift_ids: list[int]
    fraud_counts: dict[str, int]  # reported rows: CITY / OTHER doctors, phones, doctors
    clinician: tuple[int, list[int]]  # the personal hub's user: (provider, their markets)
    reported_numbers: list[str]  # the phone numbers report's reported rows

    @property
    def with_visits(self) -> list[int]:
        return [v for v in self.visible if v in self.visits] or self.visible

    @property
    def with_shifts(self) -> list[int]:
        return [v for v in self.visible if v in self.shifts] or self.visible


def _column(conn: psycopg.Connection, query: str, params: list[Any]) -> list[Any]:
    return [value for (value,) in conn.execute(query, params)]


def _population(conn: psycopg.Connection, markets: list[int], n: int) -> Population:
    visible = _column(
        conn,
        "select distinct provider_id from leader_hub.markets_active_providers"
        " where market_id = any(%s) order by 1",
        [markets],
    )
    return Population(
        markets=markets,
        visible=visible,
        rankings=conn.execute(
            "select metrics.market_id, providers.job_title, count(*)"
            " from leader_hub.market_provider_metrics as metrics"
            " join leader_hub.providers as providers using (provider_id)"
            " where metrics.market_id = any(%s) and providers.job_title in ('APP', 'DHMT')"
            " group by 1, 2 order by 1, 2",
            [markets],
        ).fetchall(),
        pairs=conn.execute(
            "select market_id, provider_id from leader_hub.market_provider_metrics"
            " where market_id = any(%s) order by 1, 2",
            [markets],
        ).fetchall(),
        visits=dict(
            conn.execute(
                "select provider_id, count(*) from leader_hub.provider_visits"
                " where provider_id = any(%s) group by 1",
                [visible],
            ).fetchall()
        ),
        shifts=dict(
            conn.execute(
                "select provider_id, count(*) from leader_hub.provider_shifts"
                " where provider_id = any(%s) group by 1",
                [visible],
            ).fetchall()
        ),
        shift_ids=_column(
            conn,
            "select shift_team_id from leader_hub.provider_shifts"
            " where provider_id = any(%s) order by md5(shift_team_id::text) limit %s",
            [visible, n],
        ),
        clinician=personal_hub.clinician(conn, markets),
        fraud_counts=dict(
            conn.execute(
                "select 'CITY', count(*) filter (where is_reported and settlement_type = 'CITY')"
                " from fraud.authorization_doctor"
                " union all select 'OTHER', count(*) filter"
                " (where is_reported and settlement_type = 'OTHER') from fraud.authorization_doctor"
                " union all select 'phones', count(*) filter (where is_reported)"
                " from fraud.patients_phonenumber"
                " union all select 'doctors', count(*) filter (where is_reported)"
                " from fraud.total_patients_doctor"
            ).fetchall()
        ),
        reported_numbers=_column(
            conn,
            "select phone_number from fraud.patients_phonenumber where is_reported"
            " order by report_rank",
            [],
        ),
    )


def _draw(population: Population, rng: random.Random) -> dict[str, dict[str, Any]]:
    """One random parameter set per endpoint (the order of the ``rng`` calls fixes the
    sample of a seed: keep it)."""
    pop = population
    base = {"token_markets": pop.markets, "patterns": []}
    m = rng.choice(pop.markets)
    p = rng.choice(pop.visible)
    rm, title, count = rng.choice(pop.rankings)
    pm, pp = rng.choice(pop.pairs)
    vp = rng.choice(pop.with_visits)
    sp = rng.choice(pop.with_shifts)
    settlement = rng.choice(["CITY", "OTHER"])
    # drawn after the others, so the older endpoints' samples of a seed stay the same
    hm, hp, (hmm, hmp) = rng.choice(pop.markets), rng.choice(pop.visible), rng.choice(pop.pairs)
    intervals = [rng.choice(HISTORY_INTERVALS) for _ in range(3)]
    resolved_report, number = rng.choice(RESOLVED_REPORTS), rng.choice(pop.reported_numbers)
    cm, (cpm, cpp) = rng.choice(pop.markets), rng.choice(pop.pairs)
    first_page = {"limit": CHANGES_PER_PAGE, "offset": 0}

    def paged(per_page: int, total: int) -> dict[str, int]:
        return {"limit": per_page, "offset": (_page(total, per_page, rng) - 1) * per_page}

    whole_list = {"limit": MAX_ROWS, "offset": 0}
    return {
        "markets": {**base, **whole_list},
        "market": {"market_id": m},
        "ranking": {
            **base,
            "market_id": rm,
            "job_title": title,
            **paged(RANKING_PER_PAGE, count),
        },
        "market_provider": {"market_id": pm, "provider_id": pp},
        "provider": {**base, "provider_id": p},
        "provider_markets": {**base, "provider_id": p, **whole_list},
        "visits": {
            **base,
            "provider_id": vp,
            "is_abx_prescribed": None,
            "is_escalated": None,
            **paged(VISITS_PER_PAGE, pop.visits.get(vp, 0)),
        },
        "shifts": {
            **base,
            "provider_id": sp,
            "last_days": None,
            **paged(SHIFTS_PER_PAGE, pop.shifts.get(sp, 0)),
        },
        "breakdowns": {**base, "shift_team_id": rng.choice(pop.shift_ids), **whole_list},
        "market_history": {"market_id": hm, **_history(intervals[0])},
        "provider_history": {**base, "provider_id": hp, **_history(intervals[1])},
        "market_provider_history": {
            "market_id": hmm,
            "provider_id": hmp,
            **_history(intervals[2]),
        },
        "market_changes": {"market_id": cm, **first_page},
        "market_provider_changes": {
            **base,
            "market_id": cpm,
            "provider_id": cpp,
            **first_page,
        },
        "fraud_authorizations": {
            **UNREVIEWED,
            "settlement_type": settlement,
            **paged(FRAUD_PER_PAGE, pop.fraud_counts[settlement]),
        },
        "fraud_phone_numbers": {**UNREVIEWED, **paged(FRAUD_PER_PAGE, pop.fraud_counts["phones"])},
        **personal_hub.parameters(pop.clinician, rng),
        "fraud_doctors": {
            **UNREVIEWED,
            "min_patients_qty": None,
            "min_patient_increase_30d": None,
            "min_patient_increase_30d_0": None,
            **paged(FRAUD_PER_PAGE, pop.fraud_counts["doctors"]),
        },
        "fraud_resolved": {
            "report": resolved_report,
            "type": None,
            "settlement_type": None,
            "limit": FRAUD_PER_PAGE,
            "offset": 0,
        },
        "fraud_phone_links": {"phone_number": number, "limit": MAX_LINKS, "offset": 0},
    }


def sample(app_dsn: str, seed: int = 7, n: int = SAMPLES) -> tuple[list[int], dict[str, list]]:
    """The lead's markets and ``n`` random parameter sets per endpoint."""
    rng = random.Random(seed)
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        markets = lead_markets(conn)
        population = _population(conn, markets, n)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in ENDPOINTS}
    for _ in range(n):
        for name, values in _draw(population, rng).items():
            out[name].append(values)
    return markets, out


# ------------------------------------------------------------------------------ pgbench

_TYPES = {bool: "boolean", int: "bigint", str: "text"}


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def pgbench_script(endpoint: str, values: list[dict[str, Any]]) -> str:
    """A pgbench script: the endpoint's SQL on a random one of the parameter sets.

    Each scalar parameter becomes ``('{v1,v2,...}'::type[])[:i]`` with one random ``i``
    per transaction; list parameters (the token's markets, search patterns) are constant.
    """
    query = sql_of(endpoint, values[0])
    for name in values[0]:
        column = [v[name] for v in values]
        if isinstance(values[0][name], list):
            items = values[0][name]
            kind = "bigint" if items and isinstance(items[0], int) else "text"
            literal = "'{" + ",".join(_literal(x) for x in items) + "}'::" + kind + "[]"
        else:
            kinds = {type(x) for x in column if x is not None}
            kind = _TYPES[kinds.pop()] if kinds else "text"
            array = "{" + ",".join(_literal(x) for x in column) + "}"
            literal = f"('{array}'::{kind}[])[:i]"
        query = query.replace(f"%({name})s", literal)
    query = query.replace("%%", "%")
    lines = [line.split("--", 1)[0] for line in query.splitlines()]  # no "--" comments
    return f"\\set i random(1, {len(values)})\n" + " ".join(" ".join(lines).split()) + ";\n"

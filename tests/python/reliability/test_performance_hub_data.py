"""My Performance Hub's answers against the published app tables (SPEC §11, §13, §14):
overall and per-market metrics and their withholding below `personal_min_visits`, peer
rankings that name no one beyond the marquee, the look back, the response cache keyed on
the user and the PHI audit of personal visits."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from litestar import Litestar
from litestar.testing import TestClient
from performance_hub_support import ME, Clinicians, as_clinician

from api.app import create_app
from api.leader_hub.queries import METRIC_COLUMNS
from api.performance_hub.queries import OVERALL_METRICS
from kpi.embedded import Connections
from kpi.settings import Settings

RUN = uuid.uuid4().hex[:8]  # the database outlives a run: this run's request ids


def _rows(dsn: str, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _number(value: Any) -> Any:
    return None if value is None else float(value)


def test_me_shows_the_overall_metrics_of_provider_metrics_with_goals(
    client: TestClient[Litestar], settings: Settings, connections: Connections, who: Clinicians
) -> None:
    me = client.get(ME, headers=as_clinician(settings, who.experienced)).json()
    (row,) = _rows(
        connections.app_dsn,
        "select * from leader_hub.provider_metrics where provider_id = %s",
        [who.experienced],
    )
    goals = {
        r["metric"]: r
        for r in _rows(
            connections.app_dsn,
            "select * from leader_hub.goals where job_title = 'ALL' and market_id = 0",
            [],
        )
    }
    assert me["visit_count"] == row["visit_count"] >= me["personal_min_visits"]
    assert [m["metric"] for m in me["metrics"]] == [value for value, _ in OVERALL_METRICS]
    for metric, (value, change) in zip(me["metrics"], OVERALL_METRICS, strict=True):
        assert (metric["value"], metric["week_change"]) == (
            _number(row[value]),
            _number(row[change]),
        )
        assert metric["status"] == "ok" and metric["visits_needed"] == 0
        goal = goals.get(value)
        assert metric["goal"] == (None if goal is None else float(goal["goal"]))
        if goal is None or row[value] is None:
            assert metric["meets_goal"] is None
        else:
            at_most = goal["direction"] == "at_most"
            assert metric["meets_goal"] == (
                row[value] <= goal["goal"] if at_most else row[value] >= goal["goal"]
            )


def test_visit_metrics_are_withheld_below_the_published_minimum_but_on_task(
    client: TestClient[Litestar], settings: Settings, who: Clinicians
) -> None:
    me = client.get(ME, headers=as_clinician(settings, who.novice)).json()
    assert me["visit_count"] == who.novice_visit_count < me["personal_min_visits"]
    by_metric = {m["metric"]: m for m in me["metrics"]}
    on_task = by_metric.pop("on_task_percent")
    assert on_task["status"] == "ok" and on_task["visits_needed"] == 0
    for metric in by_metric.values():
        assert metric["status"] == "not_enough_visits"
        assert metric["visits_needed"] == who.personal_min_visits - who.novice_visit_count
        assert (metric["value"], metric["week_change"], metric["meets_goal"]) == (None,) * 3
    assert by_metric["on_scene_time_median_seconds"]["goal"] is not None  # still shown


def test_the_minimum_is_the_published_one_not_a_copy(
    settings: Settings, connections: Connections, who: Clinicians
) -> None:
    """Raise the published personal_min_visits above the clinician's visit count: a fresh
    API withholds their metrics (and restores them once it is back)."""
    update = "update leader_hub.personal_settings set personal_min_visits = %s"
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        conn.execute(update, [10_000])
    try:
        with TestClient(create_app(settings, connections.app_dsn)) as fresh:
            me = fresh.get(ME, headers=as_clinician(settings, who.experienced)).json()
    finally:
        with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
            conn.execute(update, [who.personal_min_visits])
    assert me["personal_min_visits"] == 10_000
    withheld = [m for m in me["metrics"] if m["status"] == "not_enough_visits"]
    assert len(withheld) == len(OVERALL_METRICS) - 1
    assert withheld[0]["visits_needed"] == 10_000 - me["visit_count"]


def test_my_market_is_my_market_provider_metrics_row(
    client: TestClient[Litestar], settings: Settings, connections: Connections, who: Clinicians
) -> None:
    market = who.experienced_market
    body = client.get(
        f"{ME}/markets/{market}", headers=as_clinician(settings, who.experienced)
    ).json()
    (row,) = _rows(
        connections.app_dsn,
        "select * from leader_hub.market_provider_metrics where market_id = %s"
        " and provider_id = %s",
        [market, who.experienced],
    )
    assert (body["market_id"], body["visit_count"]) == (market, row["visit_count"])
    for metric, (value, change, rank, ranked) in zip(
        body["metrics"], METRIC_COLUMNS.values(), strict=True
    ):
        assert metric["metric"] == value
        expected = (_number(row[value]), _number(row[change]), row[rank], row[ranked])
        assert (
            metric["value"],
            metric["week_change"],
            metric["rank"],
            metric["ranked_providers"],
        ) == expected
    markets = client.get(f"{ME}/markets", headers=as_clinician(settings, who.experienced)).json()
    active = _rows(
        connections.app_dsn,
        "select market_id from leader_hub.markets_active_providers where provider_id = %s",
        [who.experienced],
    )
    assert sorted(m["market_id"] for m in markets["items"]) == sorted(
        r["market_id"] for r in active
    )


# ------------------------------------------------------------------------- peer rankings

PEER_KEYS = {"first_name", "last_name", "avatar_url", "value", "rank", "is_me"}


def _strings_and_keys(body: Any, strings: set[str], keys: set[str]) -> None:
    if isinstance(body, dict):
        keys.update(body)
        for value in body.values():
            _strings_and_keys(value, strings, keys)
    elif isinstance(body, list):
        for value in body:
            _strings_and_keys(value, strings, keys)
    elif isinstance(body, str):
        strings.add(body)


def test_peer_rankings_name_no_one_beyond_the_marquee(
    client: TestClient[Litestar], settings: Settings, connections: Connections, who: Clinicians
) -> None:
    """Every clinician of every market, every metric: the answer is computed again from
    market_provider_metrics and providers, and scanned for any other peer's name or id."""
    rows = _rows(
        connections.app_dsn,
        "select metrics.*, providers.first_name, providers.last_name, providers.avatar_url"
        " from leader_hub.market_provider_metrics as metrics"
        " inner join leader_hub.providers as providers using (provider_id)",
        [],
    )
    people = {(r["provider_id"]): (r["first_name"], r["last_name"], r["avatar_url"]) for r in rows}
    checked = 0
    for me in rows:
        headers = as_clinician(settings, me["provider_id"])
        peers = [
            r
            for r in rows
            if (r["market_id"], r["job_title"]) == (me["market_id"], me["job_title"])
        ]
        for metric, (value, _, rank, _) in METRIC_COLUMNS.items():
            url = f"{ME}/peer-rankings?market_id={me['market_id']}&metric={metric}"
            response = client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            ranked = sorted(
                (r for r in peers if r[rank] is not None),
                key=lambda r: (r[rank], r["last_name"], r["first_name"], r["provider_id"]),
            )
            eligible = [r for r in ranked if r["visit_count"] >= who.personal_min_visits][:3]
            assert body["marquee"] == [
                {
                    "first_name": r["first_name"],
                    "last_name": r["last_name"],
                    "avatar_url": r["avatar_url"],
                    "value": _number(r[value]),
                    "rank": r[rank],
                    "is_me": r["provider_id"] == me["provider_id"],
                }
                for r in eligible
            ]
            values = sorted(_number(r[value]) for r in ranked)
            assert body["distribution"] == (values if len(ranked) >= 5 else None)
            assert body["ranked_providers"] == len(ranked)
            # nothing else about anyone: no ids, no names but the marquee's and their own
            strings: set[str] = set()
            keys: set[str] = set()
            _strings_and_keys(body, strings, keys)
            assert not {k for k in keys if k.endswith("provider_id") or k == "provider"}
            named = {me["provider_id"], *(r["provider_id"] for r in eligible)}
            shown = {
                s for r in eligible for s in (r["first_name"], r["last_name"], r["avatar_url"])
            }
            for provider, fields in people.items():
                if provider not in named:
                    assert not (set(fields) - shown) & strings, (url, provider)
            checked += 1
    assert checked >= 5 * len({r["market_id"] for r in rows})


def test_a_withheld_own_value_hides_value_and_rank_not_the_ranked_count(
    client: TestClient[Litestar], settings: Settings, connections: Connections, who: Clinicians
) -> None:
    (row,) = _rows(
        connections.app_dsn,
        "select * from leader_hub.market_provider_metrics where visit_count < %s"
        " and on_scene_time_rank is not null order by market_id, provider_id limit 1",
        [who.personal_min_visits],
    )
    url = f"{ME}/peer-rankings?market_id={row['market_id']}"
    body = client.get(url, headers=as_clinician(settings, row["provider_id"])).json()
    assert body["me"]["status"] == "not_enough_visits"
    assert (body["me"]["value"], body["me"]["rank"]) == (None, None)
    assert body["me"]["ranked_providers"] == row["ranked_providers_on_scene_time"]
    assert not any(peer["is_me"] for peer in body["marquee"])  # too few visits for it
    on_task = client.get(
        url + "&metric=on_task_percent", headers=as_clinician(settings, row["provider_id"])
    )
    assert on_task.json()["me"]["rank"] == row["on_task_percent_rank"]  # never withheld

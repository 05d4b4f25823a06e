"""The look back (SPEC §11) of every clinician, recomputed in Python from the published
provider_shifts and markets, and the latest day's shifts with their breakdowns (also a
day older than the shift history), the response cache keyed on the user and the PHI
audit of personal visits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import psycopg
from litestar import Litestar
from litestar.testing import TestClient
from performance_hub_support import ME, Clinicians, as_clinician

from api.app import create_app
from kpi.embedded import Connections
from kpi.settings import Settings
from sync.audit import ensure_audit

RUN = uuid.uuid4().hex[:8]  # the database outlives a run: this run's request ids


def _expected_days(dsn: str, as_of: date, days: int) -> dict[int, list[dict[str, Any]]]:
    """provider -> its look-back days, from the shift rows (SPEC §11's rule, in Python)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        shifts = conn.execute(
            "select shifts.provider_id, markets.market_group_id, groups.name,"
            " shifts.service_date, shifts.patients_seen,"
            " floor(extract(epoch from shifts.end_time - shifts.start_time))::bigint"
            " from leader_hub.provider_shifts as shifts"
            " inner join leader_hub.markets as markets using (market_id)"
            " inner join leader_hub.market_groups as groups using (market_group_id)"
            " where shifts.service_date > %s and shifts.service_date <= %s",
            [as_of - timedelta(days=days), as_of],
        ).fetchall()
    mine: dict[tuple[int, date, int], list[int]] = defaultdict(lambda: [0, 0])
    names = {}
    for provider, group, name, day, patients, seconds in shifts:
        mine[provider, day, group][0] += patients
        mine[provider, day, group][1] += seconds
        names[group] = name
    groups: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_, day, group), (patients, seconds) in mine.items():
        total = groups[group, day]
        total[0], total[1], total[2] = total[0] + 1, total[1] + patients, total[2] + seconds
    best: dict[tuple[int, date], tuple[int, int]] = {}
    for (provider, day, group), (patients, _) in mine.items():
        current = best.get((provider, day))
        if current is None or (-patients, group) < (-current[1], current[0]):
            best[provider, day] = (group, patients)
    expected: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (provider, day), (group, _) in sorted(best.items(), key=lambda kv: kv[0][1]):
        patients, seconds = mine[provider, day, group]
        clinicians_, group_patients, group_seconds = groups[group, day]
        expected[provider].append(
            {
                "service_date": day.isoformat(),
                "market_group_id": group,
                "market_group_name": names[group],
                "patients_seen": patients,
                "on_shift_seconds": seconds,
                "group_clinicians": clinicians_,
                "group_average_patients_seen": round(group_patients / clinicians_ + 1e-9, 2),
                "group_average_on_shift_seconds": round(group_seconds / clinicians_ + 1e-9, 2),
            }
        )
    return expected


def test_every_clinicians_look_back_follows_the_rule(
    client: TestClient[Litestar], settings: Settings, connections: Connections, as_of: date
) -> None:
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        providers = [r[0] for r in conn.execute("select provider_id from leader_hub.providers")]
        latest = defaultdict(list)
        for provider, shift, day in conn.execute(
            "select provider_id, shift_team_id,"
            " max(start_time::date) over (partition by provider_id)"
            " from leader_hub.provider_latest_shifts"
        ):
            latest[provider].append((shift, day))
        phases = dict(
            conn.execute(
                "select shift_team_id, count(*) from leader_hub.provider_shift_breakdowns"
                " group by shift_team_id"
            ).fetchall()
        )
    expected = _expected_days(connections.app_dsn, as_of, 7)
    assert expected, "no shift in the last week: the test data does not exercise the look back"
    for provider in providers:
        body = client.get(f"{ME}/look-back", headers=as_clinician(settings, provider)).json()
        assert body["look_back_days"] == 7
        assert body["days"] == expected.get(provider, []), provider
        shifts = body["latest_shifts"]
        assert sorted(s["shift_team_id"] for s in shifts) == sorted(s for s, _ in latest[provider])
        assert body["latest_shift_date"] == (
            latest[provider][0][1].isoformat() if latest[provider] else None
        )
        for shift in shifts:
            assert len(shift["breakdowns"]) == phases.get(shift["shift_team_id"], 0)


def test_an_old_latest_day_is_still_shown_with_its_breakdowns(
    client: TestClient[Litestar], settings: Settings, connections: Connections
) -> None:
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        provider, shift = conn.execute(
            "select provider_id, shift_team_id from leader_hub.provider_latest_shifts as latest"
            " where not exists (select 1 from leader_hub.provider_shifts as shifts"
            "   where shifts.shift_team_id = latest.shift_team_id)"
            " order by provider_id limit 1"
        ).fetchone()
    headers = as_clinician(settings, provider)
    body = client.get(f"{ME}/look-back", headers=headers).json()
    (old,) = [s for s in body["latest_shifts"] if s["shift_team_id"] == shift]
    assert old["breakdowns"], "an old latest shift keeps its phases"
    breakdowns = client.get(f"{ME}/shifts/{shift}/breakdowns", headers=headers)
    assert breakdowns.status_code == 200
    assert [p["start_time"] for p in breakdowns.json()["items"]] == [
        p["start_time"] for p in old["breakdowns"]
    ]


# ------------------------------------------------------------------ cache and audit


def test_the_cache_never_serves_one_clinicians_body_to_another(
    settings: Settings, connections: Connections, who: Clinicians
) -> None:
    """Same role, markets and subject, another user id: never the other's cached body."""
    app: Litestar = create_app(settings, connections.app_dsn)
    urls = [ME, f"{ME}/look-back", f"{ME}/shifts", f"{ME}/visits"]
    with TestClient(app) as client:
        first = {u: client.get(u, headers=as_clinician(settings, who.experienced)) for u in urls}
        other = {u: client.get(u, headers=as_clinician(settings, who.novice)) for u in urls}
        again = {u: client.get(u, headers=as_clinician(settings, who.experienced)) for u in urls}
        assert app.state.response_cache.hits >= len(urls)  # the third round came from it
    for url in urls:
        assert first[url].status_code == other[url].status_code == 200
        assert first[url].content == again[url].content
        assert first[url].content != other[url].content, url
        assert first[url].headers["etag"] != other[url].headers["etag"]
    assert other[ME].json()["provider"]["provider_id"] == who.novice


def test_personal_visits_are_audited_with_the_clinician_as_provider(
    settings: Settings, connections: Connections, who: Clinicians
) -> None:
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        ensure_audit(conn, ["leader_hub", "fraud"])
    app: Litestar = create_app(settings, connections.app_dsn)
    headers = as_clinician(settings, who.experienced)
    with TestClient(app) as client:
        sent = [
            client.get(f"{ME}/visits?per_page=3", headers=headers | {"X-Request-ID": f"{RUN}v{n}"})
            for n in range(3)  # the second and third are cache hits
        ]
        client.get(f"{ME}/shifts", headers=headers | {"X-Request-ID": f"{RUN}s"})
    with psycopg.connect(connections.app_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "select request_id, route, provider_id, user_id, care_request_ids"
            " from kpi_audit.phi_access where request_id like %s order by request_id",
            [f"{RUN}%"],
        ).fetchall()
    returned = [item["care_request_id"] for item in sent[0].json()["items"]]
    assert returned and [r[0] for r in rows] == [f"{RUN}v0", f"{RUN}v1", f"{RUN}v2"]
    for _, route, provider_id, user_id, care_requests in rows:
        assert route == f"{ME}/visits"
        assert (provider_id, user_id) == (who.experienced, str(who.experienced))
        assert care_requests == returned

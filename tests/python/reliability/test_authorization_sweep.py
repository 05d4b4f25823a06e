"""Object-level authorization sweep over the real published data.

For every market M a token of a Market Manager of M alone asks for everything it must not
see: every other market (its metrics, its rankings, its providers through it), every
provider not active in M (on every provider-scoped endpoint, also through M's path) and
every shift none of whose providers is active in M. Nothing may come back: markets
outside the token are 403, invisible providers and shifts are 404 with exactly the body of
an id that does not exist, and what M's own ranking returns (rows, totals, ranks, ranked
counts) is made of M's providers only. The expected visibility is computed from the app
tables in Python, independently of the API's SQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from reliability_support import FRAUD, HUB, Dataset, bearer

from api.leader_hub.queries import METRIC_COLUMNS
from api.tokens import mint_dev_token
from kpi.settings import Settings

PROVIDER_PATHS = ("", "/markets", "/provider-visits", "/provider-shifts", "/history")
JOB_TITLES = ("APP", "DHMT")
UNKNOWN_ID = 9_000_000_000_000_000_000


def _get(client: TestClient[Litestar], token: str, url: str, **params: Any) -> Any:
    return client.get(url, params=params or None, headers=bearer(token))


def _ranking_pages(
    client: TestClient[Litestar], token: str, market: int, title: str, metric: str, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every row of a market's ranking (all pages) and the reported total."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = _get(
            client,
            token,
            f"{HUB}/markets/{market}/providers",
            job_title=title,
            metric=metric,
            page=page,
            per_page=100,
            **params,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if page >= body["total_pages"]:
            return items, body["total"]
        page += 1


@pytest.fixture(scope="module")
def single_market_tokens(settings: Settings, dataset: Dataset) -> dict[int, str]:
    return {m: mint_dev_token(settings, "Market Manager", [m], False) for m in dataset.markets}


def test_a_single_market_lead_sees_nothing_of_other_markets(
    client: TestClient[Litestar], dataset: Dataset, single_market_tokens: dict[int, str]
) -> None:
    requests = 0
    for market, token in single_market_tokens.items():
        requests += _sweep(client, dataset, market, token)
    print(f"authorization sweep: {len(single_market_tokens)} tokens, {requests} requests")


def _sweep(client: TestClient[Litestar], dataset: Dataset, market: int, token: str) -> int:
    """Every request the Market Manager of ``market`` alone must not get data from."""
    visible = dataset.visible_providers({market})
    invisible = set(dataset.providers) - visible
    invisible_shifts = set(dataset.shift_providers) - dataset.visible_shifts({market})
    assert visible and invisible, "the sweep needs providers on both sides"
    leaks: list[str] = []
    sent = 0

    def expect(status: int, url: str, body: Any = None, **params: Any) -> None:
        nonlocal sent
        sent += 1
        response = _get(client, token, url, **params)
        if response.status_code != status or (body is not None and response.json() != body):
            leaks.append(f"{url} {params or ''} -> {response.status_code} {response.text[:200]}")

    # The reference 404s: ids that exist nowhere.
    missing_provider = {
        path: _get(client, token, f"{HUB}/providers/{UNKNOWN_ID}{path}").json()
        for path in PROVIDER_PATHS
    }
    assert all(body["status"] == 404 for body in missing_provider.values())
    missing_shift = _get(
        client, token, f"{HUB}/provider-shifts/{UNKNOWN_ID}/provider-shift-breakdowns"
    ).json()
    missing_in_market = _get(client, token, f"{HUB}/markets/{market}/providers/{UNKNOWN_ID}")
    assert missing_in_market.status_code == 404
    missing_history = _get(
        client, token, f"{HUB}/markets/{market}/providers/{UNKNOWN_ID}/history"
    ).json()
    assert missing_history["status"] == 404
    changes = f"{HUB}/markets/{market}/providers/{UNKNOWN_ID}/changes"
    missing_changes = _get(client, token, changes, metric="on_scene_time").json()
    assert missing_changes["status"] == 404

    # The switcher lists the token's market only.
    switcher = _get(client, token, f"{HUB}/markets").json()
    assert [m["market_id"] for m in switcher["items"]] == [market]

    # Other markets: their metrics, rankings and providers through them are 403.
    for other in dataset.markets:
        if other == market:
            continue
        expect(403, f"{HUB}/markets/{other}")
        expect(403, f"{HUB}/markets/{other}/history", interval="day", points=366)
        expect(403, f"{HUB}/markets/{other}/changes", metric="net_promoter_score")
        for title in JOB_TITLES:
            expect(403, f"{HUB}/markets/{other}/providers", job_title=title)
            expect(403, f"{HUB}/markets/{other}/providers", job_title=title, search="a")
        for provider in sorted(p for p, ms in dataset.provider_markets.items() if other in ms):
            expect(403, f"{HUB}/markets/{other}/providers/{provider}")
            expect(403, f"{HUB}/markets/{other}/providers/{provider}/history")
            expect(
                403, f"{HUB}/markets/{other}/providers/{provider}/changes", metric="on_scene_time"
            )

    # Providers not active in the market: 404 like a provider that does not exist, on
    # every provider endpoint, with any parameters, and through the market's own path.
    for provider in sorted(invisible):
        for path, body in missing_provider.items():
            expect(404, f"{HUB}/providers/{provider}{path}", body)
        expect(404, f"{HUB}/providers/{provider}/provider-visits", None, search="a", per_page=1)
        expect(404, f"{HUB}/providers/{provider}/provider-visits", None, is_escalated="true")
        expect(404, f"{HUB}/providers/{provider}/provider-shifts", None, last_days=90, sort="asc")
        expect(404, f"{HUB}/markets/{market}/providers/{provider}", missing_in_market.json())
        expect(404, f"{HUB}/markets/{market}/providers/{provider}/history", missing_history)
        expect(
            404,
            f"{HUB}/markets/{market}/providers/{provider}/changes",
            missing_changes,
            metric="chart_closure_rate",
        )
        expect(404, f"{HUB}/providers/{provider}/history", None, interval="day", points=1)

    # Shifts none of whose providers is visible: 404 like a shift that does not exist.
    for shift in sorted(invisible_shifts):
        expect(404, f"{HUB}/provider-shifts/{shift}/provider-shift-breakdowns", missing_shift)

    # Fraud reports and the workbench's reads need the fraud role.
    for report in (
        "/authorizations?type=DOCTOR&settlement_type=CITY",
        "/phone-numbers",
        "/doctors",
        "/authorizations/resolved",
        "/phone-numbers/resolved",
        "/doctors/resolved",
        # refused before any lookup: the same 403 whether the number is reported or not
        "/phone-numbers/380501112233/doctors",
    ):
        expect(403, f"{FRAUD}{report}")

    assert not leaks, f"{len(leaks)} responses leaked or misbehaved, e.g.:\n" + "\n".join(
        leaks[:20]
    )

    # The market's own rankings: only its providers, and counts made of them alone.
    for title in JOB_TITLES:
        in_market = {
            p for p in visible if market in dataset.provider_markets[p]
            and dataset.job_titles.get(p) == title
        }  # fmt: skip
        for metric in METRIC_COLUMNS:
            items, total = _ranking_pages(client, token, market, title, metric)
            ids = [i["provider"]["provider_id"] for i in items]
            assert set(ids) == in_market and total == len(ids) == len(set(ids)), (title, metric)
            ranked = [i for i in items if i["rank"] is not None]
            assert all(i["ranked_providers"] == len(ranked) for i in items), (title, metric)
            assert all(1 <= i["rank"] <= len(ranked) for i in ranked), (title, metric)
            # Searching for an invisible provider's name finds only the market's providers.
            for provider in sorted(invisible)[:5]:
                last = dataset.names[provider][1] or ""
                found, found_total = _ranking_pages(
                    client, token, market, title, metric, search=last
                )
                found_ids = {i["provider"]["provider_id"] for i in found}
                assert found_ids <= in_market and found_total == len(found_ids)
                sent += 1
    return sent


def test_every_visible_provider_is_readable_with_all_its_markets(
    client: TestClient[Litestar], dataset: Dataset, single_market_tokens: dict[int, str]
) -> None:
    """The other side of the sweep: what a token should see, it sees (SPEC §10, seed Q&A)."""
    for market, token in single_market_tokens.items():
        for provider in sorted(dataset.visible_providers({market})):
            for path in PROVIDER_PATHS:
                response = _get(client, token, f"{HUB}/providers/{provider}{path}")
                assert response.status_code == 200, (market, provider, path, response.text)
            markets = _get(client, token, f"{HUB}/providers/{provider}/markets").json()
            listed = {m["market_id"] for m in markets["items"]}
            assert listed == dataset.provider_markets[provider], (market, provider)
            if market in listed:  # the provider's history in this market too
                url = f"{HUB}/markets/{market}/providers/{provider}/history"
                assert _get(client, token, url).status_code == 200, (market, provider)
                changes = _get(
                    client, token, url.replace("/history", "/changes"), metric="on_scene_time"
                )
                assert changes.status_code == 200, (market, provider)
        assert _get(client, token, f"{HUB}/markets/{market}/history").status_code == 200
        own = _get(client, token, f"{HUB}/markets/{market}/changes", metric="survey_capture_rate")
        assert own.status_code == 200, market
        for shift in sorted(dataset.visible_shifts({market}))[:50]:
            response = _get(
                client, token, f"{HUB}/provider-shifts/{shift}/provider-shift-breakdowns"
            )
            assert response.status_code == 200, (market, shift)


def test_metrics_answer_only_the_metrics_token_and_name_no_ids(
    settings: Settings, connections: Any, dataset: Dataset, published: Any
) -> None:
    """/metrics (SPEC §14): no user token opens it, whatever its roles and markets; what it
    shows is route templates and counts, never a market, provider or shift id."""
    import dataclasses

    from api.app import create_app

    metrics_token = "sweep-metrics-token-0123456789"
    configured = dataclasses.replace(settings, metrics_token=metrics_token)
    everyone = mint_dev_token(settings, "Market Manager", list(dataset.markets), True)
    with TestClient(create_app(configured, connections.app_dsn)) as client:
        provider, market = min(dataset.provider_markets), dataset.markets[0]
        for path in (f"{HUB}/markets/{market}", f"{HUB}/providers/{provider}/provider-visits"):
            assert _get(client, everyone, path).status_code == 200
        for token in (everyone, mint_dev_token(settings, "", [], True), ""):
            assert _get(client, token, "/metrics").status_code == 401
        text = _get(client, metrics_token, "/metrics").text
    assert 'route="/v1/leader-hub-metrics/providers/{provider_id}/provider-visits"' in text
    assert f"/markets/{market}" not in text and f"/providers/{provider}/" not in text


# Every fraud workbench request (SPEC §15): the report lists as JSON and CSV, and the review
# routes. None may answer a token without the fraud_analyst role, whatever its markets.
FRAUD_LISTS = (
    "/authorizations?type=DOCTOR&settlement_type=CITY",
    "/authorizations?type=LEGAL_ENTITY&settlement_type=OTHER&include_reviewed=true",
    "/phone-numbers?include_reviewed=true",
    "/doctors?min_patients_qty=0",
)
REVIEW_ROW_SQL = {
    "authorizations": "select row_id from fraud.authorization_legal_entity"
    " order by report_rank limit 3",
    "phone-numbers": "select row_id from fraud.patients_phonenumber order by report_rank limit 3",
    "doctors": "select row_id from fraud.total_patients_doctor order by report_rank limit 3",
}


def test_a_lead_can_neither_read_nor_write_the_fraud_workbench(
    client: TestClient[Litestar],
    connections: Any,
    single_market_tokens: dict[int, str],
    lead_token: str,
) -> None:
    import psycopg

    count = "select count(*) from kpi_reviews.reviews"
    with psycopg.connect(connections.app_dsn) as conn:
        rows = {r: [x[0] for x in conn.execute(q)] for r, q in REVIEW_ROW_SQL.items()}
        before = conn.execute(count).fetchone()
    assert all(rows.values()), "the sweep needs rows of every report"
    leaks = []
    for token in [lead_token, *single_market_tokens.values()]:
        headers = bearer(token)
        for path in FRAUD_LISTS:
            for extra in ({}, {"Accept": "text/csv"}):
                response = client.get(f"{FRAUD}{path}", headers={**headers, **extra})
                if response.status_code != 403 or "items" in response.text:
                    leaks.append(f"GET {path} {extra} -> {response.status_code}")
        for report, ids in rows.items():
            for row_id in ids:
                response = client.post(
                    f"{FRAUD}/{report}/{row_id}/reviews",
                    json={"verdict": "false_positive", "note": "sweep"},
                    headers={**headers, "Idempotency-Key": "sweep"},
                )
                if response.status_code != 403:
                    leaks.append(f"POST {report}/{row_id} -> {response.status_code}")
    with psycopg.connect(connections.app_dsn) as conn:
        assert conn.execute(count).fetchone() == before, "a lead's review was stored"
    assert not leaks, "\n".join(leaks[:20])


def test_every_clinician_reads_exactly_their_own_personal_rows(
    client: TestClient[Litestar], settings: Settings, dataset: Dataset
) -> None:
    """My Performance Hub (SPEC §11): each clinician's token (their user id, and every market
    in its markets claim, which personal routes ignore) lists exactly their markets, reads
    their market rows and shifts, and gets the 404 of an unknown id for every other market
    and for other clinicians' shifts. The Leader Hub's tokens (no user id) get a 403."""
    me = "/v1/performance-hub/me"
    everyone = list(dataset.markets)
    unknown_market = _get(
        client, mint_dev_token(settings, "", [], False, user_id=dataset.providers[0]),
        f"{me}/markets/{UNKNOWN_ID}",
    ).json()  # fmt: skip
    leaks: list[str] = []
    for provider in dataset.providers:
        token = mint_dev_token(settings, "Lead APP", everyone, False, user_id=provider)
        own = dataset.provider_markets.get(provider, frozenset())
        listed = {m["market_id"] for m in _get(client, token, f"{me}/markets").json()["items"]}
        if listed != own:
            leaks.append(f"{provider}: markets {sorted(listed)} != {sorted(own)}")
        for market in dataset.markets:
            expected = 200 if market in own else 404
            for url in (f"{me}/markets/{market}", f"{me}/peer-rankings?market_id={market}"):
                response = _get(client, token, url)
                if response.status_code != expected or (
                    expected == 404 and response.json() != unknown_market
                ):
                    leaks.append(f"{provider}: {url} -> {response.status_code}")
        shifts = sorted(dataset.shift_providers)
        others = [s for s in shifts if provider not in dataset.shift_providers[s]][:25]
        mine = [s for s in shifts if provider in dataset.shift_providers[s]][:5]
        for shift in others + mine:
            status = _get(client, token, f"{me}/shifts/{shift}/breakdowns").status_code
            if status != (200 if shift in mine else 404):
                leaks.append(f"{provider}: shift {shift} -> {status}")
    for market, token in [
        (m, mint_dev_token(settings, "Market Manager", [m], False)) for m in everyone
    ]:
        for url in (f"{me}/markets", f"{me}/markets/{market}", f"{me}/visits", f"{me}/look-back"):
            if _get(client, token, url).status_code != 403:
                leaks.append(f"Market Manager of {market}: {url} is not 403")
    assert not leaks, f"{len(leaks)} personal responses leaked, e.g.:\n" + "\n".join(leaks[:20])

"""The page's server side, without a browser: assets, headers, and the dev-only login."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.web import STATIC_DIR
from kpi.settings import Settings

HUB = "/v1/leader-hub-metrics"
ME = "/v1/performance-hub/me"


@pytest.fixture(scope="module")
def prod_client(settings: Settings, published: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings, published)) as client:
        yield client


@pytest.fixture(scope="module")
def dev_client(settings: Settings, published: str) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings, published, dev_login=True)) as client:
        yield client


def test_page_is_served_with_a_strict_content_security_policy(prod_client) -> None:
    response = prod_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.text
    assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert assets and all(a.startswith("/static/web/") for a in assets), assets
    for asset in assets:
        served = prod_client.get(asset)
        assert served.status_code == 200, asset
        assert served.content == (STATIC_DIR / asset.removeprefix("/static/web/")).read_bytes()
    assert "javascript" in prod_client.get("/static/web/app.js").headers["content-type"]
    assert prod_client.get("/static/web/app.css").headers["content-type"].startswith("text/css")


def test_assets_load_nothing_from_elsewhere_and_never_write_html() -> None:
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?(?:https?:)?//", text), path.name
    scripts = sorted(STATIC_DIR.glob("*.js"))
    assert {s.name for s in scripts} >= {
        "app.js",
        "sections.js",
        "lookback.js",
        "personal.js",
        "fraud.js",
    }
    for path in scripts:
        script = path.read_text(encoding="utf-8")
        # data (patient names, review notes) only ever reaches the page as text
        assert "innerHTML" not in script and "insertAdjacentHTML" not in script, path.name
        assert "document.write" not in script, path.name


def test_dev_login_is_absent_unless_the_app_is_created_in_dev_mode(prod_client) -> None:
    assert prod_client.get("/dev/login").status_code == 404
    assert prod_client.post("/dev/login", json={"role": "market-manager"}).status_code in (
        404,
        405,
    )
    paths = prod_client.get("/schema/openapi.json").json()["paths"]
    assert not any(p.startswith("/dev") for p in paths)


def test_dev_login_lists_demo_roles_and_mints_working_tokens(dev_client, app_db) -> None:
    markets = [
        r[0]
        for r in app_db.execute(
            "select market_id from leader_hub.markets order by market_id limit 3"
        ).fetchall()
    ]
    roles = dev_client.get("/dev/login").json()["items"]
    by_id = {role["id"]: role for role in roles}
    assert set(by_id) == {
        "market-manager",
        "lead-app",
        "lead-dhmt",
        "clinician",
        "lead-app-clinician",
        "clinician-few-visits",
        "fraud-analyst",
    }
    manager = by_id["market-manager"]
    assert manager["label"] == f"Market Manager of markets {','.join(map(str, markets))}"
    assert manager["markets"] == markets
    assert by_id["lead-app"]["label"] == f"Lead APP of market {markets[0]}"

    login = dev_client.post("/dev/login", json={"role": "market-manager"})
    assert login.status_code == 200
    token = login.json()["token"]
    hub = dev_client.get(f"{HUB}/markets", headers={"Authorization": f"Bearer {token}"})
    assert hub.status_code == 200
    assert sorted(m["market_id"] for m in hub.json()["items"]) == markets

    fraud = dev_client.post("/dev/login", json={"role": "fraud-analyst"}).json()["token"]
    denied = dev_client.get(f"{HUB}/markets", headers={"Authorization": f"Bearer {fraud}"})
    assert denied.status_code == 403

    unknown = dev_client.post("/dev/login", json={"role": "admin"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "role"


def test_dev_login_clinicians_are_real_providers_of_the_build(dev_client, app_db) -> None:
    """The clinician (enough visits), the Lead APP who is also a clinician (active in the
    role's market) and the clinician with too few visits: /me knows each of them."""
    min_visits = app_db.execute(
        "select personal_min_visits from leader_hub.personal_settings"
    ).fetchone()[0]
    by_id = {role["id"]: role for role in dev_client.get("/dev/login").json()["items"]}
    seen = {}
    for role_id in ("clinician", "lead-app-clinician", "clinician-few-visits"):
        role = by_id[role_id]
        token = dev_client.post("/dev/login", json={"role": role_id}).json()["token"]
        me = dev_client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        body = me.json()
        assert body["provider"]["provider_id"] == role["user_id"]
        visits = app_db.execute(
            "select visit_count from leader_hub.provider_metrics where provider_id = %s",
            [role["user_id"]],
        ).fetchone()[0]
        assert body["visit_count"] == visits
        assert role["label"].endswith(f", {visits} visits)")
        seen[role_id] = body
    assert seen["clinician"]["visit_count"] >= min_visits
    assert not seen["clinician"]["is_lead"] and seen["clinician"]["default_view"] == "personal"
    assert seen["clinician-few-visits"]["visit_count"] < min_visits
    lead = seen["lead-app-clinician"]
    assert lead["is_lead"] and lead["default_view"] == "personal"
    assert lead["provider"]["job_title"] == "APP" and lead["visit_count"] >= min_visits
    market = by_id["lead-app-clinician"]["markets"][0]
    assert app_db.execute(
        "select 1 from leader_hub.markets_active_providers where market_id = %s"
        " and provider_id = %s",
        [market, lead["provider"]["provider_id"]],
    ).fetchone()
    manager = dev_client.post("/dev/login", json={"role": "market-manager"}).json()["token"]
    body = dev_client.get(ME, headers={"Authorization": f"Bearer {manager}"}).json()
    assert body["provider"] is None and body["default_view"] == "leader_hub"


def test_demo_prints_a_clinician_token_and_its_curl_line(
    settings: Settings, published: str, prod_client, capsys
) -> None:
    """`kpi demo`'s access lines: the clinician's token reads their own hub."""
    from kpi.demo_access import demo_clinician, print_demo_access

    print_demo_access(settings, published, 8000)
    out = capsys.readouterr().out
    token = re.search(r"export CLINICIAN_TOKEN=(\S+)", out)
    assert token, out
    assert (
        'curl -s -H "Authorization: Bearer $CLINICIAN_TOKEN" '
        "http://127.0.0.1:8000/v1/performance-hub/me" in out
    )
    clinician = demo_clinician(published)
    assert clinician is not None
    me = prod_client.get(ME, headers={"Authorization": f"Bearer {token.group(1)}"})
    assert me.status_code == 200
    assert me.json()["provider"]["provider_id"] == clinician["provider_id"]

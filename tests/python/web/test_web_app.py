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
    assert [p.name for p in scripts] == ["app.js", "fraud.js"]
    for path in scripts:
        script = path.read_text(encoding="utf-8")
        # data (patient names, notes) only ever reaches the page as text
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
    assert set(by_id) == {"market-manager", "lead-app", "lead-dhmt", "fraud-analyst"}
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

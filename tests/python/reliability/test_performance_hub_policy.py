"""My Performance Hub's policy table (SPEC §11) on every endpoint, over the published build.

| bearer                                      | /me                       | other routes |
|---------------------------------------------|---------------------------|--------------|
| clinician (user id = a provider)            | 200, provider = them      | 200          |
| lead (Lead APP, user id = a provider)       | 200, is_lead, personal    | 200          |
| manager (RDO, no user id)                   | 200, provider null        | 403          |
| fraud analyst (no user id)                  | 200, provider null        | 403          |
| user id that is no provider (a manager's)   | 200, provider null        | 403          |
| malformed user id claim                     | 401                       | 401          |

A market or shift that is not theirs is a 404, the body of one that does not exist.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import jwt
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from performance_hub_support import ME, Clinicians
from reliability_support import bearer

from api.tokens import TokenVerifier, dev_secret, mint_dev_token
from kpi.settings import Settings

UNKNOWN_ID = 9_000_000_000_000_000_000


def personal_urls(who: Clinicians) -> list[str]:
    """Every personal route but /me, each at a row of the experienced clinician."""
    return [
        f"{ME}/markets",
        f"{ME}/markets/{who.experienced_market}",
        f"{ME}/peer-rankings?market_id={who.experienced_market}",
        f"{ME}/peer-rankings?market_id={who.experienced_market}&metric=on_task_percent",
        f"{ME}/look-back",
        f"{ME}/visits?per_page=5",
        f"{ME}/shifts?per_page=5",
        f"{ME}/shifts/{who.own_shift}/breakdowns",
    ]


def _status(client: TestClient[Litestar], token: str, url: str) -> int:
    return client.get(url, headers=bearer(token)).status_code


@pytest.mark.parametrize("role", ["", "Lead APP", "Lead DHMT"])
def test_a_clinician_or_lead_reads_every_personal_route(
    client: TestClient[Litestar], settings: Settings, who: Clinicians, role: str
) -> None:
    # no markets in the token: personal routes ignore the markets claim
    token = mint_dev_token(settings, role, [], False, user_id=who.experienced)
    me = client.get(ME, headers=bearer(token)).json()
    assert me["provider"]["provider_id"] == who.experienced
    assert (me["is_lead"], me["default_view"]) == (role != "", "personal")
    assert {url: _status(client, token, url) for url in personal_urls(who)} == {
        url: 200 for url in personal_urls(who)
    }


@pytest.mark.parametrize(
    ("role", "fraud", "user_id", "view"),
    [
        ("RDO", False, None, "leader_hub"),
        ("Market Manager", False, UNKNOWN_ID, "leader_hub"),  # a user id, but no provider
        ("Area Manager", False, None, "leader_hub"),
        ("", True, None, "personal"),  # the fraud analyst
    ],
)
def test_non_clinicians_get_me_with_no_provider_and_403_elsewhere(
    client: TestClient[Litestar],
    settings: Settings,
    who: Clinicians,
    role: str,
    fraud: bool,
    user_id: int | None,
    view: str,
) -> None:
    token = mint_dev_token(settings, role, [who.experienced_market], fraud, user_id=user_id)
    me = client.get(ME, headers=bearer(token))
    assert me.status_code == 200
    body = me.json()
    assert (body["provider"], body["metrics"], body["user_id"]) == (None, [], user_id)
    assert body["default_view"] == view
    assert {url: _status(client, token, url) for url in personal_urls(who)} == {
        url: 403 for url in personal_urls(who)
    }


@pytest.mark.parametrize(
    "claim", ["abc", "12a", "-5", "0", 0, -1, 1.5, True, [1], {"id": 1}, "", " 7", "1e3"]
)
def test_a_malformed_user_id_claim_is_401_everywhere(
    client: TestClient[Litestar], settings: Settings, who: Clinicians, claim: Any
) -> None:
    token = _signed(settings, {"market_role": "RDO", "markets": [1], "user_id": claim})
    for url in [ME, *personal_urls(who), "/v1/leader-hub-metrics/markets"]:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 401, (claim, url)
        assert "user_id" in response.json()["message"]


def _signed(settings: Settings, claims: dict[str, Any]) -> str:
    now = int(time.time())
    body = {"sub": "policy-test", "iat": now, "exp": now + 600, **claims}
    return jwt.encode(body, dev_secret(settings), algorithm="HS256")


def test_a_user_id_of_decimal_digits_is_the_same_clinician(
    client: TestClient[Litestar], settings: Settings, who: Clinicians
) -> None:
    as_text = _signed(settings, {"user_id": str(who.experienced)})
    as_number = _signed(settings, {"user_id": who.experienced})
    bodies = [client.get(ME, headers=bearer(t)).json() for t in (as_text, as_number)]
    assert bodies[0] == bodies[1] and bodies[0]["provider"]["provider_id"] == who.experienced


def test_the_user_id_claim_path_is_configurable_under_the_namespace(settings: Settings) -> None:
    configured = dataclasses.replace(
        settings, jwt_claims_namespace="https://kpi.example/claims", jwt_user_id_claim="station.id"
    )
    verifier = TokenVerifier(configured)
    nested = {"https://kpi.example/claims": {"station": {"id": "42"}, "user_id": 7}, "user_id": 9}
    assert verifier.principal_from_claims(nested).user_id == 42
    absent = {"https://kpi.example/claims": {"user_id": 7}}
    assert verifier.principal_from_claims(absent).user_id is None
    token = mint_dev_token(configured, "RDO", [1], False, user_id=5)
    assert verifier.principal_from_header(f"Bearer {token}").user_id == 5


def test_markets_and_shifts_that_are_not_theirs_are_404_like_unknown_ones(
    client: TestClient[Litestar], settings: Settings, who: Clinicians
) -> None:
    token = mint_dev_token(
        settings, "Lead APP", [who.foreign_market], False, user_id=who.experienced
    )

    def body(url: str) -> Any:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 404, url
        return response.json()

    # the market is in the token: personal routes ignore it, it is not theirs
    assert body(f"{ME}/markets/{who.foreign_market}") == body(f"{ME}/markets/{UNKNOWN_ID}")
    assert body(f"{ME}/peer-rankings?market_id={who.foreign_market}") == body(
        f"{ME}/peer-rankings?market_id={UNKNOWN_ID}"
    )
    assert body(f"{ME}/shifts/{who.foreign_shift}/breakdowns") == body(
        f"{ME}/shifts/{UNKNOWN_ID}/breakdowns"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/markets/abc",
        "/markets/0",
        "/peer-rankings",
        "/peer-rankings?market_id=x",
        "/peer-rankings?market_id=1&metric=nope",
        "/visits?per_page=101",
        "/shifts?last_days=0",
        "/shifts?sort=up",
        "/shifts/1e3/breakdowns",
        "/visits?page=1&page=2",
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    client: TestClient[Litestar], settings: Settings, who: Clinicians, url: str
) -> None:
    token = mint_dev_token(settings, "", [], False, user_id=who.experienced)
    response = client.get(f"{ME}{url}", headers=bearer(token))
    assert response.status_code == 400, response.text
    assert response.json()["field"]

"""Token edge cases tests/python/api does not cover, on the real published data.

Covered there: markets not a list / strings / booleans / floats / 0 / beyond bigint / more
than 1000, an empty list, kid selection and unknown kids in one JWKS. Added here: the
`markets` claim missing or null, exactly the maximum, duplicates, a token near the 16 KB
limit; and key rotation through the JWKS file (a new kid is accepted once the API reloads
the file, a kid dropped from it is rejected, a running API keeps the keys it loaded).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar
from litestar.testing import TestClient
from reliability_support import HUB, Dataset, bearer

from api.app import create_app
from api.tokens import MAX_TOKEN_BYTES, MAX_TOKEN_MARKETS, dev_secret
from kpi.embedded import Connections
from kpi.settings import Settings


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {"sub": "edge", "iat": now, "exp": now + 600}
    body["market_role"] = "Market Manager"
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def _hs256(settings: Settings, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, dev_secret(settings), algorithm="HS256")


def _everything(client: TestClient[Litestar], token: str, dataset: Dataset) -> list[int]:
    """Statuses of one request to each kind of Leader Hub endpoint."""
    market, provider = dataset.markets[0], min(dataset.provider_markets)
    shift = min(dataset.shift_providers)
    paths = [
        f"/markets/{market}",
        f"/markets/{market}/providers?job_title=APP",
        f"/providers/{provider}",
        f"/providers/{provider}/provider-visits",
        f"/provider-shifts/{shift}/provider-shift-breakdowns",
    ]
    return [client.get(HUB + p, headers=bearer(token)).status_code for p in paths]


@pytest.mark.parametrize("markets", [..., None, []], ids=["missing", "null", "empty"])
def test_markets_claim_missing_null_or_empty_sees_no_data(
    client: TestClient[Litestar], settings: Settings, dataset: Dataset, markets: Any
) -> None:
    token = _hs256(settings, _claims(markets=markets))
    switcher = client.get(f"{HUB}/markets", headers=bearer(token))
    if markets is None:  # null is not a list: a malformed claim
        assert switcher.status_code == 401 and "markets" in switcher.json()["message"]
        assert set(_everything(client, token, dataset)) == {401}
        return
    assert switcher.status_code == 200 and switcher.json()["items"] == []
    assert _everything(client, token, dataset) == [403, 403, 404, 404, 404]


def test_markets_claim_at_the_maximum_size_works_and_duplicates_do_not_matter(
    client: TestClient[Litestar], settings: Settings, dataset: Dataset
) -> None:
    market = dataset.markets[0]
    filler = [m for m in range(1000, 1000 + MAX_TOKEN_MARKETS) if m not in dataset.markets]
    biggest = _hs256(settings, _claims(markets=[*filler[: MAX_TOKEN_MARKETS - 1], market]))
    switcher = client.get(f"{HUB}/markets", headers=bearer(biggest)).json()
    assert [m["market_id"] for m in switcher["items"]] == [market]
    doubled = _hs256(settings, _claims(markets=[market] * 3))
    assert (
        client.get(f"{HUB}/markets", headers=bearer(doubled)).json()["items"] == (switcher["items"])
    )


def test_token_size_limit_is_exact(client: TestClient[Litestar], settings: Settings) -> None:
    def token_of_size(size: int) -> str:
        pad = 0
        while True:
            token = _hs256(settings, _claims(markets=[1], pad="x" * pad))
            if len(token) >= size:
                return token
            pad += max(1, (size - len(token)) * 3 // 4)

    small = token_of_size(MAX_TOKEN_BYTES - 200)
    assert len(small) <= MAX_TOKEN_BYTES
    assert client.get(f"{HUB}/markets", headers=bearer(small)).status_code == 200
    big = token_of_size(MAX_TOKEN_BYTES + 1)
    response = client.get(f"{HUB}/markets", headers=bearer(big))
    assert response.status_code == 401 and response.json()["message"] == "token too large"


# -------------------------------------------------------------------- key rotation


def _rsa_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {
        kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for kid in ("2026-10", "2026-11")
    }


@pytest.fixture
def rotation(
    tmp_path: Path, settings: Settings, connections: Connections, published: Any
) -> Iterator[Any]:
    """Start an API on a JWKS file holding ``kids``; the file can be rewritten later."""
    jwks = tmp_path / "jwks.json"
    opened: list[TestClient[Litestar]] = []

    def start(keys: dict[str, rsa.RSAPrivateKey], kids: list[str]) -> TestClient[Litestar]:
        jwks.write_text(json.dumps({"keys": [_rsa_jwk(keys[k], k) for k in kids]}))
        configured = dataclasses.replace(
            settings, jwt_secret=None, jwt_jwks_file=jwks, jwt_algorithms=()
        )
        client = TestClient(create_app(configured, connections.app_dsn))
        client.__enter__()
        opened.append(client)
        return client

    yield start
    for client in opened:
        client.__exit__(None, None, None)


def _signed(keys: dict[str, rsa.RSAPrivateKey], kid: str, markets: list[int]) -> str:
    return jwt.encode(_claims(markets=markets), keys[kid], algorithm="RS256", headers={"kid": kid})


def test_key_rotation_through_the_jwks_file(
    rotation: Any, keys: dict[str, rsa.RSAPrivateKey], dataset: Dataset
) -> None:
    market = [dataset.markets[0]]
    old, new = _signed(keys, "2026-10", market), _signed(keys, "2026-11", market)

    def status(client: TestClient[Litestar], token: str) -> tuple[int, str | None]:
        response = client.get(f"{HUB}/markets", headers=bearer(token))
        message = response.json().get("message") if response.status_code != 200 else None
        return response.status_code, message

    unknown = (401, "token key id (kid) is unknown")
    before = rotation(keys, ["2026-10"])
    assert status(before, old) == (200, None)
    assert status(before, new) == unknown
    # The identity provider publishes the next key next to the current one; an API that
    # has (re)loaded the file accepts both.
    overlap = rotation(keys, ["2026-10", "2026-11"])
    assert status(overlap, old) == (200, None)
    assert status(overlap, new) == (200, None)
    # A running API keeps the keys it loaded until it is restarted (a documented limit).
    assert status(before, new) == unknown
    # The old key is retired: after the reload its tokens are rejected, the new ones pass.
    after = rotation(keys, ["2026-11"])
    assert status(after, old) == unknown
    assert status(after, new) == (200, None)
    # An unknown kid, and a known kid on a token signed by another key, stay rejected.
    forged = jwt.encode(_claims(markets=market), keys["2026-10"], "RS256", {"kid": "2026-11"})
    assert status(after, forged) == (401, "token signature is invalid")

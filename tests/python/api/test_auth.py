"""The access policy (SPEC §10, api/policy.py): every endpoint × every way a request can fail.

A failed request must answer with the exact status and the error body only: no data.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from api_support import AUDIENCE, ISSUER, NAMESPACE, SECRET, bearer, claims, sign
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.tokens import KeyMaterial, TokenVerifier
from kpi.settings import DEFAULT_LEADER_ROLES, Settings, SettingsError

LEADER = "/v1/leader-hub-metrics"
LEADER_ENDPOINTS = [
    f"{LEADER}/markets",
    f"{LEADER}/markets/1",
    f"{LEADER}/markets/1/providers?job_title=APP",
    f"{LEADER}/markets/1/providers/101",
    f"{LEADER}/providers/101",
    f"{LEADER}/providers/101/markets",
    f"{LEADER}/providers/101/provider-visits",
    f"{LEADER}/providers/101/provider-shifts",
    f"{LEADER}/provider-shifts/9001/provider-shift-breakdowns",
]
FRAUD_ENDPOINTS = [
    "/v1/fraud-reports/authorizations?type=DOCTOR&settlement_type=CITY",
    "/v1/fraud-reports/phone-numbers",
    "/v1/fraud-reports/doctors",
]
ALL_ENDPOINTS = LEADER_ENDPOINTS + FRAUD_ENDPOINTS
MARKET_SCOPED_OUTSIDE_TOKEN = [  # market 4 exists, is not in the token
    f"{LEADER}/markets/4",
    f"{LEADER}/markets/4/providers?job_title=APP",
    f"{LEADER}/markets/4/providers/113",
]
PROVIDER_SCOPED_OUTSIDE_TOKEN = [  # provider 106 is active only in market 5
    f"{LEADER}/providers/106",
    f"{LEADER}/providers/106/markets",
    f"{LEADER}/providers/106/provider-visits",
    f"{LEADER}/providers/106/provider-shifts",
    f"{LEADER}/provider-shifts/9006/provider-shift-breakdowns",
]
ALL_CLAIMS = claims(roles=["fraud_analyst"])  # may read everything


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "error", "message", "field"}
    assert body["status"] == status and body["message"]
    # nothing from the data: no patient, provider or market names, no report ids
    for secret in ("Garcia", "Smith", "Denver", "380501112233", "Secret", "p1"):
        assert secret not in response.text
    return body


def unsigned(payload: dict[str, Any], alg: str = "none") -> str:
    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(payload)}."


# ----------------------------------------------------------------------------- 200s


@pytest.mark.parametrize("path", ALL_ENDPOINTS)
def test_a_valid_token_reads_every_endpoint(client, path):
    response = client.get(path, headers=bearer(sign(ALL_CLAIMS)))
    assert response.status_code == 200, response.text
    assert response.json()["as_of_date"] == "2026-11-20"


# ----------------------------------------------------------------------------- 401s

BAD_TOKENS: dict[str, dict[str, str]] = {
    "no token": {},
    "empty bearer": {"Authorization": "Bearer "},
    "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
    "not a jwt": {"Authorization": "Bearer not-a-jwt"},
    "garbage segments": {"Authorization": "Bearer abc.def.ghi"},
    "oversized": {"Authorization": "Bearer " + "a" * 20_000},
    "expired": bearer(sign(claims(roles=["fraud_analyst"], lifetime=-120))),
    "future nbf": bearer(sign(ALL_CLAIMS | {"nbf": ALL_CLAIMS["nbf"] + 300})),
    "future iat": bearer(sign(ALL_CLAIMS | {"iat": ALL_CLAIMS["iat"] + 300})),
    "no exp": bearer(sign({k: v for k, v in ALL_CLAIMS.items() if k != "exp"})),
    "bad signature": bearer(sign(ALL_CLAIMS, key="another-secret-0123456789abcdefghijkl")),
    "alg none": bearer(unsigned(ALL_CLAIMS)),
    "alg None": bearer(unsigned(ALL_CLAIMS, alg="None")),
    "alg HS512 not allowed": bearer(sign(ALL_CLAIMS, key=SECRET * 2, algorithm="HS512")),
    "markets not a list": bearer(sign(ALL_CLAIMS | {"markets": "1,2"})),
    "markets as strings": bearer(sign(ALL_CLAIMS | {"markets": ["1", "2"]})),
    "markets as booleans": bearer(sign(ALL_CLAIMS | {"markets": [True]})),
    "markets as floats": bearer(sign(ALL_CLAIMS | {"markets": [1.0]})),
    "market zero": bearer(sign(ALL_CLAIMS | {"markets": [0]})),
    "market beyond bigint": bearer(sign(ALL_CLAIMS | {"markets": [2**63]})),
    "huge markets list": bearer(sign(ALL_CLAIMS | {"markets": list(range(1, 1502))})),
    "roles not a list": bearer(sign(ALL_CLAIMS | {"roles": "fraud_analyst"})),
    "roles of numbers": bearer(sign(ALL_CLAIMS | {"roles": [1]})),
    "market_role not a string": bearer(sign(ALL_CLAIMS | {"market_role": ["Lead APP"]})),
    "sub not a string": bearer(sign(ALL_CLAIMS | {"sub": 12})),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
@pytest.mark.parametrize("path", ALL_ENDPOINTS)
def test_bad_tokens_are_401_everywhere(client, path, case):
    body = assert_error(client.get(path, headers=BAD_TOKENS[case]), 401)
    assert body["error"] == "unauthorized"


def test_expiry_has_30_seconds_of_leeway(client):
    expired_20s_ago = bearer(sign(claims(lifetime=-20)))
    assert client.get(f"{LEADER}/markets", headers=expired_20s_ago).status_code == 200
    nbf_soon = bearer(sign(ALL_CLAIMS | {"nbf": ALL_CLAIMS["nbf"] + 20}))
    assert client.get(f"{LEADER}/markets", headers=nbf_soon).status_code == 200


def test_401_names_the_reason_and_the_scheme(client):
    response = client.get(f"{LEADER}/markets", headers=BAD_TOKENS["expired"])
    assert response.json()["message"] == "token expired"
    assert response.headers["www-authenticate"].startswith("Bearer")
    malformed = client.get(f"{LEADER}/markets", headers=BAD_TOKENS["markets as strings"])
    assert "'markets'" in malformed.json()["message"]


# ----------------------------------------------------------------------------- 403s


@pytest.mark.parametrize("role", [None, "APP", "DHMT", "lead app", "Lead APP ", ""])
@pytest.mark.parametrize("path", LEADER_ENDPOINTS)
def test_leader_hub_needs_a_leader_role(client, path, role):
    token = sign(claims(market_role=role, roles=["fraud_analyst"]))
    body = assert_error(client.get(path, headers=bearer(token)), 403)
    assert body["error"] == "forbidden"


@pytest.mark.parametrize("role", DEFAULT_LEADER_ROLES)
def test_every_default_leader_role_is_allowed(client, role):
    response = client.get(f"{LEADER}/markets/1", headers=bearer(sign(claims(market_role=role))))
    assert response.status_code == 200


@pytest.mark.parametrize("path", MARKET_SCOPED_OUTSIDE_TOKEN)
def test_market_not_in_the_token_is_403(client, lead_headers, path):
    body = assert_error(client.get(path, headers=lead_headers), 403)
    assert body["message"] == "market 4 is not in the token's markets"


@pytest.mark.parametrize("path", [p.replace("/4", "/1") for p in MARKET_SCOPED_OUTSIDE_TOKEN])
def test_token_without_markets_sees_no_market(client, path):
    assert_error(client.get(path, headers=bearer(sign(claims(markets=[])))), 403)


def test_token_without_markets_has_an_empty_switcher(client):
    response = client.get(f"{LEADER}/markets", headers=bearer(sign(claims(markets=[]))))
    assert response.json()["items"] == []


@pytest.mark.parametrize("path", FRAUD_ENDPOINTS)
def test_fraud_reports_need_the_fraud_analyst_role(client, lead_headers, path):
    body = assert_error(client.get(path, headers=lead_headers), 403)
    assert "fraud_analyst" in body["message"]
    other_roles = bearer(sign(claims(roles=["admin", "FRAUD_ANALYST"])))
    assert_error(client.get(path, headers=other_roles), 403)


@pytest.mark.parametrize("path", LEADER_ENDPOINTS)
def test_fraud_analyst_without_leader_role_cannot_read_the_leader_hub(
    client, analyst_headers, path
):
    assert_error(client.get(path, headers=analyst_headers), 403)


# ----------------------------------------------------------------------------- 404s


@pytest.mark.parametrize("path", PROVIDER_SCOPED_OUTSIDE_TOKEN)
def test_provider_outside_the_token_markets_is_404(client, lead_headers, path):
    body = assert_error(client.get(path, headers=lead_headers), 404)
    assert "Hidden" not in str(body) and "Migraine" not in str(body)


@pytest.mark.parametrize(
    "path",
    [
        f"{LEADER}/providers/424242",
        f"{LEADER}/providers/424242/markets",
        f"{LEADER}/providers/424242/provider-visits",
        f"{LEADER}/providers/424242/provider-shifts",
    ],
)
def test_nonexistent_provider_looks_the_same_as_an_invisible_one(client, lead_headers, path):
    hidden = client.get(path.replace("424242", "106"), headers=lead_headers)
    missing = client.get(path, headers=lead_headers)
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_provider_visible_through_any_token_market(client):
    only_phoenix = bearer(sign(claims(markets=[3])))
    assert client.get(f"{LEADER}/providers/101", headers=only_phoenix).status_code == 404
    only_cos = bearer(sign(claims(markets=[2])))
    assert client.get(f"{LEADER}/providers/101", headers=only_cos).status_code == 200


@pytest.mark.parametrize("spelling", ["1e0", "+1", "1.0", "%201", "0001"])
def test_market_id_spelled_otherwise_cannot_bypass_the_market_check(client, spelling):
    only_cos = bearer(sign(claims(markets=[2])))
    response = client.get(f"{LEADER}/markets/{spelling}", headers=only_cos)
    assert response.status_code in (400, 403)
    assert "Denver" not in response.text


def test_bad_token_wins_over_bad_parameters(client):
    assert_error(client.get(f"{LEADER}/markets/abc/providers?per_page=0"), 401)


# ------------------------------------------------------- configured key material variants


@pytest.fixture(scope="module")
def variant_client(api_settings: Settings, app_dsn: str) -> Iterator[Any]:
    """Build a client for an app with other JWT settings; closes them at module end."""
    opened: list[TestClient[Litestar]] = []

    def make(**overrides: Any) -> TestClient[Litestar]:
        settings = dataclasses.replace(api_settings, **overrides)
        test_client = TestClient(create_app(settings, app_dsn))
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def rs256_client(variant_client, rsa_key, tmp_path_factory):
    pem = tmp_path_factory.mktemp("pem") / "public.pem"
    pem.write_bytes(rsa_key.public_pem)
    return variant_client(
        jwt_secret=None, jwt_public_key=pem, jwt_issuer=ISSUER, jwt_audience=AUDIENCE
    )


def rs256(key: Any, **overrides: Any) -> dict[str, str]:
    payload = claims(iss=ISSUER, aud=AUDIENCE) | overrides
    return bearer(sign(payload, key=key.private, algorithm="RS256"))


def test_rs256_with_pem_public_key_and_issuer_audience(rs256_client, rsa_key):
    assert rs256_client.get(f"{LEADER}/markets/1", headers=rs256(rsa_key)).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [{"aud": "someone-else"}, {"iss": "https://evil.example"}, {"aud": None}, {"iss": None}],
    ids=["wrong aud", "wrong iss", "no aud", "no iss"],
)
def test_wrong_or_missing_issuer_or_audience_is_401(rs256_client, rsa_key, overrides):
    payload = claims(iss=ISSUER, aud=AUDIENCE) | overrides
    payload = {k: v for k, v in payload.items() if v is not None}
    headers = bearer(sign(payload, key=rsa_key.private, algorithm="RS256"))
    for path in ALL_ENDPOINTS:
        assert_error(rs256_client.get(path, headers=headers), 401)


def test_token_signed_by_another_rsa_key_is_401(rs256_client, other_rsa_key):
    assert_error(rs256_client.get(f"{LEADER}/markets", headers=rs256(other_rsa_key)), 401)


def test_algorithm_confusion_hs256_signed_with_the_public_key_is_401(rs256_client, rsa_key):
    payload = claims(iss=ISSUER, aud=AUDIENCE)
    # what an attacker does: HMAC with the public PEM as the secret (pyjwt refuses to help)
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
        for part in (header, payload)
    )
    import hashlib
    import hmac

    mac = hmac.new(rsa_key.public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    for path in ALL_ENDPOINTS:
        body = assert_error(rs256_client.get(path, headers=bearer(token)), 401)
        assert body["message"] == "token algorithm not allowed"


def test_dev_hs256_token_is_refused_when_a_public_key_is_configured(rs256_client):
    hs = bearer(sign(claims(iss=ISSUER, aud=AUDIENCE)))
    assert_error(rs256_client.get(f"{LEADER}/markets", headers=hs), 401)


def test_hs256_and_rs256_together_only_when_listed(variant_client, rsa_key, tmp_path):
    pem = tmp_path / "public.pem"
    pem.write_bytes(rsa_key.public_pem)
    both = variant_client(jwt_public_key=pem, jwt_algorithms=("RS256", "HS256"))
    assert both.get(f"{LEADER}/markets", headers=bearer(sign(claims()))).status_code == 200
    signed = bearer(sign(claims(), key=rsa_key.private, algorithm="RS256"))
    assert both.get(f"{LEADER}/markets", headers=signed).status_code == 200


@pytest.fixture(scope="module")
def jwks_client(variant_client, jwks_file: Path):
    return variant_client(jwt_secret=None, jwt_jwks_file=jwks_file)


def test_jwks_selects_the_key_by_kid(jwks_client, rsa_key, ec_key):
    rsa_token = sign(claims(), key=rsa_key.private, algorithm="RS256", kid="rsa-1")
    ec_token = sign(claims(), key=ec_key.private, algorithm="ES256", kid="ec-1")
    for token in (rsa_token, ec_token):
        assert jwks_client.get(f"{LEADER}/markets/1", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "case", ["unknown kid", "no kid", "kid of another key type", "other key same kid"]
)
def test_jwks_rejects_tokens_not_matching_their_key(jwks_client, rsa_key, other_rsa_key, case):
    token = {
        "unknown kid": lambda: sign(claims(), rsa_key.private, "RS256", kid="nope"),
        "no kid": lambda: sign(claims(), rsa_key.private, "RS256"),
        "kid of another key type": lambda: sign(claims(), rsa_key.private, "RS256", kid="ec-1"),
        "other key same kid": lambda: sign(claims(), other_rsa_key.private, "RS256", kid="rsa-1"),
    }[case]()
    assert_error(jwks_client.get(f"{LEADER}/markets", headers=bearer(token)), 401)


def test_claims_namespace(variant_client):
    namespaced = variant_client(jwt_claims_namespace=NAMESPACE)
    inner = {"market_role": "RDO", "markets": [1], "roles": []}
    good = claims(market_role=None, markets=[]) | {NAMESPACE: inner}
    assert namespaced.get(f"{LEADER}/markets/1", headers=bearer(sign(good))).status_code == 200
    # top-level claims are ignored when a namespace is configured
    top_level = bearer(sign(claims()))
    body = assert_error(namespaced.get(f"{LEADER}/markets/1", headers=top_level), 401)
    assert NAMESPACE in body["message"]
    bad_inner = claims() | {NAMESPACE: {"market_role": "RDO", "markets": "1"}}
    assert_error(namespaced.get(f"{LEADER}/markets/1", headers=bearer(sign(bad_inner))), 401)


def test_configurable_leader_roles(variant_client):
    custom = variant_client(leader_roles=("Chief",))
    assert custom.get(f"{LEADER}/markets", headers=bearer(sign(claims("Chief")))).status_code == 200
    assert_error(custom.get(f"{LEADER}/markets", headers=bearer(sign(claims()))), 403)


# ------------------------------------------------------------------ key settings errors


def test_unusable_key_settings_fail_at_startup(api_settings, tmp_path, rsa_key):
    missing = dataclasses.replace(api_settings, jwt_public_key=tmp_path / "missing.pem")
    with pytest.raises(SettingsError, match="KPI_JWT_PUBLIC_KEY"):
        TokenVerifier(missing)
    not_pem = tmp_path / "bad.pem"
    not_pem.write_text("hello")
    with pytest.raises(SettingsError, match="not a PEM public key"):
        KeyMaterial.from_settings(dataclasses.replace(api_settings, jwt_public_key=not_pem))
    pem = tmp_path / "public.pem"
    pem.write_bytes(rsa_key.public_pem)
    es_with_rsa = dataclasses.replace(api_settings, jwt_public_key=pem, jwt_algorithms=("ES256",))
    with pytest.raises(SettingsError, match="ES256"):
        KeyMaterial.from_settings(es_with_rsa)
    hs_without_secret = dataclasses.replace(
        api_settings, jwt_secret=None, jwt_public_key=pem, jwt_algorithms=("HS256",)
    )
    with pytest.raises(SettingsError, match="HS256"):
        KeyMaterial.from_settings(hs_without_secret)


def test_private_jwk_is_refused(api_settings, tmp_path, rsa_key):
    private = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.private))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [private | {"kid": "k"}]}))
    with pytest.raises(SettingsError, match="private key"):
        KeyMaterial.from_settings(dataclasses.replace(api_settings, jwt_jwks_file=path))


def test_algorithm_settings_are_allow_listed(tmp_path):
    with pytest.raises(SettingsError, match="KPI_JWT_ALGORITHMS"):
        Settings.from_env({"KPI_DATA_DIR": str(tmp_path), "KPI_JWT_ALGORITHMS": "none"})
    parsed = Settings.from_env(
        {
            "KPI_DATA_DIR": str(tmp_path),
            "KPI_JWT_ALGORITHMS": "RS256, ES256",
            "KPI_LEADER_ROLES": "Lead APP,RDO",
            "KPI_DB_POOL_SIZE": "4",
            "KPI_JWT_SECRET": SECRET,
        }
    )
    assert parsed.jwt_algorithms == ("RS256", "ES256")
    assert parsed.leader_roles == ("Lead APP", "RDO")
    assert parsed.db_pool_size == 4
    with pytest.raises(SettingsError, match="KPI_DB_POOL_SIZE"):
        Settings.from_env({"KPI_DATA_DIR": str(tmp_path), "KPI_DB_POOL_SIZE": "zero"})

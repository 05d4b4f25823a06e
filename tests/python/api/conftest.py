"""API test fixtures: a real PostgreSQL (pgserver) in a temp dir, filled with app_data.sql.

The rows are hand-written so every expected response is known exactly. Tokens are minted
here with the keys the app under test is configured with.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from api_support import SECRET, bearer, claims, sign
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from kpi.embedded import conninfo_for_dbname
from kpi.settings import Settings
from sync.audit import ensure_audit

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("api-pg"), cleanup_mode="stop")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def app_dsn(pg_server: Any) -> str:
    admin = pg_server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("drop database if exists api_test with (force)")
        conn.execute("create database api_test")
    dsn = conninfo_for_dbname(admin, "api_test")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute((HERE / "app_data.sql").read_text())
        ensure_audit(conn, ["leader_hub", "fraud"])  # the audit and review tables, as kpi sync
    return dsn


@pytest.fixture(scope="session")
def admin_dsn(pg_server: Any) -> str:
    return pg_server.get_uri()


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    base = Settings.from_env({"KPI_DATA_DIR": str(data_dir)})
    return dataclasses.replace(base, **overrides)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api-data")


@pytest.fixture(scope="session")
def api_settings(data_dir: Path) -> Settings:
    """HS256 with a shared secret: the dev configuration."""
    return make_settings(data_dir, jwt_secret=SECRET)


@pytest.fixture(scope="session")
def app(api_settings: Settings, app_dsn: str) -> Litestar:
    return create_app(api_settings, app_dsn)


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def lead_headers() -> dict[str, str]:
    return bearer(sign(claims()))


@pytest.fixture(scope="session")
def analyst_headers() -> dict[str, str]:
    return bearer(sign(claims(market_role=None, markets=[], roles=["fraud_analyst"])))


@pytest.fixture(scope="session")
def get(client: TestClient[Litestar], lead_headers: dict[str, str]) -> Callable[..., Any]:
    """GET as a lead; returns the httpx response."""

    def fetch(path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return client.get(path, params=params or None, headers=headers or lead_headers)

    return fetch


@pytest.fixture(scope="session")
def fraud_get(client: TestClient[Litestar], analyst_headers: dict[str, str]) -> Callable[..., Any]:
    """GET under /v1/fraud-reports as a fraud analyst; asserts 200, returns the JSON."""

    def fetch(path: str, **params: Any) -> Any:
        response = client.get(
            f"/v1/fraud-reports{path}", params=params or None, headers=analyst_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    return fetch


# ----------------------------------------------------------------------- asymmetric keys


@dataclasses.dataclass(frozen=True)
class KeyPair:
    private: Any
    public_pem: bytes
    kid: str


def _rsa(kid: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(key, pem, kid)


@pytest.fixture(scope="session")
def rsa_key() -> KeyPair:
    return _rsa("rsa-1")


@pytest.fixture(scope="session")
def other_rsa_key() -> KeyPair:
    return _rsa("rsa-2")


@pytest.fixture(scope="session")
def ec_key() -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(key, pem, "ec-1")


@pytest.fixture(scope="session")
def jwks_file(tmp_path_factory: pytest.TempPathFactory, rsa_key: KeyPair, ec_key: KeyPair) -> Path:
    keys = []
    for pair, alg in ((rsa_key, "RS256"), (ec_key, "ES256")):
        algorithm = jwt.get_algorithm_by_name(alg)
        jwk = json.loads(algorithm.to_jwk(pair.private.public_key()))
        jwk.update({"kid": pair.kid, "use": "sig", "alg": alg})
        keys.append(jwk)
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    return path

"""Token helpers for the API tests (importable from the test modules and the conftest)."""

from __future__ import annotations

import time
from typing import Any

import jwt

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
LEAD_MARKETS = [1, 2, 3, 999]
ISSUER = "https://idp.example"
AUDIENCE = "kpi-api"
NAMESPACE = "https://kpi.example/claims"


def sign(
    claims: dict[str, Any], key: Any = SECRET, algorithm: str = "HS256", **headers: Any
) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers or None)


def claims(
    market_role: str | None = "Lead APP",
    markets: Any = None,
    roles: Any = None,
    lifetime: int = 600,
    **extra: Any,
) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {"sub": "user-1", "iat": now, "nbf": now, "exp": now + lifetime}
    if market_role is not None:
        body["market_role"] = market_role
    body["markets"] = LEAD_MARKETS if markets is None else markets
    if roles is not None:
        body["roles"] = roles
    body.update(extra)
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

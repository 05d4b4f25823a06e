"""Dev tokens: the HS256 secret kept in the data folder, and tokens signed with it.

Production tokens come from the identity provider (RS256/ES256, verified with
KPI_JWT_PUBLIC_KEY or KPI_JWT_JWKS_FILE). For the embedded/demo mode the API accepts
HS256 tokens signed with KPI_JWT_SECRET or, when that is unset, with a random secret
generated once into ``<KPI_DATA_DIR>/jwt-dev-secret``; ``kpi token`` mints them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Sequence

import jwt

from kpi.settings import Settings, SettingsError

DEV_SECRET_FILE = "jwt-dev-secret"
DEFAULT_TTL_SECONDS = 8 * 3600


class TokenError(SettingsError):
    """A dev token cannot be minted with these settings or arguments; the message says why."""


def dev_secret(settings: Settings) -> str:
    """KPI_JWT_SECRET, else the dev secret in the data folder (created on first use, 0600)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = settings.data_dir / DEV_SECRET_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise TokenError(f"the dev secret in {path} is too short; delete the file to regenerate")
    return secret


def mint_dev_token(
    settings: Settings,
    role: str,
    markets: Sequence[int],
    fraud: bool,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
) -> str:
    """An HS256 token the API configured by ``settings`` accepts.

    Claims: ``market_role`` = role, ``markets``, ``roles`` = ["fraud_analyst"] when
    ``fraud``; under KPI_JWT_CLAIMS_NAMESPACE when set; ``iss``/``aud`` when configured.
    """
    from api.auth import FRAUD_ANALYST_ROLE, KeyMaterial

    if ttl_seconds <= 0:
        raise TokenError("the token lifetime must be a positive number of seconds")
    if any(type(m) is not int or m < 1 for m in markets):
        raise TokenError("markets must be whole numbers of at least 1")
    keys = KeyMaterial.from_settings(settings)
    if "HS256" not in keys.algorithms or keys.hmac_secret is None:
        raise TokenError(
            "the API does not accept HS256 dev tokens with these settings: set KPI_JWT_SECRET "
            "and include HS256 in KPI_JWT_ALGORITHMS (or unset the public key settings)"
        )
    now = int(time.time())
    claims: dict[str, object] = {"markets": list(markets), "roles": []}
    if role:
        claims["market_role"] = role
    if fraud:
        claims["roles"] = [FRAUD_ANALYST_ROLE]
    payload: dict[str, object] = {"sub": f"dev:{role or 'user'}", "iat": now, "nbf": now}
    payload["exp"] = now + ttl_seconds
    if settings.jwt_issuer:
        payload["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        payload["aud"] = settings.jwt_audience
    if settings.jwt_claims_namespace:
        payload[settings.jwt_claims_namespace] = claims
    else:
        payload.update(claims)
    return jwt.encode(payload, keys.hmac_secret, algorithm="HS256")

"""Bearer tokens (SPEC §10): JWT verification and the dev tokens (the keys: ``api.keys``).

A valid token: signed with an allow-listed algorithm and the key configured for it
(HS* with the shared secret; RS*/PS*/ES* with the PEM public key or the JWKS key named by
``kid``), ``exp`` present and not passed, ``nbf``/``iat`` not in the future, all with
30 s of leeway, ``iss``/``aud`` equal to the configured ones when configured. Claims
come from the ``KPI_JWT_CLAIMS_NAMESPACE`` object when set, else the top level:
``market_role`` (string), ``markets`` (list of market ids), ``roles`` (list of strings).
Malformed claims are a 401 that names the claim. What a verified token may read is
``api.policy``'s business; this module only says who the bearer is (:class:`Principal`).

Production tokens come from the identity provider (RS256/ES256, verified with
KPI_JWT_PUBLIC_KEY, KPI_JWT_JWKS_FILE or KPI_JWT_JWKS_URL; see ``api.keys``). For the
embedded/demo mode the API accepts HS256 tokens signed with KPI_JWT_SECRET or, when that
is unset, with a random secret generated once into ``<KPI_DATA_DIR>/jwt-dev-secret``;
``kpi token`` mints them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jwt

from api.errors import unauthorized
from api.keys import DEV_SECRET_FILE, KeyMaterial, TokenError, dev_secret
from api.params import BIGINT_MAX
from kpi.settings import Settings

__all__ = [
    "DEV_SECRET_FILE",
    "KeyMaterial",
    "Principal",
    "TokenError",
    "TokenVerifier",
    "dev_secret",
    "mint_dev_token",
]

LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 16_384
MAX_TOKEN_MARKETS = 1_000
MAX_TOKEN_ROLES = 100
MAX_CLAIM_STRING = 200
VERIFIED_TOKENS_CACHED = 10_000  # verified tokens remembered per process

DEFAULT_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Principal:
    """What a verified token says about its bearer."""

    subject: str | None
    market_role: str | None
    markets: tuple[int, ...]
    roles: frozenset[str]
    user_id: int | None = None
    """The Station user id (= provider_id) of the user-id claim (SPEC §11), if any."""

    @cached_property
    def markets_array(self) -> str:
        """The markets as the ``any(%(token_markets)s::bigint[])`` parameter: an array literal
        made once per verified token (psycopg adapts a list afresh on every request)."""
        return "{" + ",".join(str(market) for market in self.markets) + "}"


# ------------------------------------------------------------------------ verification


class TokenVerifier:
    """Turns an ``Authorization`` header into a :class:`Principal`, or raises a 401."""

    def __init__(self, settings: Settings) -> None:
        self.keys = KeyMaterial.from_settings(settings)
        self.audience = settings.jwt_audience
        self.issuer = settings.jwt_issuer
        self.namespace = settings.jwt_claims_namespace
        self.user_id_path = tuple(settings.jwt_user_id_claim.split("."))
        # token -> (principal, valid from, valid until, key-set generation it was verified in)
        self._verified: dict[str, tuple[Principal, float, float, int]] = {}

    def principal_from_header(self, header: str | None) -> Principal:
        if not header:
            raise unauthorized("missing bearer token (Authorization: Bearer <JWT>)")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("the Authorization header must be 'Bearer <JWT>'")
        if len(token) > MAX_TOKEN_BYTES:
            raise unauthorized("token too large")
        # A token whose signature and claims were verified before maps to the same
        # principal; only its time window needs checking again (else: verify afresh, which
        # raises the exact 401). Saves the JWT parse + HMAC/RSA on every request.
        # A refreshed key set (KPI_JWT_JWKS_URL) drops every token verified before it.
        keys = self.keys
        if keys.jwks is not None:
            keys.jwks.maybe_refresh()
        known = self._verified.get(token)
        if known is not None:
            principal, valid_from, valid_until, generation = known
            if valid_from <= time.time() < valid_until and generation == keys.generation:
                return principal
            del self._verified[token]
        claims = self.verify(token)
        principal = self.principal_from_claims(claims)
        self._remember(token, claims, principal)
        return principal

    def _remember(self, token: str, claims: dict[str, Any], principal: Principal) -> None:
        """Cache a verified token with the window pyjwt accepts it in (leeway included)."""
        try:
            starts = [float(claims[c]) for c in ("nbf", "iat") if c in claims]
            valid_from = max(starts, default=float("-inf")) - LEEWAY_SECONDS
            valid_until = float(claims["exp"]) + LEEWAY_SECONDS
        except (TypeError, ValueError, KeyError):
            return
        if len(self._verified) >= VERIFIED_TOKENS_CACHED:
            self._verified.clear()
        self._verified[token] = (principal, valid_from, valid_until, self.keys.generation)

    def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthorized("malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.keys.algorithms:
            raise unauthorized("token algorithm not allowed")
        key = self.keys.key_for(algorithm, header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["exp"],
                    "verify_aud": self.audience is not None,
                    "verify_iss": self.issuer is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("token expired") from None
        except jwt.ImmatureSignatureError:
            raise unauthorized("token not valid yet (nbf/iat in the future)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise unauthorized(f"token has no '{exc.claim}' claim") from None
        except jwt.InvalidAudienceError:
            raise unauthorized("token audience (aud) is not accepted") from None
        except jwt.InvalidIssuerError:
            raise unauthorized("token issuer (iss) is not accepted") from None
        except jwt.InvalidSignatureError:
            raise unauthorized("token signature is invalid") from None
        except jwt.PyJWTError:
            raise unauthorized("token is invalid") from None
        if not isinstance(claims, dict):
            raise unauthorized("token is invalid")
        return claims

    def principal_from_claims(self, claims: dict[str, Any]) -> Principal:
        source: Any = claims
        if self.namespace is not None:
            source = claims.get(self.namespace)
            if not isinstance(source, dict):
                raise unauthorized(f"token has no claims object '{self.namespace}'")
        market_role = source.get("market_role")
        if market_role is not None and (
            not isinstance(market_role, str) or len(market_role) > MAX_CLAIM_STRING
        ):
            raise unauthorized("token claim 'market_role' must be a string")
        markets = source.get("markets", [])
        if (
            not isinstance(markets, list)
            or len(markets) > MAX_TOKEN_MARKETS
            or not all(
                type(m) is int and 1 <= m <= BIGINT_MAX  # bool is not a market id
                for m in markets
            )
        ):
            raise unauthorized(
                f"token claim 'markets' must be a list of at most {MAX_TOKEN_MARKETS} "
                "market ids (whole numbers from 1 to 9223372036854775807)"
            )
        roles = source.get("roles", [])
        if (
            not isinstance(roles, list)
            or len(roles) > MAX_TOKEN_ROLES
            or not all(isinstance(r, str) and len(r) <= MAX_CLAIM_STRING for r in roles)
        ):
            raise unauthorized(
                f"token claim 'roles' must be a list of at most {MAX_TOKEN_ROLES} strings"
            )
        subject = claims.get("sub")
        return Principal(
            subject=subject if isinstance(subject, str) else None,
            market_role=market_role,
            markets=tuple(dict.fromkeys(markets)),
            roles=frozenset(roles),
            user_id=user_id_of(source, self.user_id_path),
        )


def user_id_of(source: dict[str, Any], path: tuple[str, ...]) -> int | None:
    """The user-id claim at ``path`` (KPI_JWT_USER_ID_CLAIM): None when absent (or null);
    a whole number from 1 to 2^63 - 1, given as a JSON integer or a string of decimal
    digits (identity providers often send ids as strings); anything else is a 401."""
    value: Any = source
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return None
        value = value[name]
    if value is None:
        return None
    name = ".".join(path)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if type(value) is not int or not 1 <= value <= BIGINT_MAX:  # bool is not an id
        raise unauthorized(
            f"token claim '{name}' must be a user id: a whole number from 1 to {BIGINT_MAX}, "
            "as a number or a string of decimal digits"
        )
    return value


# ------------------------------------------------------------------------ dev tokens


def mint_dev_token(
    settings: Settings,
    role: str,
    markets: Sequence[int],
    fraud: bool,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    user_id: int | None = None,
) -> str:
    """An HS256 token the API configured by ``settings`` accepts.

    Claims: ``market_role`` = role, ``markets``, ``roles`` = ["fraud_analyst"] when
    ``fraud``; ``user_id`` at KPI_JWT_USER_ID_CLAIM when given (the personal hub's
    identity); under KPI_JWT_CLAIMS_NAMESPACE when set; ``iss``/``aud`` when configured.
    """
    from api.policy import FRAUD_ANALYST_ROLE  # the policy imports this module

    if ttl_seconds <= 0:
        raise TokenError("the token lifetime must be a positive number of seconds")
    if any(type(m) is not int or m < 1 for m in markets):
        raise TokenError("markets must be whole numbers of at least 1")
    keys = KeyMaterial.from_settings(settings, fetch=False)
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
    if user_id is not None:
        if type(user_id) is not int or not 1 <= user_id <= BIGINT_MAX:
            raise TokenError(f"the user id must be a whole number from 1 to {BIGINT_MAX}")
        _set_claim(claims, settings.jwt_user_id_claim.split("."), user_id)
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


def _set_claim(claims: dict[str, object], path: list[str], value: object) -> None:
    """Put ``value`` at the dotted claim ``path`` (nested objects created as needed)."""
    target = claims
    for name in path[:-1]:
        nested = target.setdefault(name, {})
        if not isinstance(nested, dict):
            raise TokenError(f"claim {name!r} is not an object")
        target = nested
    target[path[-1]] = value

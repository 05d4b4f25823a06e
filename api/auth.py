"""Who may read what: the access policy of SPEC §10, in one module.

| request                                 | requirement                                 | else |
|-----------------------------------------|---------------------------------------------|------|
| every /v1 endpoint                      | a valid bearer JWT (`authenticated`)        | 401  |
| Leader Hub (/v1/leader-hub-metrics/...) | `market_role` in the leader roles           | 403  |
|   market-scoped (/markets/{market_id})  | `market_id` in the token's `markets`        | 403  |
|   provider-scoped (provider, visits,    | the provider is active in a token market    | 404  |
|   shifts, provider markets)             | (markets_active_providers); then all of its |      |
|                                         | markets are visible                         |      |
|   shift breakdowns                      | one of the shift's providers is visible     | 404  |
| Fraud reports (/v1/fraud-reports/...)   | "fraud_analyst" in the token's `roles`      | 403  |

The first three rows are Litestar guards. The provider rows need the database, so they
are SQL predicates (``PROVIDER_VISIBLE``, ``SHIFT_VISIBLE``) that each endpoint puts in
its single query, with the token's markets as the ``%(token_markets)s`` parameter; a
provider outside the token's markets is indistinguishable from one that does not exist.

A valid token: signed with an allow-listed algorithm and the key configured for it
(HS* with the shared secret; RS*/PS*/ES* with the PEM public key or the JWKS key named by
``kid``), ``exp`` present and not passed, ``nbf``/``iat`` not in the future, all with
30 s of leeway, ``iss``/``aud`` equal to the configured ones when configured. Claims
come from the ``KPI_JWT_CLAIMS_NAMESPACE`` object when set, else the top level:
``market_role`` (string), ``markets`` (list of market ids), ``roles`` (list of strings).
Malformed claims are a 401 that names the claim.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.errors import bad_request, forbidden, unauthorized
from api.params import BIGINT_MAX, describe_invalid, parse_id
from kpi.settings import Settings, SettingsError

FRAUD_ANALYST_ROLE = "fraud_analyst"
LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 16_384
MAX_TOKEN_MARKETS = 1_000
MAX_TOKEN_ROLES = 100
MAX_CLAIM_STRING = 200
VERIFIED_TOKENS_CACHED = 10_000  # verified tokens remembered per process

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_ALGORITHMS = frozenset({"ES256", "ES384", "ES512"})


@dataclass(frozen=True)
class Principal:
    """What a verified token says about its bearer."""

    subject: str | None
    market_role: str | None
    markets: tuple[int, ...]
    roles: frozenset[str]

    @property
    def market_list(self) -> list[int]:
        """The token's markets as a query parameter (``any(%(token_markets)s::bigint[])``)."""
        return list(self.markets)


# --------------------------------------------------------------------------- the guards

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def all_of(*guards: Guard) -> Guard:
    """One guard running ``guards`` in order (the first to raise decides).

    Litestar copies the route handler for every guard it calls; one combined guard per
    router costs one copy per request instead of one per check.
    """

    async def combined(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        for guard in guards:
            await guard(connection, handler)

    combined.__name__ = "_and_".join(g.__name__ for g in guards)
    return combined


async def authenticated(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Every /v1 endpoint: a valid bearer token, else 401."""
    header = connection.headers.get("authorization")
    verifier: TokenVerifier = connection.app.state.token_verifier
    connection.scope["user"] = verifier.principal_from_header(header)


async def leader_role_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Leader Hub endpoints: the token's market_role is a leader role, else 403."""
    principal = principal_of(connection)
    leader_roles: frozenset[str] = connection.app.state.leader_roles
    if principal.market_role not in leader_roles:
        raise forbidden("the Leader Hub needs a leader market role (e.g. Lead APP, RDO)")


async def token_market_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Market-scoped endpoints (a ``market_id`` in the path): the path's market is in the
    token's markets, else 403. Run for every Leader Hub route, so a new market-scoped
    route cannot forget it; a route without ``market_id`` passes.

    Fails closed: a market_id that is not plain digits is a 400 here, so the id checked is
    the id the handler reads.
    """
    if "market_id" not in connection.path_params:
        return
    market_id = parse_id(connection.path_params.get("market_id"))
    if market_id is None:
        raise bad_request("market_id", describe_invalid("market_id"))
    if market_id not in principal_of(connection).markets:
        raise forbidden(f"market {market_id} is not in the token's markets")


async def fraud_analyst_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Fraud report endpoints: 'fraud_analyst' in the token's roles, else 403."""
    if FRAUD_ANALYST_ROLE not in principal_of(connection).roles:
        raise forbidden(f"fraud reports need the '{FRAUD_ANALYST_ROLE}' role")


# Provider-scoped endpoints: bind `%(provider_id)s` and `%(token_markets)s`. A predicate on
# the same statement as the data, so visibility and data come from one snapshot.
PROVIDER_VISIBLE = """exists (
    select 1
    from leader_hub.markets_active_providers as visibility
    where visibility.provider_id = %(provider_id)s
        and visibility.market_id = any(%(token_markets)s::bigint[])
)"""

# Shift breakdowns: bind `%(shift_team_id)s` and `%(token_markets)s`.
SHIFT_VISIBLE = """exists (
    select 1
    from leader_hub.provider_shifts as visible_shift
    inner join leader_hub.markets_active_providers as visibility
        on visibility.provider_id = visible_shift.provider_id
    where visible_shift.shift_team_id = %(shift_team_id)s
        and visibility.market_id = any(%(token_markets)s::bigint[])
)"""


def principal_of(connection: ASGIConnection) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):  # a route without `authenticated`: a bug
        raise RuntimeError("no verified principal on this connection")
    return principal


# ---------------------------------------------------------------------------- the keys


@dataclass(frozen=True)
class JwkEntry:
    key: Any  # RSAPublicKey | EllipticCurvePublicKey
    algorithm: str  # the JWK's "alg", or the one its key type implies
    alg_declared: bool


@dataclass(frozen=True)
class KeyMaterial:
    """The verification keys and the algorithms accepted with them."""

    algorithms: frozenset[str]
    hmac_secret: bytes | None
    public_key: Any | None  # RSAPublicKey | EllipticCurvePublicKey
    jwks: dict[str, JwkEntry]  # kid -> key

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyMaterial:
        """Load the configured keys; a missing or unusable key is a SettingsError."""
        public_key = _load_public_key(settings.jwt_public_key) if settings.jwt_public_key else None
        jwks = _load_jwks(settings.jwt_jwks_file) if settings.jwt_jwks_file else {}
        asymmetric = public_key is not None or bool(jwks)
        secret = settings.jwt_secret
        if secret is None and not asymmetric:
            from api.tokens import dev_secret  # embedded/dev mode: a generated secret

            secret = dev_secret(settings)
        algorithms = set(settings.jwt_algorithms)
        if not algorithms:
            if public_key is not None:
                algorithms |= {"RS256"} if isinstance(public_key, rsa.RSAPublicKey) else {"ES256"}
            for entry in jwks.values():
                algorithms.add(entry.algorithm)
            if not asymmetric:
                algorithms.add("HS256")
        material = cls(
            frozenset(algorithms),
            secret.encode() if secret else None,
            public_key,
            jwks,
        )
        for algorithm in sorted(material.algorithms):
            if not material.has_key_for(algorithm):
                raise SettingsError(
                    f"KPI_JWT_ALGORITHMS lists {algorithm} but no key for it is configured "
                    "(HS*: KPI_JWT_SECRET; RS*/PS*: an RSA key, ES*: an EC key, in "
                    "KPI_JWT_PUBLIC_KEY or KPI_JWT_JWKS_FILE)"
                )
        return material

    def has_key_for(self, algorithm: str) -> bool:
        if algorithm in HMAC_ALGORITHMS:
            return self.hmac_secret is not None
        keys = [self.public_key, *(k.key for k in self.jwks.values())]
        return any(_key_fits(key, algorithm) for key in keys if key is not None)

    def key_for(self, algorithm: str, kid: object) -> Any:
        """The key that must have signed a token with this header, else 401."""
        if algorithm in HMAC_ALGORITHMS:
            if self.hmac_secret is None:
                raise unauthorized("token algorithm not allowed")
            return self.hmac_secret
        if self.jwks:
            if isinstance(kid, str) and kid in self.jwks:
                entry = self.jwks[kid]
            elif kid is None and len(self.jwks) == 1:
                entry = next(iter(self.jwks.values()))
            else:
                raise unauthorized("token key id (kid) is unknown")
            if (entry.alg_declared and entry.algorithm != algorithm) or not _key_fits(
                entry.key, algorithm
            ):
                raise unauthorized("token algorithm does not match its key")
            return entry.key
        if self.public_key is None or not _key_fits(self.public_key, algorithm):
            raise unauthorized("token algorithm does not match the configured key")
        return self.public_key


def _key_fits(key: Any, algorithm: str) -> bool:
    if algorithm in RSA_ALGORITHMS:
        return isinstance(key, rsa.RSAPublicKey)
    if algorithm in EC_ALGORITHMS:
        return isinstance(key, ec.EllipticCurvePublicKey)
    return False


def _load_public_key(path: Path) -> Any:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise SettingsError(f"KPI_JWT_PUBLIC_KEY: cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise SettingsError(f"KPI_JWT_PUBLIC_KEY: {path} is not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise SettingsError(f"KPI_JWT_PUBLIC_KEY: {path} must hold an RSA or EC public key")
    return key


def _load_jwks(path: Path) -> dict[str, JwkEntry]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise SettingsError(f"KPI_JWT_JWKS_FILE: cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise SettingsError(f"KPI_JWT_JWKS_FILE: {path} is not JSON") from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise SettingsError(f'KPI_JWT_JWKS_FILE: {path} must be a JWK set ({{"keys": [...]}})')
    loaded: dict[str, JwkEntry] = {}
    for index, entry in enumerate(keys):
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue  # other key types (oct, OKP) are never accepted
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            raise SettingsError(f"KPI_JWT_JWKS_FILE: key #{index} is unusable: {exc}") from None
        if hasattr(key.key, "private_bytes"):
            raise SettingsError(f"KPI_JWT_JWKS_FILE: key #{index} is a private key")
        declared = entry.get("alg")
        loaded[str(entry.get("kid", f"#{index}"))] = JwkEntry(
            key.key, str(declared or key.algorithm_name), bool(declared)
        )
    if not loaded:
        raise SettingsError(f"KPI_JWT_JWKS_FILE: {path} holds no RSA or EC signing key")
    return loaded


# ------------------------------------------------------------------------ verification


class TokenVerifier:
    """Turns an ``Authorization`` header into a :class:`Principal`, or raises a 401."""

    def __init__(self, settings: Settings) -> None:
        self.keys = KeyMaterial.from_settings(settings)
        self.audience = settings.jwt_audience
        self.issuer = settings.jwt_issuer
        self.namespace = settings.jwt_claims_namespace
        self._verified: dict[str, tuple[Principal, float, float]] = {}

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
        known = self._verified.get(token)
        if known is not None:
            principal, valid_from, valid_until = known
            if valid_from <= time.time() < valid_until:
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
        self._verified[token] = (principal, valid_from, valid_until)

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
        )

"""Bearer tokens (SPEC §10): key loading, JWT verification, and the dev tokens.

A valid token: signed with an allow-listed algorithm and the key configured for it
(HS* with the shared secret; RS*/PS*/ES* with the PEM public key or the JWKS key named by
``kid``), ``exp`` present and not passed, ``nbf``/``iat`` not in the future, all with
30 s of leeway, ``iss``/``aud`` equal to the configured ones when configured. Claims
come from the ``KPI_JWT_CLAIMS_NAMESPACE`` object when set, else the top level:
``market_role`` (string), ``markets`` (list of market ids), ``roles`` (list of strings).
Malformed claims are a 401 that names the claim. What a verified token may read is
``api.policy``'s business; this module only says who the bearer is (:class:`Principal`).

Production tokens come from the identity provider (RS256/ES256, verified with
KPI_JWT_PUBLIC_KEY or KPI_JWT_JWKS_FILE). For the embedded/demo mode the API accepts
HS256 tokens signed with KPI_JWT_SECRET or, when that is unset, with a random secret
generated once into ``<KPI_DATA_DIR>/jwt-dev-secret``; ``kpi token`` mints them.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.errors import unauthorized
from api.params import BIGINT_MAX
from kpi.settings import Settings, SettingsError

LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 16_384
MAX_TOKEN_MARKETS = 1_000
MAX_TOKEN_ROLES = 100
MAX_CLAIM_STRING = 200
VERIFIED_TOKENS_CACHED = 10_000  # verified tokens remembered per process

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_ALGORITHMS = frozenset({"ES256", "ES384", "ES512"})

DEV_SECRET_FILE = "jwt-dev-secret"
DEFAULT_TTL_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Principal:
    """What a verified token says about its bearer."""

    subject: str | None
    market_role: str | None
    markets: tuple[int, ...]
    roles: frozenset[str]

    @cached_property
    def markets_array(self) -> str:
        """The markets as the ``any(%(token_markets)s::bigint[])`` parameter: an array literal
        made once per verified token (psycopg adapts a list afresh on every request)."""
        return "{" + ",".join(str(market) for market in self.markets) + "}"


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
            secret = dev_secret(settings)  # embedded/dev mode: a generated secret
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


# ------------------------------------------------------------------------ dev tokens


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
    from api.policy import FRAUD_ANALYST_ROLE  # the policy imports this module

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

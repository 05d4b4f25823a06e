"""The keys that verify bearer tokens (SPEC §10, §14): where they come from, and rotation.

Exactly one asymmetric source may be configured, plus the HMAC secret:

* ``KPI_JWT_PUBLIC_KEY``: one PEM public key (RSA or EC), read at start-up.
* ``KPI_JWT_JWKS_FILE``: a JWK set on disk, read at start-up (rotation = restart).
* ``KPI_JWT_JWKS_URL``: the identity provider's JWK set (Auth0:
  ``https://<tenant>/.well-known/jwks.json``), fetched and parsed by PyJWT's
  :class:`jwt.PyJWKClient` (maintained; it refuses non-http(s) URLs and redirects). This
  module only decides *when* to fetch (:class:`RemoteJwks`): at start-up (a failure there
  is a SettingsError: the API cannot verify anything), again once ``KPI_JWT_JWKS_TTL_SECONDS``
  have passed, and when a token names an unknown ``kid`` (at most once per
  :data:`UNKNOWN_KID_REFRESH_SECONDS` per process). A failed fetch keeps the last good set
  and is retried after at most :data:`RETRY_SECONDS`. Each change of the set bumps
  :attr:`RemoteJwks.generation`, which drops the verified-token cache of ``api.tokens``: a
  token whose key left the set is refused from the refresh on.

A fetch runs on the request that needs it (one short blocking HTTP call, at most once per
30 s for unknown kids and once per TTL otherwise), so a rotated key is accepted on the first
request that carries it, in every worker process, without a restart.

Without any of these the embedded/demo mode signs and verifies HS256 with the dev secret.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.errors import unauthorized
from kpi.settings import Settings, SettingsError

logger = logging.getLogger("kpi.api.keys")

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
EC_ALGORITHMS = frozenset({"ES256", "ES384", "ES512"})

DEV_SECRET_FILE = "jwt-dev-secret"
UNKNOWN_KID_REFRESH_SECONDS = 30.0  # SPEC §14: an unknown kid refetches at most this often
RETRY_SECONDS = 30.0  # after a failed fetch, the next attempt waits at most this long
FETCH_TIMEOUT_SECONDS = 3.0  # a fetch blocks the request (and its event loop) at most this


class TokenError(SettingsError):
    """A dev token cannot be minted with these settings or arguments; the message says why."""


@dataclass(frozen=True)
class JwkEntry:
    key: Any  # RSAPublicKey | EllipticCurvePublicKey
    algorithm: str  # the JWK's "alg", or the one its key type implies
    alg_declared: bool


def parse_jwks(data: object, source: str) -> dict[str, JwkEntry]:
    """The RSA/EC signing keys of a JWK set (``{"keys": [...]}``) by kid; SettingsError
    naming ``source`` when the set is unusable. oct/OKP keys and ``use != sig`` are skipped;
    a private key is refused (whoever published it leaked it)."""
    keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not keys:
        raise SettingsError(f'{source} must be a JWK set ({{"keys": [...]}})')
    loaded: dict[str, JwkEntry] = {}
    for index, entry in enumerate(keys):
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue  # other key types (oct, OKP) are never accepted
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError as exc:
            raise SettingsError(f"{source}: key #{index} is unusable: {exc}") from None
        if hasattr(key.key, "private_bytes"):
            raise SettingsError(f"{source}: key #{index} is a private key")
        declared = entry.get("alg")
        loaded[str(entry.get("kid", f"#{index}"))] = JwkEntry(
            key.key, str(declared or key.algorithm_name), bool(declared)
        )
    if not loaded:
        raise SettingsError(f"{source} holds no RSA or EC signing key")
    return loaded


@dataclass
class StaticJwks:
    """A JWK set read once (KPI_JWT_JWKS_FILE): never changes while the process runs."""

    entries: dict[str, JwkEntry]
    generation: int = 0

    def lookup(self, kid: str) -> JwkEntry | None:
        return self.entries.get(kid)

    def maybe_refresh(self) -> None:
        """Nothing to refresh: rotation through the file needs a restart."""


@dataclass
class RemoteJwks:
    """The identity provider's JWK set, kept fresh (see the module docstring)."""

    url: str
    ttl_seconds: float
    entries: dict[str, JwkEntry] = field(default_factory=dict)
    generation: int = 0
    fetches: int = 0  # successful fetches, for the tests and /metrics
    failures: int = 0
    _client: Any = None
    _next_refresh: float = 0.0
    _last_unknown_kid_refresh: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        try:
            self._client = jwt.PyJWKClient(
                self.url, cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS
            )
        except jwt.PyJWKClientError as exc:
            raise SettingsError(f"KPI_JWT_JWKS_URL: {exc}") from None

    def start(self) -> RemoteJwks:
        """The first fetch; failing here fails the start-up (no key, no API)."""
        try:
            self._install(self._fetch())
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as exc:
            raise SettingsError(f"KPI_JWT_JWKS_URL: cannot fetch {self.url}: {exc}") from None
        return self

    def _fetch(self) -> dict[str, JwkEntry]:
        return parse_jwks(self._client.fetch_data(), f"KPI_JWT_JWKS_URL ({self.url})")

    def _install(self, entries: dict[str, JwkEntry]) -> None:
        self.fetches += 1
        self._next_refresh = time.monotonic() + self.ttl_seconds
        if _fingerprint(entries) != _fingerprint(self.entries):
            self.entries = entries
            self.generation += 1

    def refresh(self) -> bool:
        """Fetch now; on failure keep the last good set (logged). True when fetched."""
        with self._lock:
            try:
                entries = self._fetch()
            except (jwt.PyJWKClientError, jwt.PyJWKSetError, SettingsError) as exc:
                self.failures += 1
                self._next_refresh = time.monotonic() + min(self.ttl_seconds, RETRY_SECONDS)
                logger.warning("JWKS refresh failed, keeping the last good set: %s", exc)
                return False
            self._install(entries)
            return True

    def maybe_refresh(self) -> None:
        """Refresh when the TTL (or the retry delay after a failure) has passed."""
        if time.monotonic() >= self._next_refresh:
            self.refresh()

    def lookup(self, kid: str) -> JwkEntry | None:
        """The key named ``kid``; an unknown kid refetches the set (rate-limited)."""
        self.maybe_refresh()
        entry = self.entries.get(kid)
        if entry is not None:
            return entry
        now = time.monotonic()
        if now - self._last_unknown_kid_refresh < UNKNOWN_KID_REFRESH_SECONDS:
            return None
        self._last_unknown_kid_refresh = now
        self.refresh()
        return self.entries.get(kid)


def _fingerprint(entries: Mapping[str, JwkEntry]) -> frozenset[tuple[str, str, str]]:
    """What identifies a set: kid, algorithm and the public key's bytes."""
    return frozenset(
        (
            kid,
            entry.algorithm,
            entry.key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ).hex(),
        )
        for kid, entry in entries.items()
    )


Jwks = StaticJwks | RemoteJwks


@dataclass(frozen=True)
class KeyMaterial:
    """The verification keys and the algorithms accepted with them."""

    algorithms: frozenset[str]
    hmac_secret: bytes | None
    public_key: Any | None  # RSAPublicKey | EllipticCurvePublicKey
    jwks: Jwks | None

    @classmethod
    def from_settings(cls, settings: Settings, *, fetch: bool = True) -> KeyMaterial:
        """Load the configured keys; a missing or unusable key is a SettingsError.

        ``fetch=False`` (``kpi token``): do not contact KPI_JWT_JWKS_URL, only the HMAC
        secret matters there."""
        public_key = _load_public_key(settings.jwt_public_key) if settings.jwt_public_key else None
        jwks = _configured_jwks(settings, fetch)
        asymmetric = public_key is not None or jwks is not None
        secret = settings.jwt_secret
        if secret is None and not asymmetric:
            secret = dev_secret(settings)  # embedded/dev mode: a generated secret
        algorithms = set(settings.jwt_algorithms)
        if not algorithms:
            if public_key is not None:
                algorithms |= {"RS256"} if isinstance(public_key, rsa.RSAPublicKey) else {"ES256"}
            for entry in jwks.entries.values() if jwks is not None else ():
                algorithms.add(entry.algorithm)
            if not asymmetric:
                algorithms.add("HS256")
        material = cls(frozenset(algorithms), secret.encode() if secret else None, public_key, jwks)
        for algorithm in sorted(material.algorithms):
            if fetch and not material.has_key_for(algorithm):
                raise SettingsError(
                    f"KPI_JWT_ALGORITHMS lists {algorithm} but no key for it is configured "
                    "(HS*: KPI_JWT_SECRET; RS*/PS*: an RSA key, ES*: an EC key, in "
                    "KPI_JWT_PUBLIC_KEY, KPI_JWT_JWKS_FILE or KPI_JWT_JWKS_URL)"
                )
        return material

    @property
    def generation(self) -> int:
        """Changes whenever the set of keys does (a refreshed JWKS)."""
        return self.jwks.generation if self.jwks is not None else 0

    def has_key_for(self, algorithm: str) -> bool:
        if algorithm in HMAC_ALGORITHMS:
            return self.hmac_secret is not None
        entries = self.jwks.entries.values() if self.jwks is not None else ()
        keys = [self.public_key, *(entry.key for entry in entries)]
        return any(_key_fits(key, algorithm) for key in keys if key is not None)

    def key_for(self, algorithm: str, kid: object) -> Any:
        """The key that must have signed a token with this header, else 401."""
        if algorithm in HMAC_ALGORITHMS:
            if self.hmac_secret is None:
                raise unauthorized("token algorithm not allowed")
            return self.hmac_secret
        if self.jwks is not None:
            entry = self._jwk_for(kid)
            if (entry.alg_declared and entry.algorithm != algorithm) or not _key_fits(
                entry.key, algorithm
            ):
                raise unauthorized("token algorithm does not match its key")
            return entry.key
        if self.public_key is None or not _key_fits(self.public_key, algorithm):
            raise unauthorized("token algorithm does not match the configured key")
        return self.public_key

    def _jwk_for(self, kid: object) -> JwkEntry:
        assert self.jwks is not None
        entry = None
        if isinstance(kid, str) and len(kid) <= 200:
            entry = self.jwks.lookup(kid)
        elif kid is None and len(self.jwks.entries) == 1:
            entry = next(iter(self.jwks.entries.values()))
        if entry is None:
            raise unauthorized("token key id (kid) is unknown")
        return entry


def _configured_jwks(settings: Settings, fetch: bool) -> Jwks | None:
    if settings.jwt_jwks_file is not None:
        return StaticJwks(_load_jwks_file(settings.jwt_jwks_file))
    if settings.jwt_jwks_url is not None:
        remote = RemoteJwks(settings.jwt_jwks_url, float(settings.jwt_jwks_ttl_seconds))
        return remote.start() if fetch else remote
    return None


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


def _load_jwks_file(path: Path) -> dict[str, JwkEntry]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise SettingsError(f"KPI_JWT_JWKS_FILE: cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise SettingsError(f"KPI_JWT_JWKS_FILE: {path} is not JSON") from None
    return parse_jwks(data, f"KPI_JWT_JWKS_FILE: {path}")


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

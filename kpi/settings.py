"""Settings: environment variables, all prefixed ``KPI_`` (SPEC §1), read in one place.

With no connection settings the project runs an embedded PostgreSQL under
``KPI_DATA_DIR`` (default ``<project>/.kpi``) with one database for the warehouse and
one for the app. With ``KPI_WAREHOUSE_DSN`` and ``KPI_APP_DSN`` (libpq URIs) it uses
those servers and starts nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

KNOWN_SETTINGS = frozenset(
    {
        "KPI_WAREHOUSE_DSN",
        "KPI_APP_DSN",
        "KPI_DATA_DIR",
        "KPI_DBT_TARGET",
        "KPI_JWT_SECRET",
        "KPI_JWT_PUBLIC_KEY",
        "KPI_JWT_JWKS_FILE",
        "KPI_JWT_JWKS_URL",
        "KPI_JWT_JWKS_TTL_SECONDS",
        "KPI_METRICS_TOKEN",
        "KPI_APP_API_DSN",
        "KPI_AUDIT_RETENTION_DAYS",
        "KPI_ALERT_WEBHOOK_URL",
        "KPI_STALE_AFTER_HOURS",
        "KPI_JWT_ALGORITHMS",
        "KPI_JWT_AUDIENCE",
        "KPI_JWT_ISSUER",
        "KPI_JWT_CLAIMS_NAMESPACE",
        "KPI_JWT_USER_ID_CLAIM",
        "KPI_LEADER_ROLES",
        "KPI_SYNC_MIN_FRACTION",
        "KPI_DB_POOL_SIZE",
    }
)


class SettingsError(ValueError):
    """A setting is missing, unknown or malformed; the message names it."""


# The read API (SPEC §10). Leader Hub endpoints need one of these market roles.
DEFAULT_LEADER_ROLES = (
    "Lead APP",
    "Lead Advanced Care APP",
    "Lead DHMT",
    "RDO",
    "RMD",
    "Area Manager",
    "Market Manager",
)
# Signature algorithms the API can be configured to accept; never "none".
SUPPORTED_JWT_ALGORITHMS = frozenset(
    {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
     "ES256", "ES384", "ES512"}
)  # fmt: skip
DEFAULT_DB_POOL_SIZE = 10
DEFAULT_USER_ID_CLAIM = "user_id"
DEFAULT_JWKS_TTL_SECONDS = 600
MIN_METRICS_TOKEN_CHARS = 16
DEFAULT_STALE_AFTER_HOURS = 36
DEFAULT_FRAUD_SUPPRESS_DAYS = 90  # a false_positive hides its row this long (SPEC §15)
DEFAULT_AUDIT_RETENTION_DAYS = 2190  # six years (HIPAA's retention of access records)


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    data_dir: Path
    warehouse_dsn: str | None
    app_dsn: str | None
    dbt_target: str | None
    sync_min_fraction: float = 0.5
    # Read API (api/): token verification and the app-database pool.
    jwt_secret: str | None = None
    jwt_public_key: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_jwks_url: str | None = None  # the identity provider's JWK set (SPEC §14)
    jwt_jwks_ttl_seconds: int = DEFAULT_JWKS_TTL_SECONDS
    jwt_algorithms: tuple[str, ...] = ()  # empty: derived from the configured key material
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    jwt_claims_namespace: str | None = None
    # The Station user id (= provider_id) of the bearer (SPEC §11): a claim name, or a
    # dotted path, read under the claims namespace when one is set.
    jwt_user_id_claim: str = DEFAULT_USER_ID_CLAIM
    leader_roles: tuple[str, ...] = DEFAULT_LEADER_ROLES
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    metrics_token: str | None = None  # /metrics only for this bearer token (SPEC §14)
    app_api_dsn: str | None = None  # the API's own role (kpi_api) on the app database
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    alert_webhook_url: str | None = None  # kpi daily's Slack-compatible alerts
    stale_after_hours: int = DEFAULT_STALE_AFTER_HOURS
    fraud_suppress_days: int = DEFAULT_FRAUD_SUPPRESS_DAYS

    @property
    def embedded(self) -> bool:
        return self.warehouse_dsn is None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def synthetic_manifest_path(self) -> Path:
        """Where ``kpi generate`` writes the planted-fraud manifest (what the tests expect)."""
        return self.data_dir / "synthetic-manifest.json"

    @property
    def dbt_target_path(self) -> Path:
        """dbt's artifacts (manifest.json, run_results.json); DBT_TARGET_PATH moves them."""
        configured = os.environ.get("DBT_TARGET_PATH")
        return Path(configured).resolve() if configured else self.project_dir / "target"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        unknown = sorted(
            k
            for k in env
            if k.startswith("KPI_") and not k.startswith("KPI_TEST_") and k not in KNOWN_SETTINGS
        )
        if unknown:
            raise SettingsError(
                f"unknown setting {unknown[0]}; known settings: {', '.join(sorted(KNOWN_SETTINGS))}"
            )
        warehouse = env.get("KPI_WAREHOUSE_DSN") or None
        app = env.get("KPI_APP_DSN") or None
        if (warehouse is None) != (app is None):
            missing = "KPI_APP_DSN" if app is None else "KPI_WAREHOUSE_DSN"
            raise SettingsError(
                f"{missing} is not set: set both KPI_WAREHOUSE_DSN and KPI_APP_DSN, "
                "or neither to use the embedded PostgreSQL"
            )
        for name, value in (("KPI_WAREHOUSE_DSN", warehouse), ("KPI_APP_DSN", app)):
            if value is not None and not value.startswith(("postgresql://", "postgres://")):
                raise SettingsError(f"{name} must be a libpq URI (postgresql://...)")
        data_dir = Path(env.get("KPI_DATA_DIR") or PROJECT_DIR / ".kpi").resolve()
        min_fraction_text = env.get("KPI_SYNC_MIN_FRACTION") or "0.5"
        try:
            min_fraction = float(min_fraction_text)
        except ValueError:
            min_fraction = -1.0
        if not 0 <= min_fraction <= 1:
            raise SettingsError(
                f"KPI_SYNC_MIN_FRACTION must be a number between 0 and 1, got {min_fraction_text!r}"
            )
        return cls(
            project_dir=PROJECT_DIR,
            data_dir=data_dir,
            warehouse_dsn=warehouse,
            app_dsn=app,
            dbt_target=env.get("KPI_DBT_TARGET") or None,
            sync_min_fraction=min_fraction,
            **_api_settings(env),
        )


def _csv(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """The whole-number setting ``name`` in [low, high] (``default`` when unset)."""
    text = env.get(name) or str(default)
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {text!r}")
    return value


def _claim_path(value: str | None) -> str:
    """KPI_JWT_USER_ID_CLAIM: a claim name or a dotted path of names (``ids.station``)."""
    path = (value or "").strip() or DEFAULT_USER_ID_CLAIM
    if any(not part for part in path.split(".")) or len(path) > 200:
        raise SettingsError(
            "KPI_JWT_USER_ID_CLAIM must be a claim name or a dotted path of claim names"
        )
    return path


def _api_settings(env: Mapping[str, str]) -> dict[str, object]:
    """The read API's settings (KPI_JWT_*, KPI_LEADER_ROLES, KPI_DB_POOL_SIZE)."""
    algorithms = _csv(env.get("KPI_JWT_ALGORITHMS"))
    for name in algorithms:
        if name not in SUPPORTED_JWT_ALGORITHMS:
            raise SettingsError(
                f"KPI_JWT_ALGORITHMS: {name!r} is not allowed; choose from "
                f"{', '.join(sorted(SUPPORTED_JWT_ALGORITHMS))}"
            )
    public_key = env.get("KPI_JWT_PUBLIC_KEY") or None
    jwks_file = env.get("KPI_JWT_JWKS_FILE") or None
    jwks_url = env.get("KPI_JWT_JWKS_URL") or None
    names = ("KPI_JWT_PUBLIC_KEY", "KPI_JWT_JWKS_FILE", "KPI_JWT_JWKS_URL")
    key_sources = [n for n, v in zip(names, (public_key, jwks_file, jwks_url), strict=True) if v]
    if len(key_sources) > 1:
        raise SettingsError(f"set only one of {', '.join(key_sources)}")
    if jwks_url is not None and not jwks_url.startswith(("https://", "http://")):
        raise SettingsError("KPI_JWT_JWKS_URL must be an https:// (or http://) URL")
    roles = _csv(env.get("KPI_LEADER_ROLES")) or DEFAULT_LEADER_ROLES
    pool_size = whole_number(env, "KPI_DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE, 1, 200)
    metrics_token = env.get("KPI_METRICS_TOKEN") or None
    if metrics_token is not None and not (
        MIN_METRICS_TOKEN_CHARS <= len(metrics_token) <= 512 and metrics_token.isprintable()
    ):
        raise SettingsError(
            f"KPI_METRICS_TOKEN must be {MIN_METRICS_TOKEN_CHARS} to 512 printable characters"
        )
    api_dsn = env.get("KPI_APP_API_DSN") or None
    if api_dsn is not None and not api_dsn.startswith(("postgresql://", "postgres://")):
        raise SettingsError("KPI_APP_API_DSN must be a libpq URI (postgresql://...)")
    webhook = env.get("KPI_ALERT_WEBHOOK_URL") or None
    if webhook is not None and not webhook.startswith(("https://", "http://")):
        raise SettingsError("KPI_ALERT_WEBHOOK_URL must be an https:// (or http://) URL")
    return {
        "alert_webhook_url": webhook,
        "stale_after_hours": whole_number(
            env, "KPI_STALE_AFTER_HOURS", DEFAULT_STALE_AFTER_HOURS, 1, 8760
        ),
        "fraud_suppress_days": whole_number(
            env, "KPI_FRAUD_SUPPRESS_DAYS", DEFAULT_FRAUD_SUPPRESS_DAYS, 0, 36_500
        ),
        "metrics_token": metrics_token,
        "app_api_dsn": api_dsn,
        "audit_retention_days": whole_number(
            env, "KPI_AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS, 1, 36_500
        ),
        "jwt_secret": env.get("KPI_JWT_SECRET") or None,
        "jwt_public_key": Path(public_key).expanduser().resolve() if public_key else None,
        "jwt_jwks_file": Path(jwks_file).expanduser().resolve() if jwks_file else None,
        "jwt_jwks_url": jwks_url,
        "jwt_jwks_ttl_seconds": whole_number(
            env, "KPI_JWT_JWKS_TTL_SECONDS", DEFAULT_JWKS_TTL_SECONDS, 1, 86_400
        ),
        "jwt_algorithms": algorithms,
        "jwt_audience": env.get("KPI_JWT_AUDIENCE") or None,
        "jwt_issuer": env.get("KPI_JWT_ISSUER") or None,
        "jwt_claims_namespace": env.get("KPI_JWT_CLAIMS_NAMESPACE") or None,
        "jwt_user_id_claim": _claim_path(env.get("KPI_JWT_USER_ID_CLAIM")),
        "leader_roles": roles,
        "db_pool_size": pool_size,
    }

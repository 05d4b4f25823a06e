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
        "KPI_JWT_ALGORITHMS",
        "KPI_JWT_AUDIENCE",
        "KPI_JWT_ISSUER",
        "KPI_JWT_CLAIMS_NAMESPACE",
        "KPI_LEADER_ROLES",
        "KPI_SYNC_MIN_FRACTION",
        "KPI_DB_POOL_SIZE",
    }
)


class SettingsError(ValueError):
    """A setting is missing, unknown or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    data_dir: Path
    warehouse_dsn: str | None
    app_dsn: str | None
    dbt_target: str | None

    @property
    def embedded(self) -> bool:
        return self.warehouse_dsn is None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def dbt_target_path(self) -> Path:
        return self.project_dir / "target"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        unknown = sorted(k for k in env if k.startswith("KPI_") and k not in KNOWN_SETTINGS)
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
        return cls(
            project_dir=PROJECT_DIR,
            data_dir=data_dir,
            warehouse_dsn=warehouse,
            app_dsn=app,
            dbt_target=env.get("KPI_DBT_TARGET") or None,
        )

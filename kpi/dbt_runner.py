"""Running dbt for the configured warehouse.

In embedded or DSN mode a profile is generated under ``<data_dir>/dbt`` from the
warehouse DSN (its password, if any, is passed through an environment variable, never
written to disk). With ``DBT_PROFILES_DIR`` set, the user's own profile is used and
``KPI_DBT_TARGET`` (or ``--target``) picks the target, e.g. ``redshift``.

dbt colours its console lines whether or not anyone is looking; when ``kpi``'s stdout is
a file or a pipe (CI logs, ``kpi daily > day.log``) we ask it for plain text instead.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from psycopg.conninfo import conninfo_to_dict

from kpi.settings import Settings

PROFILE_NAME = "clinical_kpi"
# dbt scrubs DBT_ENV_SECRET_* values from its logs; not a KPI_* setting of ours.
PASSWORD_ENV = "DBT_ENV_SECRET_KPI_WAREHOUSE_PASSWORD"


class DbtError(RuntimeError):
    """dbt could not run, or reported failures."""


def write_profile(settings: Settings, warehouse_dsn: str) -> Path:
    """Write the generated profiles.yml for ``warehouse_dsn``; returns its directory."""
    info = conninfo_to_dict(warehouse_dsn)
    output = {
        "type": "postgres",
        "host": info.get("host") or "localhost",
        "port": int(info.get("port") or 5432),
        "user": info.get("user") or "postgres",
        "password": "{{ env_var('" + PASSWORD_ENV + "', '') }}",
        "dbname": info.get("dbname") or "postgres",
        "schema": "public",
        "threads": 2,
        "connect_timeout": 10,
    }
    if info.get("sslmode"):
        output["sslmode"] = info["sslmode"]
    profile = {PROFILE_NAME: {"target": "local", "outputs": {"local": output}}}
    profiles_dir = settings.data_dir / "dbt"
    profiles_dir.mkdir(parents=True, exist_ok=True)
    path = profiles_dir / "profiles.yml"
    text = yaml.safe_dump(profile, sort_keys=False)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    os.environ[PASSWORD_ENV] = info.get("password") or ""
    return profiles_dir


def dbt_environment(settings: Settings, warehouse_dsn: str | None) -> dict[str, str]:
    """Environment variables under which dbt (and sqlfluff's dbt templater) run."""
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if os.environ.get("DBT_PROFILES_DIR"):
        env["DBT_PROFILES_DIR"] = os.environ["DBT_PROFILES_DIR"]
    elif warehouse_dsn is not None:
        env["DBT_PROFILES_DIR"] = str(write_profile(settings, warehouse_dsn))
    env.setdefault("DBT_LOG_PATH", str(settings.data_dir / "dbt-logs"))
    return env


def _colour_flags() -> list[str]:
    """``--no-use-colors`` unless stdout is a terminal or the user chose (DBT_USE_COLORS)."""
    if os.environ.get("DBT_USE_COLORS") or sys.stdout.isatty():
        return []
    return ["--no-use-colors"]


def _invoke(
    settings: Settings,
    warehouse_dsn: str | None,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None,
    target: str | None,
    manifest: Any = None,
) -> Any:
    """One dbt command in-process (``manifest``: a parsed project to reuse); its result."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(settings, warehouse_dsn))
    full = [*args, "--project-dir", str(settings.project_dir)]
    target = target or settings.dbt_target
    if target:
        full += ["--target", target]
    if vars_:
        full += ["--vars", json.dumps(vars_)]
    full += _colour_flags()
    result = dbtRunner(manifest=manifest).invoke(full)
    if result.exception is not None:
        raise DbtError(f"dbt {args[0]} could not run: {result.exception}")
    return result


def run_dbt(
    settings: Settings,
    warehouse_dsn: str | None,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    target: str | None = None,
    manifest: Any = None,
) -> bool:
    """Run one dbt command in-process; returns True when dbt reports success.

    ``manifest`` (from :func:`parse_project`) skips parsing: ``kpi backfill`` runs one
    command per date with only ``as_of_date`` changed, which dbt would otherwise treat
    as a reason to re-parse the whole project every time (vars change the parse state).
    """
    result = _invoke(settings, warehouse_dsn, args, vars_=vars_, target=target, manifest=manifest)
    return bool(result.success)


def parse_project(
    settings: Settings,
    warehouse_dsn: str | None,
    args: Sequence[str],
    *,
    vars_: dict[str, object] | None = None,
    target: str | None = None,
) -> Any:
    """``dbt parse`` (``args``: extra flags such as ``--target-path``); the manifest."""
    result = _invoke(settings, warehouse_dsn, ["parse", *args], vars_=vars_, target=target)
    if not result.success:
        raise DbtError("dbt parse failed: see the errors above")
    return result.result

"""A warehouse named on the command line: a libpq DSN, or a dbt target of the profile.

``kpi compare`` reads two warehouses. A dbt target name is resolved through the same
``profiles.yml`` dbt builds with (``DBT_PROFILES_DIR``, rendered by dbt's own renderer,
so ``env_var()`` and ``as_number`` mean what they mean to dbt); without one, ``local``
is the generated profile's embedded or configured warehouse.
"""

from __future__ import annotations

import os

from psycopg.conninfo import make_conninfo

from kpi.databases import connections
from kpi.dbt_runner import PROFILE_NAME
from kpi.errors import EXIT_USAGE, CliError
from kpi.settings import Settings

GENERATED_TARGET = "local"
SUPPORTED_TYPES = frozenset({"postgres", "redshift"})


def is_dsn(spec: str) -> bool:
    """A libpq URI (postgresql://...) or key=value string, rather than a target name."""
    return "://" in spec or "=" in spec


def warehouse_dsn(settings: Settings, spec: str) -> str:
    """The DSN of ``spec``: itself when it is one, else the dbt target of that name."""
    if is_dsn(spec):
        return spec
    profiles_dir = os.environ.get("DBT_PROFILES_DIR")
    if not profiles_dir:
        if spec == GENERATED_TARGET:
            return connections(settings).warehouse_dsn
        raise CliError(
            f"no dbt target {spec!r}: without DBT_PROFILES_DIR the only target is"
            f" {GENERATED_TARGET!r}; point DBT_PROFILES_DIR at a profiles.yml that has it,"
            " or give a DSN (postgresql://...)",
            EXIT_USAGE,
        )
    return _target_dsn(profiles_dir, spec)


def _target_dsn(profiles_dir: str, target: str) -> str:
    """Render one output of the project's profile with dbt and turn it into a DSN."""
    from dbt.config.profile import read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context
    from dbt_common.exceptions import DbtBaseException

    set_invocation_context(os.environ)  # dbt's env_var() reads the invocation's env
    try:
        profiles = read_profile(profiles_dir) or {}
    except DbtBaseException as exc:
        reason = str(exc).strip().splitlines()[-1].strip()
        raise CliError(f"cannot read {profiles_dir}/profiles.yml: {reason}", EXIT_USAGE) from None
    outputs = (profiles.get(PROFILE_NAME) or {}).get("outputs") or {}
    if target not in outputs:
        known = ", ".join(sorted(outputs)) or "none"
        raise CliError(
            f"no dbt target {target!r} in profile {PROFILE_NAME!r} of {profiles_dir}"
            f" (targets: {known})",
            EXIT_USAGE,
        )
    try:
        output = ProfileRenderer({}).render_data(outputs[target])
    except DbtBaseException as exc:
        reason = str(exc).strip().splitlines()[-1].strip()
        raise CliError(f"dbt target {target!r}: {reason}", EXIT_USAGE) from None
    if output.get("type") not in SUPPORTED_TYPES or output.get("method") == "iam":
        raise CliError(
            f"dbt target {target!r}: only password logins to postgres or redshift can be"
            " compared; give a DSN instead",
            EXIT_USAGE,
        )
    return make_conninfo(
        host=output.get("host"),
        port=output.get("port"),
        user=output.get("user"),
        password=output.get("password") or None,
        dbname=output.get("dbname") or output.get("database"),
        sslmode=output.get("sslmode"),
        connect_timeout=output.get("connect_timeout") or 10,
    )

"""The dbt project's own facts, read from `dbt_project.yml`: the one source of truth.

Windows and report thresholds are dbt vars (SPEC §5, §7). Python code that needs one of
them (the API's documented limits, the synthetic generator's planted outliers) reads it
here instead of keeping a copy that could drift from what the models compute.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from kpi.settings import PROJECT_DIR

DBT_PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"


@cache
def dbt_vars() -> dict[str, Any]:
    """The `vars:` block of dbt_project.yml (the defaults every build starts from)."""
    with DBT_PROJECT_FILE.open(encoding="utf-8") as f:
        project = yaml.safe_load(f)
    return dict(project.get("vars") or {})


def dbt_var(name: str) -> Any:
    """One dbt var's default; a KeyError names a var the project does not define."""
    values = dbt_vars()
    if name not in values:
        raise KeyError(f"dbt var {name!r} is not defined in {DBT_PROJECT_FILE.name}")
    return values[name]

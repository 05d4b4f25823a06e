"""The Redshift gate over a compiled dbt project: inlined ephemerals, expanded views, counts.

A five-model project compiled for the Redshift target exactly as the gate compiles this
one (offline, dummy credentials), so what is checked is what dbt really generates.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from kpi.gates.redshift_project import Scan, compile_for_redshift, scan_manifest
from kpi.settings import PROJECT_DIR

FILES = {
    "dbt_project.yml": (
        "name: gate_fixture\nversion: '1.0.0'\nconfig-version: 2\nprofile: clinical_kpi\n"
        "models:\n  gate_fixture:\n    +materialized: table\n"
    ),
    # Ephemeral with its own WITH: fine alone, a nested WITH once dbt inlines it.
    "models/ephemeral_rows.sql": (
        "{{ config(materialized='ephemeral') }}\n"
        "with source_rows as (select 1 as a, 2 as b)\nselect a, b from source_rows\n"
    ),
    "models/reads_ephemeral.sql": "select a, b from {{ ref('ephemeral_rows') }}\n",
    "models/base_rows.sql": "select 1 as a, 2 as b\n",
    "models/median_a.sql": (
        "{{ config(materialized='view') }}\n"
        "select median(a) as median_a from {{ ref('base_rows') }}\n"
    ),
    # Reads the view: Redshift expands it, so median(a) and median(b) meet in one statement.
    "models/medians_mixed.sql": (
        "select median(b) as median_b, max(median_a.median_a) as median_a\n"
        "from {{ ref('base_rows') }} as base_rows\ncross join {{ ref('median_a') }} as median_a\n"
    ),
    "models/medians_same.sql": (
        "select median(a) as median_a, max(median_a.median_a) as view_median\n"
        "from {{ ref('base_rows') }} as base_rows\ncross join {{ ref('median_a') }} as median_a\n"
    ),
    "models/schema.yml": (
        "version: 2\nmodels:\n  - name: base_rows\n    columns:\n      - name: a\n"
        "        data_tests: [not_null]\n"
        # a contract's types become Redshift DDL: bare varchar is varchar(256) there
        "  - name: medians_same\n    config: {contract: {enforced: true}}\n    columns:\n"
        "      - {name: median_a, data_type: 'numeric(18, 4)'}\n"
        "      - {name: view_median, data_type: varchar}\n"
    ),
    "tests/assert_base_rows_have_a.sql": "select * from {{ ref('base_rows') }} where a is null\n",
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    project = tmp_path_factory.mktemp("gate_fixture")
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    shutil.copy(PROJECT_DIR / "profiles.example.yml", project / "profiles.example.yml")
    return compile_for_redshift(project, project / ".gate"), project


@pytest.fixture(scope="module")
def scan(compiled: tuple[dict[str, Any], Path]) -> Scan:
    return scan_manifest(*compiled)


def rules_at(scan: Scan, model: str) -> set[str]:
    return {f.rule for f in scan.findings if str(f.path) == f"models/{model}.sql"}


def test_ephemeral_model_is_checked_where_dbt_inlines_it(scan: Scan) -> None:
    assert rules_at(scan, "reads_ephemeral") == {"statement.nested-with"}
    assert rules_at(scan, "ephemeral_rows") == set()


def test_sort_order_rule_sees_through_views(scan: Scan) -> None:
    assert rules_at(scan, "medians_mixed") == {"sort-order.mismatch"}
    assert rules_at(scan, "medians_same") == set()
    assert rules_at(scan, "median_a") == set()


def test_contract_types_are_checked_as_ddl(scan: Scan) -> None:
    ddl = [f for f in scan.findings if str(f.path) == "models/schema.yml"]
    assert [(f.line, f.rule) for f in ddl] == [(11, "type.needs-length")]
    assert "view_median" in ddl[0].detail


def test_every_compiled_node_is_scanned_and_counted(scan: Scan) -> None:
    assert scan.expected == scan.total == 8
    assert scan.scanned == {
        "model (ephemeral)": 1,
        "model (table)": 4,
        "model (view)": 1,
        "generic test": 1,
        "singular test": 1,
    }


def test_a_node_left_uncompiled_shows_in_the_counts(compiled: tuple[dict[str, Any], Path]) -> None:
    manifest, project = compiled
    manifest = copy.deepcopy(manifest)
    test_node = next(n for n in manifest["nodes"].values() if n["resource_type"] == "test")
    test_node["compiled_code"] = None
    scan = scan_manifest(manifest, project)
    assert (scan.total, scan.expected) == (7, 8)

"""The Redshift gate over the dbt project: every node dbt compiles for the Redshift target.

dbt compiles offline (``--no-populate-cache``, dummy credentials, no connection). The gate
reads the manifest, not the compiled folder, so it knows what each statement is, checks
every model, snapshot, analysis and data test (singular, generic, and generic tests on
seeds), and fails when it scanned fewer statements than the manifest holds. An ephemeral
model is checked where Redshift sees it: inlined as a CTE in the compiled code of every
node that refs it. Unit tests are counted but not compiled by ``dbt compile`` (they need the
warehouse's column types); their SQL is the model's, which is scanned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp
from sqlglot.errors import ParseError

from kpi.gates.redshift_rules import Finding, check_statements, sort_order_finding, type_problems

SCANNED_TYPES = frozenset({"model", "test", "snapshot", "analysis"})
# Models Redshift expands into the statement that reads them (ephemeral ones dbt inlines).
EXPANDED = frozenset({"view", "ephemeral"})

Node = dict[str, Any]


class GateError(Exception):
    """The project could not be compiled for Redshift (a message for the user)."""


@dataclass
class Scan:
    """What the gate checked and found."""

    findings: list[Finding] = field(default_factory=list)
    scanned: Counter[str] = field(default_factory=Counter)
    expected: int = 0
    unit_tests: int = 0

    @property
    def total(self) -> int:
        """Statements parsed and checked."""
        return sum(self.scanned.values())


# The profile's redshift target reads these; no connection is ever opened.
OFFLINE_CREDENTIALS = {
    "KPI_REDSHIFT_HOST": "redshift.invalid",
    "KPI_REDSHIFT_USER": "offline",
    "KPI_REDSHIFT_PASSWORD": "offline",
    "KPI_REDSHIFT_DBNAME": "offline",
}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for dbt's ``env_var()``, restoring them afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def compile_for_redshift(project_dir: Path, work: Path) -> dict[str, Any]:
    """``dbt compile --target redshift`` offline into ``work``; the manifest it wrote.

    ``work`` persists between runs so dbt's partial parsing can skip unchanged files.
    """
    from dbt.cli.main import dbtRunner

    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(project_dir / "profiles.example.yml", work / "profiles.yml")
    command = ["compile", "--target", "redshift", "--no-populate-cache", "--quiet"]
    command += ["--project-dir", str(project_dir), "--profiles-dir", str(work)]
    command += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    with _environment({**OFFLINE_CREDENTIALS, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
        result = dbtRunner().invoke(command)
    if not result.success:
        raise GateError(f"dbt compile for Redshift failed: {result.exception}")
    manifest: dict[str, Any] = json.loads((work / "target" / "manifest.json").read_text())
    return manifest


def node_kind(node: Node) -> str:
    """How the report counts a node: ``model (view)``, ``generic test on a seed`` ..."""
    kind = node["resource_type"]
    if kind == "model":
        return f"model ({node['config']['materialized']})"
    if kind != "test":
        return kind
    if not node.get("test_metadata"):
        return "singular test"
    attached = node.get("attached_node") or ""
    return "generic test on a seed" if attached.startswith("seed.") else "generic test"


def compiled_label(node: Node) -> str:
    """The node's file under target/compiled/<package>/ (generic tests: yml/test.sql)."""
    source = node["original_file_path"]
    if node["resource_type"] == "test" and node.get("test_metadata"):
        return f"{source}/{node['path']}"
    return str(source)


def _expanded_keys(uid: str, nodes: dict[str, Node], own: dict[str, set[str]]) -> set[str]:
    """Sort keys of a statement plus those of every view it reads, transitively."""
    keys: set[str] = set(own.get(uid, ()))
    seen, stack = {uid}, [uid]
    while stack:
        for parent in nodes[stack.pop()]["depends_on"]["nodes"]:
            node = nodes.get(parent)
            if parent in seen or node is None or node["resource_type"] != "model":
                continue
            if node["config"]["materialized"] in EXPANDED:
                seen.add(parent)
                stack.append(parent)
                keys |= own.get(parent, set())
    return keys


def _line_in(path: Path, *needles: str) -> int:
    """Line of the last needle, searched in order (a model's name, then its column)."""
    if not path.is_file():
        return 1
    lines, line = path.read_text().splitlines(), 0
    for needle in needles:
        pattern = re.compile(rf"\b{re.escape(needle)}\b")
        found = next((i for i in range(line, len(lines)) if pattern.search(lines[i])), None)
        line = found if found is not None else line
    return line + 1


def _declared_types(node: Node, project_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(where, column, type) of a contract's data_type or a seed's column_types."""
    if node["resource_type"] == "seed":
        for column, data_type in (node["config"].get("column_types") or {}).items():
            yield node.get("patch_path") or "dbt_project.yml", column, data_type
    elif node["resource_type"] == "model" and node["config"]["contract"]["enforced"]:
        for column in node["columns"].values():
            if column.get("data_type"):
                yield node.get("patch_path") or "", column["name"], column["data_type"]


def ddl_type_findings(nodes: dict[str, Node], project_dir: Path) -> list[Finding]:
    """The types dbt writes into Redshift DDL: contracts' data_type, seeds' column_types."""
    findings = []
    for node in nodes.values():
        for where, column, data_type in _declared_types(node, project_dir):
            path = where.split("://", 1)[-1]
            line = _line_in(project_dir / path, node["name"], column)
            try:
                parsed = exp.DataType.build(data_type, dialect="redshift")
            except (ParseError, ValueError) as error:
                findings.append(Finding(path, line, "parse", f"{column}: {error}"))
                continue
            for hit in type_problems(parsed):
                findings.append(Finding(path, line, hit.rule, f"{column}: {hit.detail}"))
    return findings


def scan_manifest(manifest: dict[str, Any], project_dir: Path) -> Scan:
    """Check every compiled node of the manifest, views expanded for the sort-order rule."""
    nodes: dict[str, Node] = manifest["nodes"]
    wanted = sorted(uid for uid, node in nodes.items() if node["resource_type"] in SCANNED_TYPES)
    scan = Scan(expected=len(wanted), unit_tests=len(manifest.get("unit_tests", {})))
    own_keys: dict[str, set[str]] = {}
    for uid in wanted:
        code = nodes[uid].get("compiled_code")
        if code is None:
            continue
        findings, statements = check_statements(compiled_label(nodes[uid]), code)
        own_keys[uid] = set().union(*(keys for _, keys in statements))
        scan.findings += findings
        scan.scanned[node_kind(nodes[uid])] += 1
    for uid in own_keys:
        keys = _expanded_keys(uid, nodes, own_keys)
        scan.findings += sort_order_finding(compiled_label(nodes[uid]), 1, keys)
    scan.findings += ddl_type_findings(nodes, project_dir)
    return scan

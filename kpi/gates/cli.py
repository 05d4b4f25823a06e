"""``python -m kpi.gates redshift [--sql FILE...]``: the gates' command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kpi.gates.redshift_project import GateError, Scan, compile_for_redshift, scan_manifest
from kpi.gates.redshift_rules import Finding, check_sql, with_link
from kpi.settings import PROJECT_DIR


def _parser() -> argparse.ArgumentParser:
    """``redshift [--sql FILE...]``; argparse answers bad arguments with usage and exit 2."""
    parser = argparse.ArgumentParser(prog="python -m kpi.gates", description=__doc__)
    gates = parser.add_subparsers(dest="gate", required=True)
    redshift = gates.add_parser(
        "redshift",
        help="check the project's SQL, as compiled for Redshift, against what Redshift accepts",
    )
    redshift.add_argument(
        "--sql",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="check these SQL files instead of compiling the project",
    )
    return parser


def _report(findings: list[Finding]) -> None:
    """One line per violation on stdout, with its rule's developer-guide page."""
    for finding in findings:
        print(with_link(finding))


def check_files(paths: list[Path]) -> int:
    """Check plain SQL files: 0 when clean, 1 with one line per violation, 2 if unreadable."""
    findings: list[Finding] = []
    for path in paths:
        try:
            sql = path.read_text()
        except (OSError, UnicodeDecodeError) as error:
            print(f"redshift gate: cannot read {path}: {error.strerror or error}", file=sys.stderr)
            return 2
        findings += check_sql(path, sql)
    _report(findings)
    print(f"redshift gate: {len(findings)} violation(s) in {len(paths)} file(s)", file=sys.stderr)
    return 1 if findings else 0


def _counts(scan: Scan) -> str:
    """What was scanned against what the manifest holds, by kind of node."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(scan.scanned.items()))
    return (
        f"{scan.total} of the manifest's {scan.expected} compiled statements ({kinds}); "
        f"{scan.unit_tests} unit tests not compiled by dbt compile"
    )


def check_project(project_dir: Path = PROJECT_DIR) -> int:
    """Compile the project for Redshift and check every compiled node."""
    started = time.perf_counter()
    try:
        manifest = compile_for_redshift(project_dir, project_dir / ".kpi" / "redshift-gate")
    except GateError as error:
        print(f"redshift gate: {error}", file=sys.stderr)
        return 1
    compiled = time.perf_counter()
    scan = scan_manifest(manifest, project_dir)
    _report(scan.findings)
    checked = time.perf_counter()
    seconds = f"{checked - started:.0f} s (dbt compile {compiled - started:.0f} s)"
    summary = f"{_counts(scan)}; {seconds}"
    if scan.total != scan.expected:
        print(f"redshift gate: FAILED, scanned {summary}")
        return 1
    if scan.findings:
        print(f"redshift gate: FAILED, {len(scan.findings)} violation(s) in {summary}")
        return 1
    print(f"redshift gate: ok, {summary}")
    return 0


def main(argv: list[str]) -> int:
    """Run the gate named by ``argv``; its exit status."""
    args = _parser().parse_args(argv)
    if args.sql:
        return check_files(args.sql)
    return check_project()

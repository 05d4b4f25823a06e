"""Quality gates run by ``make test`` (SPEC §8), callable as ``python -m kpi.gates NAME``.

- ``redshift``: every model compiled for the Redshift target offline
  (``--no-populate-cache``, dummy credentials, no connection), then each compiled
  statement is (1) scanned for constructs Redshift rejects and (2) parsed by sqlfluff's
  redshift dialect. sqlfluff alone is not enough: it accepts much Postgres-only SQL.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kpi.settings import PROJECT_DIR

# (name, pattern) — each a construct Redshift rejects or treats differently.
FORBIDDEN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE | re.DOTALL))
    for name, pattern in (
        ("DISTINCT ON", r"\bdistinct\s+on\s*\("),
        ("aggregate FILTER (WHERE ...)", r"\bfilter\s*\(\s*where\b"),
        ("generate_series", r"\bgenerate_series\s*\("),
        ("json/jsonb", r"\bjsonb?\b|->>|#>>|\bjsonb?_\w+\s*\(|\bto_jsonb?\s*\("),
        ("arrays", r"\barray\s*[\[(]|\barray_agg\s*\(|\bunnest\s*\(|\[\s*\]|\bany\s*\(\s*array"),
        ("LATERAL", r"\blateral\b"),
        ("string_agg", r"\bstring_agg\s*\("),
        ("make_interval (Postgres only)", r"\bmake_interval\s*\("),
        ("regexp flags argument", r"\bregexp_replace\s*\([^;]*?,\s*'[gimsx]+'\s*\)"),
        ("ordered-set aggregate as a window", r"\bwithin\s+group\s*\([^()]*\)\s*over\b"),
        ("percentile_cont (use the median macro)", r"\bpercentile_cont\s*\("),
        ("generate_subscripts / range types", r"\b(generate_subscripts|tsrange|daterange)\b"),
        ("FULL JOIN ... USING with NATURAL", r"\bnatural\s+join\b"),
    )
)

WINDOW_AGGREGATES = re.compile(
    r"\b(sum|avg|count|min|max|stddev|stddev_samp|stddev_pop|variance|var_samp|var_pop"
    r"|bool_or|bool_and|listagg|median|first_value|last_value|nth_value)\s*\(",
    re.IGNORECASE,
)
SORTED_AGGREGATES = re.compile(r"\b(median|percentile_cont|percentile_disc|listagg)\s*\(", re.I)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


def _strip_comments_and_strings(sql: str) -> str:
    """Blank out comments and string literals, keeping offsets (for line numbers)."""
    out = list(sql)
    i, n = 0, len(sql)
    while i < n:
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j == -1 else j
            out[i:j] = " " * (j - i)
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j == -1 else j + 2
            out[i:j] = [c if c == "\n" else " " for c in sql[i:j]]
            i = j
        elif sql[i] == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                elif sql[j] == "'":
                    break
                else:
                    j += 1
            # keep the quotes so "'g'" flags stay detectable, blank the content
            content = sql[i + 1 : j]
            if not re.fullmatch(r"[gimsx]+", content):
                out[i + 1 : j] = [c if c == "\n" else " " for c in content]
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _balanced(sql: str, open_at: int) -> int:
    """Index just past the parenthesis closing the one at ``open_at``."""
    depth = 0
    for k in range(open_at, len(sql)):
        if sql[k] == "(":
            depth += 1
        elif sql[k] == ")":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(sql)


def _window_frames(sql: str) -> Iterator[tuple[int, str]]:
    """Window aggregates with ORDER BY but no ROWS frame: (offset, function)."""
    for match in WINDOW_AGGREGATES.finditer(sql):
        args_end = _balanced(sql, match.end() - 1)
        over = re.match(r"\s*over\s*\(", sql[args_end:], re.IGNORECASE)
        if not over:
            continue
        window_open = args_end + over.end() - 1
        window = sql[window_open : _balanced(sql, window_open)].lower()
        if re.search(r"\border\s+by\b", window) and not re.search(r"\b(rows|range)\b", window):
            yield match.start(), match.group(1).lower()


def _sorted_aggregate_orders(sql: str) -> set[str]:
    """The distinct ordering expressions of median/percentile/listagg calls in a statement."""
    orders = set()
    for match in SORTED_AGGREGATES.finditer(sql):
        end = _balanced(sql, match.end() - 1)
        argument = sql[match.end() : end - 1]
        within = re.match(r"\s*within\s+group\s*\(", sql[end:], re.IGNORECASE)
        if within:
            group_open = end + within.end() - 1
            argument = sql[group_open + 1 : _balanced(sql, group_open) - 1]
            argument = re.sub(r"^\s*order\s+by\s+", "", argument, flags=re.IGNORECASE)
        orders.add(re.sub(r"\s+", " ", argument.strip().lower()))
    return orders


def scan_redshift(path: Path, sql: str) -> list[Finding]:
    """Constructs in one compiled statement that Redshift rejects."""
    clean = _strip_comments_and_strings(sql)

    def line_of(offset: int) -> int:
        return clean.count("\n", 0, offset) + 1

    findings = [
        Finding(path, line_of(m.start()), f"{name} is not valid on Redshift")
        for name, pattern in FORBIDDEN
        for m in pattern.finditer(clean)
    ]
    findings += [
        Finding(
            path, line_of(offset), f"window {fn}() with ORDER BY needs a ROWS frame on Redshift"
        )
        for offset, fn in _window_frames(clean)
    ]
    orders = _sorted_aggregate_orders(clean)
    if len(orders) > 1:
        findings.append(
            Finding(
                path,
                1,
                "Redshift allows median/percentile/listagg in one statement only when all order "
                f"by the same expression; found {len(orders)}: {sorted(orders)}",
            )
        )
    return findings


def parse_redshift(path: Path, sql: str) -> list[Finding]:
    import sqlfluff
    from sqlfluff.api.simple import APIParsingError

    try:
        sqlfluff.parse(sql, dialect="redshift")
    except APIParsingError as exc:
        first = exc.violations[0] if exc.violations else None
        line = first.line_no if first is not None else 1
        desc = first.desc() if first is not None else str(exc)
        return [Finding(path, line, f"sqlfluff redshift dialect cannot parse: {desc}")]
    return []


def _redshift_profile(tmp: Path) -> dict[str, str]:
    shutil.copy(PROJECT_DIR / "profiles.example.yml", tmp / "profiles.yml")
    return {
        "DBT_PROFILES_DIR": str(tmp),
        "DBT_TARGET_PATH": str(tmp / "target"),
        "DBT_LOG_PATH": str(tmp / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "KPI_REDSHIFT_HOST": "redshift.invalid",
        "KPI_REDSHIFT_USER": "offline",
        "KPI_REDSHIFT_PASSWORD": "offline",
        "KPI_REDSHIFT_DBNAME": "offline",
    }


def redshift_gate() -> int:
    from dbt.cli.main import dbtRunner

    with tempfile.TemporaryDirectory(prefix="kpi-redshift-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ.update(_redshift_profile(tmp))
        result = dbtRunner().invoke(
            [
                "compile",
                "--target",
                "redshift",
                "--no-populate-cache",
                "--project-dir",
                str(PROJECT_DIR),
                "--quiet",
            ]
        )
        if not result.success:
            print(f"redshift gate: dbt compile for Redshift failed: {result.exception}")
            return 1
        compiled = sorted((tmp / "target" / "compiled").rglob("*.sql"))
        model_files = [p for p in compiled if "/models/" in p.as_posix()]
        findings: list[Finding] = []
        for path in model_files:
            sql = path.read_text()
            rel = path.relative_to(tmp / "target" / "compiled")
            findings += scan_redshift(rel, sql)
            findings += parse_redshift(rel, sql)
    for finding in findings:
        print(f"redshift gate: {finding}")
    if findings:
        print(
            f"redshift gate: FAILED, {len(findings)} problem(s) in"
            f" {len(model_files)} compiled statements"
        )
        return 1
    print(
        f"redshift gate: ok, {len(model_files)} compiled statements"
        " (models and their data tests) valid for Redshift"
    )
    return 0


def main(argv: list[str]) -> int:
    gates = {"redshift": redshift_gate}
    if len(argv) != 1 or argv[0] not in gates:
        print(f"usage: python -m kpi.gates {{{'|'.join(gates)}}}", file=sys.stderr)
        return 2
    return gates[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The Redshift gate's rules over SQL parsed by sqlglot (used as a parser only).

sqlglot's redshift dialect accepts much that Redshift refuses (and rewrites what it reads:
``now()`` becomes ``CurrentTimestamp``), so every rule here reads the syntax tree plus the
name written in the source, and decides against the allow-lists of ``redshift_catalog``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from kpi.gates import redshift_catalog as catalog


@dataclass(frozen=True)
class Finding:
    """One violation: where, which rule, and what was found."""

    path: Path | str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class Hit:
    """A rule broken by one node of a statement (before its file is known)."""

    node: exp.Expression
    rule: str
    detail: str


# Expressions sqlglot models as functions that are syntax, not calls (CASE, AND, CAST ...).
NOT_CALLS = (exp.Connector, exp.If, exp.Case, exp.Cast, exp.Not, exp.Paren)


def line_of(node: exp.Expression) -> int:
    """The source line of ``node``: its own position, else the nearest positioned relative.

    sqlglot records positions on names (columns, functions), not on every node: a cast's
    type takes the line of the cast's column, a window the line of its function.
    """
    scope: exp.Expression | None = node
    while scope is not None:
        for candidate in scope.walk():
            if "line" in candidate.meta:
                return int(candidate.meta["line"])
        scope = scope.parent
    return 1


def written_name(node: exp.Func, sql: str) -> str:
    """The function name as written (sqlglot normalizes ``now``/``substr`` away)."""
    meta = node.meta
    if "start" in meta and "end" in meta:
        return sql[meta["start"] : meta["end"] + 1].strip('"').lower()
    return node.sql("redshift").split("(")[0].strip().lower()


# Tokens before "(" that are not calls: a type's length, a table's column list, a
# WITHIN GROUP, an alias's column list (``as v(a, b)``).
NOT_CALL_BEFORE = {TokenType.ALIAS, TokenType.DCOLON, TokenType.DOT, TokenType.TABLE}
NOT_CALL_BEFORE |= {TokenType.INTO, TokenType.VIEW}
# Functions Redshift spells without parentheses, as their own keywords.
KEYWORD_CALLS = {TokenType.CURRENT_TIMESTAMP, TokenType.CURRENT_TIME, TokenType.LOCALTIME}
BANNED = catalog.LEADER_NODE_ONLY.keys() | catalog.UNSUPPORTED_POSTGRES.keys()


def _closes_at(tokens: list[Token], open_at: int) -> int:
    """Index of the ")" matching the "(" at ``open_at``."""
    depth = 0
    for index in range(open_at, len(tokens)):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tokens[index].token_type, 0)
        if depth == 0:
            return index
    return len(tokens) - 1


def _is_call(tokens: list[Token], index: int) -> bool:
    """Whether the word at ``index`` is a function call as written."""
    token = tokens[index]
    name = token.text.lower()
    before = tokens[index - 1] if index > 0 else None
    if before is not None and before.token_type in NOT_CALL_BEFORE:
        return False
    if token.token_type in KEYWORD_CALLS:
        return True
    if index + 1 >= len(tokens) or tokens[index + 1].token_type != TokenType.L_PAREN:
        return False
    if token.token_type != TokenType.VAR:
        return name in catalog.FUNCTIONS or name in BANNED
    previous = before.text.lower() if before is not None else ""
    if name == "values" or (name, previous) in {("group", "within"), ("materialized", "not")}:
        return False
    after = _closes_at(tokens, index + 1) + 1
    # ``with name (a, b) as (...)``: a CTE's column list, not a call
    return not (
        after + 1 < len(tokens)
        and tokens[after].token_type == TokenType.ALIAS
        and tokens[after + 1].text.lower() in {"(", "materialized", "not"}
    )


def _arguments(tokens: list[Token], open_at: int) -> list[list[Token]]:
    """The tokens of each argument of the call whose "(" is at ``open_at``."""
    arguments: list[list[Token]] = [[]]
    depth = 0
    for token in tokens[open_at + 1 : _closes_at(tokens, open_at)]:
        kind = token.token_type
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(kind, 0)
        if kind == TokenType.COMMA and depth == 0:
            arguments.append([])
        else:
            arguments[-1].append(token)
    return arguments


def function_calls(sql: str) -> Iterator[tuple[str, int, list[list[Token]]]]:
    """(name as written, line, arguments' tokens) of every function call in ``sql``."""
    tokens = Dialect.get_or_raise("redshift").tokenize(sql)
    for index, token in enumerate(tokens):
        if _is_call(tokens, index):
            called = index + 1 < len(tokens) and tokens[index + 1].token_type == TokenType.L_PAREN
            arguments = _arguments(tokens, index + 1) if called else []
            yield token.text.lower(), token.line, arguments


def _argument_problem(name: str, arguments: list[list[Token]]) -> str | None:
    """A PostgreSQL-style flags argument where Redshift expects a position."""
    at = catalog.POSITION_ARGUMENT.get(name)
    if at is None or len(arguments) <= at:
        return None
    argument = arguments[at]
    if len(argument) == 1 and argument[0].token_type == TokenType.STRING:
        return (
            f"{name}'s argument {at + 1} is a position on Redshift, not flags"
            f" ('{argument[0].text}'); regexp_replace always replaces every match"
        )
    return None


def function_findings(path: Path | str, sql: str) -> Iterator[Finding]:
    """Calls of functions that are banned or not on the allow-list, by their written name."""
    for name, line, arguments in function_calls(sql):
        if name in catalog.LEADER_NODE_ONLY:
            detail = f"{name} runs on the leader node only"
            yield Finding(path, line, "function.leader-node-only", detail)
        elif name in catalog.UNSUPPORTED_POSTGRES:
            detail = f"{name}() is PostgreSQL only; use {catalog.UNSUPPORTED_POSTGRES[name]}"
            yield Finding(path, line, "function.postgres-only", detail)
        elif name not in catalog.FUNCTIONS:
            yield Finding(path, line, "function.not-allowed", f"{name}() is not on the allow-list")
        elif problem := _argument_problem(name, arguments):
            yield Finding(path, line, "function.arguments", problem)


def _datediff_hits(tree: exp.Expression, sql: str) -> Iterator[Hit]:
    """datediff calls measuring a duration in boundaries crossed (SPEC §6 wants exact)."""
    for node in tree.find_all(exp.Func):
        if not isinstance(node, NOT_CALLS) and written_name(node, sql) == "datediff":
            yield from _duration_hits(node)


def _duration_hits(node: exp.Func) -> Iterator[Hit]:
    """The duration rule for one datediff call, by its date part."""
    unit = node.args.get("unit")
    part = unit.name.lower() if unit is not None else ""
    if part in catalog.BOUNDARY_DATE_PARTS:
        yield Hit(
            node,
            "duration.datediff-boundaries",
            f"datediff({part}, ...) counts {part} boundaries crossed, not the elapsed time;"
            " use the seconds_between macro (exact difference, truncated)",
        )


def _type_hits(tree: exp.Expression) -> Iterator[Hit]:
    """Cast and DDL types of a statement (an array's element type counts as the array)."""
    for node in tree.find_all(exp.DataType):
        if isinstance(node.parent, exp.DataType):
            continue  # the element type of an array, reported with the array
        yield from type_problems(node)


def type_problems(node: exp.DataType) -> Iterator[Hit]:
    """Problems of one cast or column type."""
    kind = node.this
    written = node.sql("postgres").lower()
    if kind in catalog.NEEDS_LENGTH and not node.expressions:
        need = catalog.NEEDS_LENGTH[kind]
        yield Hit(node, "type.needs-length", f"bare {written}: Redshift's default differs; {need}")
    elif kind == catalog.T.ARRAY or node.args.get("nested"):
        yield Hit(node, "statement.array", f"{written}: Redshift has no array types")
    elif kind not in catalog.TYPES:
        yield Hit(node, "type.not-allowed", f"{written} is not a Redshift type")


def _window_name(window: exp.Window, sql: str) -> str:
    """The written name of a window's function, through WITHIN GROUP."""
    func = window.this
    if isinstance(func, exp.WithinGroup):
        func = func.this
    return written_name(func, sql) if isinstance(func, exp.Func) else func.sql().lower()


def _window_hits(tree: exp.Expression, sql: str) -> Iterator[Hit]:
    """Window shapes: which functions take OVER, and which OVER each takes."""
    for window in tree.find_all(exp.Window):
        if window.args.get("over") is None:
            continue  # a named-window definition, checked where it is used
        name = _window_name(window, sql)
        spec = window.args.get("spec")
        ordered = window.args.get("order") is not None
        if name not in catalog.WINDOW_FUNCTIONS:
            yield Hit(window, "window.function", f"{name}() is not a Redshift window function")
        if window.this.find(exp.Distinct):
            yield Hit(window, "window.distinct", f"{name}(distinct ...) over (...)")
        if spec is not None and str(spec.args.get("kind", "")).lower() != "rows":
            frame = spec.args.get("kind")
            yield Hit(window, "window.range-frame", f"{name}() over a {frame} frame; use ROWS")
        if name in catalog.WINDOW_PARTITION_ONLY and (ordered or spec is not None):
            yield Hit(window, "window.partition-only", f"{name}() over takes PARTITION BY only")
        elif name in catalog.WINDOW_AGGREGATES and ordered and spec is None:
            yield Hit(window, "window.frame-required", f"{name}() over (... order by) needs ROWS")
        elif name in catalog.WINDOW_RANKING and spec is not None:
            yield Hit(window, "window.frame-not-allowed", f"{name}() takes no frame clause")


def _statement_hits(tree: exp.Expression) -> Iterator[Hit]:
    """Statement shapes PostgreSQL has and Redshift refuses."""
    for cte in tree.find_all(exp.CTE):
        if cte.this.find(exp.With):
            yield Hit(cte, "statement.nested-with", f"WITH inside the CTE {cte.alias}")
        if cte.args.get("materialized") is not None:
            yield Hit(cte, "statement.materialized-cte", f"CTE {cte.alias}: [NOT] MATERIALIZED")
    for values in tree.find_all(exp.Values):
        if not isinstance(values.parent, exp.Insert):
            yield Hit(values, "statement.values-table", "VALUES used as a table")
    for distinct in tree.find_all(exp.Distinct):
        if distinct.args.get("on") is not None:
            yield Hit(distinct, "statement.distinct-on", "SELECT DISTINCT ON (...)")
    for node in tree.find_all(exp.Filter):
        yield Hit(node, "statement.filter", "aggregate FILTER (WHERE ...); use CASE inside it")
    for node in tree.find_all(exp.Lateral):
        yield Hit(node, "statement.lateral", "LATERAL")
    for node in tree.find_all(exp.Collate):
        if not isinstance(node.expression, exp.Literal):  # the collate(a, '...') function is ok
            yield Hit(node, "statement.collation", "COLLATE clause: Redshift has no collations")
    for node in tree.find_all(exp.Array, exp.Bracket, exp.Unnest):
        yield Hit(node, "statement.array", f"array construct ({type(node).__name__.lower()})")
    for node in tree.find_all(exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract):
        yield Hit(node, "statement.json-operator", "json operator (->, ->>, #>)")
    for node in tree.find_all(exp.JSONBExtractScalar, exp.JSONBContains):
        yield Hit(node, "statement.json-operator", "jsonb operator")


def _identifier_hits(tree: exp.Expression) -> Iterator[Hit]:
    """Unquoted identifiers that are Redshift reserved words (PostgreSQL allows many)."""
    for node in tree.find_all(exp.Identifier):
        if not node.quoted and node.name.lower() in catalog.RESERVED_WORDS:
            yield Hit(node, "identifier.reserved", f"{node.name} is reserved; quote or rename it")


def _unqualified(node: exp.Expression) -> str:
    """An expression's text without table qualifiers (a view's columns keep their names)."""

    def strip(part: exp.Expression) -> exp.Expression:
        if isinstance(part, exp.Column):
            return exp.column(part.name, quoted=part.this.quoted)
        return part

    return node.transform(strip).sql("redshift").lower()


def sort_keys(tree: exp.Expression, sql: str) -> set[str]:
    """The ORDER BY of each sort-based aggregate (MEDIAN(x) sorts by x) in a statement."""
    keys = set()
    for func in tree.find_all(exp.Func):
        if isinstance(func, NOT_CALLS) or written_name(func, sql) not in catalog.SORT_BASED:
            continue
        group = func.parent if isinstance(func.parent, exp.WithinGroup) else None
        if group is not None:
            keys.add(", ".join(_unqualified(part) for part in group.expression.expressions))
        elif isinstance(func, exp.Median):
            keys.add(_unqualified(func.this))
    return keys


RULE_SETS: tuple[Callable[..., Iterator[Hit]], ...] = (
    _datediff_hits,
    _window_hits,
)
TREE_RULES: tuple[Callable[[exp.Expression], Iterator[Hit]], ...] = (
    _type_hits,
    _statement_hits,
    _identifier_hits,
)


def parse(path: Path | str, sql: str) -> tuple[list[exp.Expression], list[Finding]]:
    """The statements of ``sql``, or a ``parse`` finding when sqlglot cannot read it."""
    try:
        trees = [tree for tree in sqlglot.parse(sql, read="redshift") if tree is not None]
    except (ParseError, TokenError) as error:
        errors = getattr(error, "errors", None) or [{}]
        line = int(errors[0].get("line") or 1)
        detail = str(errors[0].get("description") or error).splitlines()[0]
        return [], [Finding(path, line, "parse", detail)]
    return trees, []


def statement_findings(path: Path | str, tree: exp.Expression, sql: str) -> list[Finding]:
    """Every rule except the cross-statement sort order, for one parsed statement."""
    hits = [hit for rule in RULE_SETS for hit in rule(tree, sql)]
    hits += [hit for rule in TREE_RULES for hit in rule(tree)]
    findings = {Finding(path, line_of(hit.node), hit.rule, hit.detail) for hit in hits}
    return sorted(findings, key=lambda finding: (finding.line, finding.rule, finding.detail))


def sort_order_finding(path: Path | str, line: int, keys: set[str]) -> list[Finding]:
    """The sort-order rule: one statement's sort-based aggregates share one ORDER BY."""
    if len(keys) <= 1:
        return []
    detail = f"sort-based aggregates order by {len(keys)} different keys: {sorted(keys)}"
    return [Finding(path, line, "sort-order.mismatch", detail)]


SortKeys = list[tuple[int, set[str]]]  # each statement's line and sort-based aggregates' keys


def check_statements(path: Path | str, sql: str) -> tuple[list[Finding], SortKeys]:
    """Findings of every per-statement rule, and each statement's (line, sort keys)."""
    trees, findings = parse(path, sql)
    if findings:
        return findings, []
    findings += function_findings(path, sql)
    for tree in trees:
        findings += statement_findings(path, tree, sql)
    return findings, [(line_of(tree), sort_keys(tree, sql)) for tree in trees]


def check_sql(path: Path | str, sql: str) -> list[Finding]:
    """All findings for the statements of one SQL text (no views to expand)."""
    findings, statements = check_statements(path, sql)
    for line, keys in statements:
        findings += sort_order_finding(path, line, keys)
    return findings


def with_link(finding: Finding) -> str:
    """A finding's line with the developer-guide page of its rule."""
    return f"{finding} ({catalog.doc(catalog.RULES[finding.rule])})"

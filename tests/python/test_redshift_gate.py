"""The Redshift gate rejects what Redshift's developer guide rules out, and only that."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi.gates.cli import main
from kpi.gates.redshift_catalog import FUNCTIONS, RULES, TYPES, doc
from kpi.gates.redshift_rules import check_sql

# (rule, statement): each statement breaks the rule; together they cover every rule.
REJECTED = [
    ("window.distinct", "select count(distinct a) over (partition by b) from t"),
    ("window.range-frame", "select sum(a) over (order by b range unbounded preceding) from t"),
    ("window.frame-required", "select sum(a) over (partition by b order by c) from t"),
    ("window.frame-required", "select first_value(a) over (order by c) from t"),
    ("window.partition-only", "select median(a) over (partition by b order by c) from t"),
    (
        "window.partition-only",
        "select percentile_cont(0.5) within group (order by a) over (order by b) from t",
    ),
    (
        "window.frame-not-allowed",
        "select row_number() over (order by a rows between 1 preceding and current row) from t",
    ),
    ("window.function", "select bool_or(a) over (partition by b) from t"),
    ("statement.nested-with", "with x as (with y as (select 1 as a) select a from y) select 1"),
    ("statement.materialized-cte", "with x as materialized (select 1 as a) select a from x"),
    ("statement.materialized-cte", "with x as not materialized (select 1 as a) select a from x"),
    ("statement.values-table", "select a from (values (1), (2)) as v (a)"),
    ("statement.distinct-on", "select distinct on (a) a, b from t order by a, b"),
    ("statement.filter", "select count(*) filter (where a > 1) from t"),
    ("statement.lateral", "select x.a from t cross join lateral (select t.a) as x"),
    ("statement.collation", 'select a from t order by a collate "C"'),
    ("statement.array", "select array[1, 2] as a"),
    ("statement.array", "select cast(a as integer[]) from t"),
    ("statement.array", "select a[1] from t"),
    ("statement.json-operator", "select payload ->> 'a' from t"),
    ("type.not-allowed", "select cast(a as uuid) from t"),
    ("type.not-allowed", "select cast(a as jsonb) from t"),
    ("type.not-allowed", "create table t (a json)"),
    ("type.needs-length", "select cast(a as numeric) from t"),
    ("type.needs-length", "select cast(a as varchar) from t"),
    ("type.needs-length", "select a::text from t"),
    ("type.needs-length", "create table t (a numeric, b varchar(8))"),
    ("function.leader-node-only", "select substr(a, 1, 2) from t"),
    ("function.leader-node-only", "select now() from t"),
    ("function.leader-node-only", "select current_timestamp from t"),
    ("function.leader-node-only", "select n from generate_series(1, 3) as n"),
    ("function.postgres-only", "select string_agg(a, ',') from t"),
    ("function.postgres-only", "select array_agg(a) from t"),
    ("function.postgres-only", "select make_interval(hours => 1)"),
    ("function.not-allowed", "select date_part_year(a) from t"),
    ("function.arguments", "select regexp_replace(a, '[^0-9]', '', 'g') from t"),
    ("function.arguments", "select regexp_substr(a, '[0-9]+', 'i') from t"),
    ("duration.datediff-boundaries", "select datediff(second, started_at, ended_at) from t"),
    ("duration.datediff-boundaries", "select datediff(minute, started_at, ended_at) from t"),
    ("identifier.reserved", "select a as user from t"),
    ("identifier.reserved", "select t.tag from t"),
    ("identifier.reserved", "select a from t as open"),
    ("sort-order.mismatch", "select median(a), median(b) from t"),
    (
        "sort-order.mismatch",
        "select median(a), percentile_cont(0.9) within group (order by a desc) from t",
    ),
    ("parse", "select from where (("),
]

# The project's own patterns (as compiled for Redshift): none may be reported.
ACCEPTED = [
    "select row_number() over (partition by s order by r desc nulls last, cast(k as"
    " varchar(65535)) asc) as report_rank, count(*) over (partition by s) as n from t",
    "select sum(a) over (partition by b order by c rows between unbounded preceding"
    " and current row) from t",
    "select dense_rank() over (partition by b order by c) as metric_rank from t",
    "select percentile_cont(0.5) within group (order by a) over (partition by b) from t",
    "select b, round(cast(median(cast(s as double precision)) as numeric(38, 12)), 0)"
    " from t group by b",
    "select median(a), median(t.a), percentile_cont(0.5) within group (order by a) from t",
    "select datediff(day, a, b), cast(dateadd(day, -7, d) as date), dateadd(hour, 24, ts) from t",
    "select cast(case when datediff(microsecond, a, b) < 0 then -((-datediff(microsecond, a, b))"
    " / 1000000) else datediff(microsecond, a, b) / 1000000 end as bigint) from t",
    "select regexp_replace(phone, '[^0-9]', ''), regexp_replace(a, 'x', 'y', 1, 'i') from t",
    "select cast(a as numeric(38, 12)) / nullif(b, 0), least(ceil(0.05 * n), 25), abs(x) from t",
    "select coalesce(a, 0), getdate(), sysdate, current_date, extract(epoch from a) from t",
    "with w (a, b) as (select 1, 2), v as (select a from w where a in (1, 2)"
    " and exists (select 1 from w)) select count(*) from v as x (a) left join w on true",
    'select a as "user", "open"."tag" from t as "open"',
    "select 'now() substr(' as note -- generate_series(1, 3), distinct on (a)\nfrom t",
    "insert into t (a, b) values (1, 2)",
    "create table t (a numeric(9, 2), b varchar(36), c boolean, d timestamp, e bigint,"
    " f double precision, g date, h char)",
    "select listagg(a, ',') within group (order by a) from t group by b",
    "select collate(a, 'case_insensitive') from t",
]


@pytest.mark.parametrize(("rule", "sql"), REJECTED)
def test_statement_redshift_refuses_is_reported_under_its_rule(rule: str, sql: str) -> None:
    assert rule in {finding.rule for finding in check_sql("q.sql", sql)}


@pytest.mark.parametrize("sql", ACCEPTED)
def test_project_pattern_passes(sql: str) -> None:
    assert check_sql("q.sql", sql) == []


def test_every_rule_has_a_rejected_statement_and_a_doc_page() -> None:
    assert set(RULES) == {rule for rule, _ in REJECTED}
    pages = [*RULES.values(), *FUNCTIONS.values(), *TYPES.values()]
    assert all(re.fullmatch(r"[\w-]+", page) for page in pages)
    assert doc("r_MEDIAN") == "https://docs.aws.amazon.com/redshift/latest/dg/r_MEDIAN.html"


def test_sql_files_get_one_line_per_violation_with_file_line_and_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("select\n    a,\n    substr(a, 1, 2) as b,\n    now() as c\nfrom t\n")
    clean = tmp_path / "clean.sql"
    clean.write_text("select a from t;\nselect sum(a) from t;\n")

    assert main(["redshift", "--sql", str(clean), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" (https://")[0] for line in lines] == [
        f"{bad}:3: function.leader-node-only: substr runs on the leader node only",
        f"{bad}:4: function.leader-node-only: now runs on the leader node only",
    ]
    assert main(["redshift", "--sql", str(clean)]) == 0


def test_unreadable_sql_file_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["redshift", "--sql", str(tmp_path / "missing.sql")]) == 2
    error = capsys.readouterr().err
    assert "cannot read" in error and "missing.sql" in error and "Traceback" not in error

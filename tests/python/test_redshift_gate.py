"""The Redshift gate's scanner catches the constructs Redshift rejects, and only those."""

from pathlib import Path

import pytest

from kpi.gates import parse_redshift, scan_redshift

PATH = Path("model.sql")


def problems(sql: str) -> list[str]:
    return [f.problem for f in scan_redshift(PATH, sql)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select distinct on (a) a from t", "DISTINCT ON"),
        ("select count(*) filter (where a > 1) from t", "FILTER"),
        ("select * from generate_series(1, 3)", "generate_series"),
        ("select payload->>'a' from t", "json"),
        ("select jsonb_build_object('a', 1)", "json"),
        ("select array_agg(a) from t", "arrays"),
        ("select * from t cross join lateral (select 1) as x", "LATERAL"),
        ("select string_agg(a, ',') from t", "string_agg"),
        ("select regexp_replace(a, '[^0-9]', '', 'g') from t", "regexp flags"),
        ("select sum(a) over (partition by b order by c) from t", "ROWS frame"),
        (
            "select percentile_cont(0.5) within group (order by a) over (partition by b) from t",
            "ordered-set",
        ),
        ("select median(a), median(abs(a - 1)) from t", "same expression"),
    ],
)
def test_rejected_construct_is_reported(sql: str, expected: str) -> None:
    assert any(expected in p for p in problems(sql)), problems(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "select sum(a) over (partition by b order by c rows between unbounded preceding"
        " and current row) from t",
        "select row_number() over (partition by b order by c desc) from t",
        "select dense_rank() over (partition by b order by c) from t",
        "select median(a), median(a) from t group by b",
        "select count(*) over (partition by b) from t",
        "select 'distinct on (x)' as note -- filter (where x)\nfrom t",
        "select regexp_replace(a, '[^0-9]', '') from t",
    ],
)
def test_valid_redshift_sql_passes(sql: str) -> None:
    assert problems(sql) == []


def test_sqlfluff_redshift_parse_reports_unparsable_sql() -> None:
    assert parse_redshift(PATH, "select from where ((") != []
    assert parse_redshift(PATH, "select a, median(b) from t group by a") == []

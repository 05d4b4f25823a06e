"""The synthetic generator: deterministic per seed, referentially intact, as documented."""

from __future__ import annotations

import importlib
import json
import os
from datetime import date
from pathlib import Path

import psycopg
import pytest
import yaml

import synthetic
from kpi.project import dbt_var

AS_OF = date(2026, 3, 31)
SMALL = 0.01


def table_checksums(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
                " where table_schema in ('station', 'ehealth') order by 1"
            ).fetchall()
        ]
        return {
            t: conn.execute(
                "select count(*) || ':' || coalesce(md5(string_agg(x::text, ','"
                f" order by x::text)), '') from {t} as x"
            ).fetchone()[0]
            for t in tables
        }


@pytest.fixture(scope="module")
def twin_checksums(
    scratch_database,
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    out = []
    for name, seed in (("kpi_det_a", 7), ("kpi_det_b", 7), ("kpi_det_c", 8)):
        dsn = scratch_database(name)
        synthetic.generate(dsn, scale=SMALL, seed=seed, as_of=AS_OF)
        out.append(table_checksums(dsn))
    return tuple(out)


def test_same_seed_gives_identical_tables(twin_checksums) -> None:
    first, second, _ = twin_checksums
    assert len(first) == 17
    assert first == second


def test_other_seed_gives_other_data(twin_checksums) -> None:
    first, _, other = twin_checksums
    assert first.keys() == other.keys()
    differing = [t for t in first if first[t] != other[t]]
    assert len(differing) >= len(first) - 2  # tiny reference tables may coincide


ORPHANS = {
    "care request without its shift team": """
        select count(*) from station.care_requests as cr
        left join station.shift_teams as st on cr.shift_team_id = st.shift_team_id
        where cr.shift_team_id is not null and st.shift_team_id is null""",
    "care request in another market than its shift": """
        select count(*) from station.care_requests as cr
        inner join station.shift_teams as st on cr.shift_team_id = st.shift_team_id
        where cr.market_id <> st.market_id""",
    "shift team member without provider": """
        select count(*) from station.shift_team_members as m
        left join station.providers as p on m.provider_id = p.provider_id
        where p.provider_id is null""",
    "market without market group": """
        select count(*) from station.markets as m
        left join station.market_groups as g on m.market_group_id = g.market_group_id
        where g.market_group_id is null""",
    "survey without care request": """
        select count(*) from station.surveys as s
        left join station.care_requests as cr on s.care_request_id = cr.care_request_id
        where cr.care_request_id is null""",
    "snapshot without shift": """
        select count(*) from station.shift_snapshots as s
        left join station.shift_teams as st on s.shift_team_id = st.shift_team_id
        where st.shift_team_id is null""",
    "snapshots not tiling their shift": """
        with ordered as (
            select s.shift_team_id, s.start_time, s.end_time, st.start_time as shift_start,
                st.end_time as shift_end,
                lag(s.end_time) over w as prev_end,
                row_number() over w as n,
                row_number() over (partition by s.shift_team_id order by s.start_time desc)
                    as n_desc
            from station.shift_snapshots as s
            inner join station.shift_teams as st on s.shift_team_id = st.shift_team_id
            window w as (partition by s.shift_team_id order by s.start_time)
        )
        select count(*) from ordered
        where (n = 1 and start_time <> shift_start)
            or (n > 1 and start_time <> prev_end)
            or (n_desc = 1 and end_time <> shift_end)""",
    "declaration without employee": """
        select count(*) from ehealth.declarations as d
        left join ehealth.employees as e on d.employee_id = e.id
        where e.id is null""",
    "declaration without person": """
        select count(*) from ehealth.declarations as d
        left join ehealth.persons as p on d.person_id = p.id
        where p.id is null""",
    "employee without party or legal entity": """
        select count(*) from ehealth.employees as e
        left join ehealth.parties as p on e.party_id = p.id
        left join ehealth.legal_entities as le on e.legal_entity_id = le.id
        where p.id is null or le.id is null""",
    "division address without division": """
        select count(*) from ehealth.division_addresses as a
        left join ehealth.divisions as d on a.division_id = d.id
        where d.id is null""",
    "person with two active declarations": """
        select count(*) from (
            select person_id from ehealth.declarations
            where is_active and status = 'active'
            group by person_id having count(*) > 1
        ) as doubled""",
}


@pytest.mark.parametrize("problem", sorted(ORPHANS))
def test_generated_sources_are_referentially_intact(warehouse, problem: str) -> None:
    (count,) = warehouse.execute(ORPHANS[problem]).fetchone()
    assert count == 0, f"{count} rows: {problem}"


def test_every_source_table_has_rows(warehouse) -> None:
    empty = [
        t
        for (t,) in warehouse.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('station', 'ehealth')"
        ).fetchall()
        if not warehouse.execute(f"select exists (select from {t})").fetchone()[0]
    ]
    assert empty == []


def test_manifest_names_the_planted_fraud() -> None:
    path = Path(os.environ.get("KPI_TEST_MANIFEST", ".kpi/synthetic-manifest.json"))
    manifest = json.loads(path.read_text())
    planted = manifest["planted"]["ehealth"]
    for kind in (
        "offline_doctors",
        "offline_legal_entities",
        "shared_phone_numbers",
        "surge_doctors",
    ):
        assert planted[kind], f"no planted {kind}"
    assert manifest["rows"]["station.care_requests"] > 0


# Every dbt var the generators plant against, by the constant that holds it.
PLANTED_AGAINST_DBT_VARS = [
    ("synthetic.ehealth.constants", "REPORT_SHARE", "report_share"),
    ("synthetic.ehealth.constants", "REPORT_MAX_ROWS", "report_max_rows"),
    ("synthetic.ehealth.constants", "DOCTOR_MIN_PATIENTS", "doctor_min_patients"),
    ("synthetic.ehealth.constants", "NEW_PATIENTS_DAYS", "new_patients_days"),
    ("synthetic.ehealth.constants", "PREVIOUS_PATIENTS_DAYS", "previous_patients_days"),
    ("synthetic.ehealth.constants", "DOCTOR_MIN_LIFETIME_DAYS", "doctor_min_lifetime_days"),
    ("synthetic.station.planted", "ACTIVE_PROVIDER_DAYS", "active_provider_days"),
    ("synthetic.station.planted", "VISIT_WINDOW", "visit_window"),
]


@pytest.mark.parametrize(("module", "constant", "var"), PLANTED_AGAINST_DBT_VARS)
def test_generator_rules_are_the_dbt_vars(module: str, constant: str, var: str) -> None:
    """The planted patterns are sized and timed by the rules the marts apply: the very
    values dbt_project.yml defines, not copies that could drift."""
    value = getattr(importlib.import_module(module), constant)
    assert value is dbt_var(var)
    with (Path(__file__).parents[2] / "dbt_project.yml").open(encoding="utf-8") as f:
        assert value == yaml.safe_load(f)["vars"][var]

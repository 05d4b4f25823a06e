"""The ehealth generator: registry shape (SPEC §4), planted fraud found by the §7 rules,
determinism.

The planted patterns are checked against an independent SQL emulation of the SPEC §7
reports (doctor = qualifying employee rows of a (party, legal entity); active declaration;
RESIDENCE settlement type; thresholds; report_rank / is_reported; robust outlier score), so
the generator is tested on its own, before any dbt model exists.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import numpy as np
import psycopg
import pytest

from synthetic import SOURCES_SQL, ehealth, write_tables

AS_OF = date(2026, 3, 31)
SCALE = 0.02
DB_NAME = "kpi_ehealth_test"
TABLES = (
    "legal_entities",
    "divisions",
    "division_addresses",
    "parties",
    "employees",
    "persons",
    "person_authentication_methods",
    "person_phones",
    "declarations",
)


@pytest.fixture(scope="module")
def generated(connections):
    """Generate the ehealth schema once into a scratch database; yield (conn, result, calls)."""
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DB_NAME} with (force)")
        admin.execute(f"create database {DB_NAME}")
    dsn = psycopg.conninfo.make_conninfo(connections.warehouse_dsn, dbname=DB_NAME)
    calls: dict[str, list[int]] = {}

    def reporter(table: str, expected: int):
        calls[table] = [expected, 0]

        def advance(rows: int) -> None:
            calls[table][1] += rows

        return advance

    with psycopg.connect(dsn) as conn:
        conn.execute(SOURCES_SQL.read_text())
        tables, planted = ehealth.build(np.random.default_rng([7, 2]), SCALE, AS_OF)
        result = write_tables(conn, tables, reporter), planted
        conn.commit()
        for table in result[0]:
            conn.execute(f"analyze {table}")
        conn.commit()
        yield conn, result, calls
    with psycopg.connect(connections.warehouse_dsn, autocommit=True) as admin:
        admin.execute(f"drop database if exists {DB_NAME} with (force)")


def one(conn: psycopg.Connection, query: str, *params):
    return conn.execute(query, params).fetchone()


def rendered(columns: dict) -> dict[str, list]:
    """Every column as the values copy_columns would write (lazy columns rendered)."""
    out = {}
    for name, column in columns.items():
        values = column[0 : len(column)]
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            values = np.datetime_as_string(values, unit="s")
        out[name] = list(np.asarray(values, dtype=object).tolist())
    return out


# --------------------------------------------------------------------------- no database
def test_same_seed_builds_identical_tables_and_another_seed_does_not() -> None:
    first, planted_first = ehealth.build(np.random.default_rng([3, 2]), 0.005, AS_OF)
    second, planted_second = ehealth.build(np.random.default_rng([3, 2]), 0.005, AS_OF)
    other, planted_other = ehealth.build(np.random.default_rng([4, 2]), 0.005, AS_OF)
    assert planted_first == planted_second
    assert planted_first != planted_other
    for table, columns in first.items():
        assert rendered(columns) == rendered(second[table]), table
    assert rendered(first["ehealth.persons"])["id"] != rendered(other["ehealth.persons"])["id"]


def test_planted_manifest_is_sorted_json_and_sized_for_the_reports() -> None:
    _, planted = ehealth.build(np.random.default_rng([5, 2]), SCALE, AS_OF)
    assert json.loads(json.dumps(planted)) == planted
    for key in (
        "offline_doctors",
        "offline_legal_entities",
        "shared_phone_numbers",
        "surge_doctors",
        "new_doctors",
    ):
        items = planted[key]
        assert items, key
        assert items == sorted(items), key
        assert len(items) <= 25, key
    assert all(re.fullmatch(r"380\d{9}", n) for n in planted["shared_phone_numbers"])
    by_settlement = planted["settlement_type"]
    assert [d[:2] for d in by_settlement["offline_doctors"]] == planted["offline_doctors"]
    assert [e[0] for e in by_settlement["offline_legal_entities"]] == sorted(
        planted["offline_legal_entities"]
    )
    assert {d[2] for d in by_settlement["offline_doctors"]} == {"CITY", "OTHER"}
    assert {e[1] for e in by_settlement["offline_legal_entities"]} == {"CITY", "OTHER"}


# ------------------------------------------------------------------------------ database
def test_counts_match_tables_and_progress_reports(generated) -> None:
    conn, (counts, _), calls = generated
    assert set(counts) == {f"ehealth.{t}" for t in TABLES}
    for table, rows in counts.items():
        assert one(conn, f"select count(*) from {table}")[0] == rows, table
        assert calls[table] == [rows, rows], table
    assert counts["ehealth.persons"] == 60_000
    assert counts["ehealth.legal_entities"] >= 12
    doctors = one(
        conn,
        "select count(distinct (party_id, legal_entity_id)) from ehealth.employees"
        " where employee_type = 'DOCTOR' and is_active and status = 'APPROVED'",
    )[0]
    assert doctors >= 60


def test_registry_invariants(generated) -> None:
    conn, _, _ = generated
    # at most one active declaration per person
    assert one(
        conn,
        "select count(*) from (select person_id from ehealth.declarations"
        " where is_active and status = 'active' group by 1 having count(*) > 1) x",
    ) == (0,)
    # declarations follow their employee: legal entity, division, not before the hire
    assert one(
        conn,
        "select count(*) from ehealth.declarations d join ehealth.employees e"
        " on e.id = d.employee_id where d.legal_entity_id <> e.legal_entity_id"
        " or d.division_id is distinct from e.division_id or d.inserted_at < e.inserted_at"
        " or d.start_date <> d.inserted_at::date",
    ) == (0,)
    # active declarations only with qualifying doctors, within the declaration limits
    assert one(
        conn,
        "select count(*) from ehealth.declarations d join ehealth.employees e"
        " on e.id = d.employee_id where d.is_active and d.status = 'active'"
        " and not (e.employee_type = 'DOCTOR' and e.is_active and e.status = 'APPROVED')",
    ) == (0,)
    (max_panel,) = one(
        conn,
        "select max(n) from (select e.party_id, count(*) as n from ehealth.declarations d"
        " join ehealth.employees e on e.id = d.employee_id"
        " where d.is_active and d.status = 'active' group by e.party_id, e.legal_entity_id) x",
    )
    assert max_panel <= 2_000
    # nothing after D + 3 days; what lies after D is never an active declaration
    last, after_d_active = one(
        conn,
        "select max(inserted_at), count(*) filter (where inserted_at::date > %s"
        " and status = 'active') from ehealth.declarations",
        AS_OF,
    )
    assert last.date() <= AS_OF + timedelta(days=3)
    assert after_d_active == 0
    assert one(conn, "select max(inserted_at)::date from ehealth.employees")[
        0
    ] <= AS_OF + timedelta(days=3)
    # every division has a REGISTRATION address, most a RESIDENCE one, CITY about half
    registration, residence, city = one(
        conn,
        "select count(*) filter (where type = 'REGISTRATION'), count(*) filter"
        " (where type = 'RESIDENCE'), avg((settlement_type = 'CITY')::int)"
        " filter (where type = 'RESIDENCE') from ehealth.division_addresses",
    )
    assert registration == one(conn, "select count(*) from ehealth.divisions")[0]
    assert 0.85 * registration <= residence <= registration
    assert 0.35 <= city <= 0.75
    # OFFLINE about 10 %; OTP rows carry a phone, the others none
    offline, bad_phone = one(
        conn,
        "select avg((type = 'OFFLINE')::int), count(*) filter (where (type = 'OTP')"
        " <> (phone_number is not null)) from ehealth.person_authentication_methods",
    )
    assert 0.05 <= offline <= 0.2
    assert bad_phone == 0
    # persons: active mostly; statuses from the contract
    statuses = dict(conn.execute("select status, count(*) from ehealth.persons group by 1"))
    assert set(statuses) == {"active", "inactive"} and statuses["inactive"] < statuses["active"]
    decl_statuses = {r[0] for r in conn.execute("select distinct status from ehealth.declarations")}
    assert decl_statuses == {"active", "pending_verification", "terminated", "closed", "rejected"}


def test_phone_numbers_come_in_several_formats_of_one_number(generated) -> None:
    conn, _, _ = generated
    formats = {
        r[0]
        for r in conn.execute(
            "select distinct regexp_replace(number, '\\d', '9', 'g') from ehealth.person_phones"
        )
    }
    assert {"+999 99 999 99 99", "999999999999", "+99 (999) 999-99-99"} <= formats
    # families: one normalized number written in two formats by two persons
    (mixed,) = one(
        conn,
        "select count(*) from (select regexp_replace(number, '\\D', '', 'g')"
        " from ehealth.person_phones group by 1"
        " having count(distinct number) > 1 and count(distinct person_id) > 1) x",
    )
    assert mixed > 0


# ------------------------------------------------------- SPEC §7 emulation and the plants
_BASE = """
with doc_emp as (
  select id, party_id, legal_entity_id, division_id, inserted_at from ehealth.employees
  where employee_type = 'DOCTOR' and is_active and status = 'APPROVED'),
div_st as (
  select d.id as division_id,
         case when max(a.settlement_type) filter (where a.type = 'RESIDENCE') = 'CITY'
              then 'CITY' else 'OTHER' end as st
  from ehealth.divisions d left join ehealth.division_addresses a on a.division_id = d.id
  group by d.id),
act as (
  select dc.person_id, e.party_id, e.legal_entity_id, s.st, o.person_id is not null as off
  from ehealth.declarations dc
  join doc_emp e on e.id = dc.employee_id
  join div_st s on s.division_id = e.division_id
  left join (select distinct person_id from ehealth.person_authentication_methods
             where type = 'OFFLINE') o on o.person_id = dc.person_id
  where dc.is_active and dc.status = 'active' and dc.inserted_at::date <= %(d)s)
"""
_RANKED = """
, ranked as (
  select b.*, row_number() over (partition by part order by x desc nulls last,
                                 x2 desc nulls last, key) as rnk,
         count(*) over (partition by part) as n_part
  from base b),
med as (select part, percentile_cont(0.5) within group (order by x) as m, count(x) as nx
        from base group by part),
mad as (select b.part, percentile_cont(0.5) within group (order by abs(b.x - med.m)) as mad,
               avg(abs(b.x - med.m)) as meanad
        from base b join med using (part) where b.x is not null group by b.part)
select ranked.part, ranked.key, ranked.x, ranked.patients_qty, ranked.lifetime, ranked.rnk,
       rnk <= least(ceil(0.05 * n_part), 25) as is_reported,
       case when med.nx >= 20 and mad.mad > 0 then (x - med.m) / (1.4826 * mad.mad)
            when med.nx >= 20 and mad.meanad > 0 then (x - med.m) / (1.253314 * mad.meanad)
       end as score
from ranked join med using (part) left join mad using (part)
"""
_REPORTS = {
    "total_patients_doctor": _BASE
    + """
, tot as (
  select e.party_id, e.legal_entity_id,
    count(distinct dc.person_id) filter (where dc.is_active and dc.status = 'active'
                                         and dc.inserted_at::date <= %(d)s) as patients_qty,
    count(dc.id) filter (where dc.status <> 'rejected' and dc.inserted_at::date > %(d)s - 30
                         and dc.inserted_at::date <= %(d)s) as new_30,
    count(dc.id) filter (where dc.status <> 'rejected' and dc.inserted_at::date > %(d)s - 90
                         and dc.inserted_at::date <= %(d)s - 30) as new_prev_60
  from doc_emp e left join ehealth.declarations dc on dc.employee_id = e.id group by 1, 2),
life as (select party_id, legal_entity_id, %(d)s - min(inserted_at::date) as lifetime
         from doc_emp group by 1, 2),
base as (
  select 'ALL' as part, t.party_id || '|' || t.legal_entity_id as key, t.patients_qty,
    l.lifetime,
    case when l.lifetime > 90 and t.new_prev_60 > 0
         then (t.new_30 / 30.0) / (t.new_prev_60 / 60.0) end as x,
    case when l.lifetime > 90 and t.new_prev_60 = 0 then t.new_30 end as x2
  from tot t join life l using (party_id, legal_entity_id) where t.patients_qty > 10)
"""
    + _RANKED,
    "authorization_doctor": _BASE
    + """
, base as (
  select st as part, party_id || '|' || legal_entity_id || '|' || st as key,
         count(distinct person_id) as patients_qty, null::int as lifetime,
         (count(distinct person_id) filter (where off))::numeric
           / count(distinct person_id) as x, null::numeric as x2
  from act group by st, party_id, legal_entity_id having count(distinct person_id) > 10)
"""
    + _RANKED,
    "authorization_legal_entity": _BASE
    + """
, base as (
  select st as part, legal_entity_id || '|' || st as key,
         count(distinct person_id) as patients_qty, null::int as lifetime,
         (count(distinct person_id) filter (where off))::numeric
           / count(distinct person_id) as x, null::numeric as x2
  from act group by st, legal_entity_id having count(distinct person_id) > 50)
"""
    + _RANKED,
    "patients_phonenumber": """
with nums as (
  select person_id, regexp_replace(number, '\\D', '', 'g') as n from ehealth.person_phones
  union all
  select person_id, regexp_replace(phone_number, '\\D', '', 'g')
  from ehealth.person_authentication_methods where type = 'OTP' and phone_number is not null),
base as (
  select 'ALL' as part, n as key, count(distinct p.id) as patients_qty, null::int as lifetime,
         count(distinct p.id)::numeric as x, null::numeric as x2
  from nums join ehealth.persons p on p.id = nums.person_id and p.status = 'active'
  where %(d)s is not null
  group by n having count(distinct p.id) > 1)
"""
    + _RANKED,
}


@pytest.fixture(scope="module")
def reports(generated) -> dict[str, dict[str, dict]]:
    conn, _, _ = generated
    out = {}
    for name, sql in _REPORTS.items():
        cur = conn.execute(sql, {"d": AS_OF})
        cols = [c.name for c in cur.description]
        out[name] = {row[1]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}
    return out


def _assert_reported(rows: dict[str, dict], keys: list[str], label: str) -> None:
    assert keys, f"nothing planted: {label}"
    missing = [k for k in keys if k not in rows]
    assert not missing, f"{label} below the report thresholds: {missing}"
    not_reported = [(k, rows[k]["rnk"]) for k in keys if not rows[k]["is_reported"]]
    assert not not_reported, f"{label} not in the reported top rows: {not_reported}"
    for key in keys:
        partition = [r for r in rows.values() if r["part"] == rows[key]["part"]]
        flagged = sum(r["is_reported"] for r in partition)
        planted_here = sum(1 for k in keys if rows[k]["part"] == rows[key]["part"])
        assert planted_here <= flagged, label
        score = rows[key]["score"]
        assert score is None or score > 3.5, f"{label} {key}: outlier score {score}"


def test_offline_doctors_and_legal_entities_top_their_settlement_partition(
    generated, reports
) -> None:
    _, (_, planted), _ = generated
    by = planted["settlement_type"]
    doctors = ["|".join(d) for d in by["offline_doctors"]]
    _assert_reported(reports["authorization_doctor"], doctors, "offline doctors")
    entities = ["|".join(e) for e in by["offline_legal_entities"]]
    _assert_reported(reports["authorization_legal_entity"], entities, "offline legal entities")
    for key in doctors:
        assert reports["authorization_doctor"][key]["x"] >= 0.75


def test_shared_phone_numbers_top_the_phone_report(generated, reports) -> None:
    _, (_, planted), _ = generated
    numbers = planted["shared_phone_numbers"]
    _assert_reported(reports["patients_phonenumber"], numbers, "shared phone numbers")
    families = [
        r["patients_qty"] for k, r in reports["patients_phonenumber"].items() if k not in numbers
    ]
    assert max(families) <= 4
    assert all(reports["patients_phonenumber"][n]["patients_qty"] >= 20 for n in numbers)


def test_surge_doctors_top_the_doctor_report_and_new_doctors_have_no_ratio(
    generated, reports
) -> None:
    _, (_, planted), _ = generated
    rows = reports["total_patients_doctor"]
    surge = ["|".join(d) for d in planted["surge_doctors"]]
    _assert_reported(rows, surge, "surge doctors")
    for key in ["|".join(d) for d in planted["new_doctors"]]:
        assert rows[key]["lifetime"] <= 90
        assert rows[key]["x"] is None
        assert rows[key]["patients_qty"] >= 300

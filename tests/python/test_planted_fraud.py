"""Planted fraud: every pattern the synthetic generator planted is caught by its mart.

Runs against the warehouse after `kpi generate` and the fraud build — `make test`'s
embedded one, or the one named by KPI_TEST_WAREHOUSE_DSN — and reads:

- KPI_TEST_MANIFEST: the generator's manifest JSON, whose "planted" -> "ehealth" lists the
  offline doctors and legal entities, shared phone numbers, surge and new doctors.

A planted item is caught when its row is reported (`is_reported`) or a statistical outlier
(`is_statistical_outlier`), and its explanation columns (SPEC §15) name the rule that
caught it: rank within `report_cap` and a value at or above `report_cutoff_value`, or an
`outlier_score` above `outlier_threshold` that is (x − partition_median) / (1.4826 ×
partition_mad). Each test prints its recall and how many caught rows were not planted.
Missing settings fail, never skip: a recall check that silently does not run would hide a
broken report.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

WAREHOUSE_ENV = "KPI_TEST_WAREHOUSE_DSN"
MANIFEST_ENV = "KPI_TEST_MANIFEST"


def _required_env(name: str, meaning: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.fail(
            f"{name} is not set: it must name {meaning}. Run `make test`, or set it after"
            " `kpi generate` and the fraud build.",
            pytrace=False,
        )
    return value


@functools.cache
def _read_manifest(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def planted() -> dict[str, Any]:
    """The manifest's planted -> ehealth section; fails the calling test when missing."""
    path = _required_env(MANIFEST_ENV, "the synthetic generator's manifest JSON")
    if not Path(path).is_file():
        pytest.fail(f"{MANIFEST_ENV}={path}: no such file (run `kpi generate`)", pytrace=False)
    try:
        return _read_manifest(path)["planted"]["ehealth"]
    except (KeyError, TypeError):
        pytest.fail(f"{MANIFEST_ENV}={path} has no planted -> ehealth section", pytrace=False)


def _warehouse_dsn() -> str:
    """KPI_TEST_WAREHOUSE_DSN, else the configured (or embedded) warehouse of `make test`."""
    configured = os.environ.get(WAREHOUSE_ENV, "").strip()
    if configured:
        return configured
    from kpi import embedded
    from kpi.settings import Settings

    settings = Settings.from_env()
    if not settings.embedded:
        return settings.warehouse_dsn or ""
    return embedded.start(settings.pgdata).warehouse_dsn


@contextlib.contextmanager
def warehouse() -> Iterator[psycopg.Connection]:
    """The built warehouse (`make test`'s embedded one unless KPI_TEST_WAREHOUSE_DSN is set)."""
    with psycopg.connect(_warehouse_dsn(), autocommit=True) as conn:
        yield conn


# The report's x: the value its outlier score and its cutoff are of (SPEC §7, §15).
VALUE_COLUMN = {
    "authorization_doctor": "ratio_offline_patients_qty",
    "authorization_legal_entity": "ratio_offline_patients_qty",
    "patients_phonenumber": "patients_qty",
    "total_patients_doctor": "patient_increase_30d",
}
EXPLANATION = (
    "is_reported, report_rank, report_cap, report_cutoff_value, is_statistical_outlier,"
    " outlier_score, outlier_threshold, partition_median, partition_mad"
)

Caught = dict[tuple[str, ...], dict[str, Any]]


def _caught_rows(conn: psycopg.Connection, mart: str, key_columns: list[str]) -> Caught:
    """The mart's rows that are reported or statistical outliers: key -> explanation."""
    cursor = conn.execute(
        f"select {', '.join(key_columns)}, {VALUE_COLUMN[mart]} as x, {EXPLANATION}"
        f" from fraud.{mart} where is_reported or is_statistical_outlier"
    )
    names = [column.name for column in cursor.description or []]
    caught: Caught = {}
    for row in cursor.fetchall():
        key = tuple(str(value) for value in row[: len(key_columns)])
        caught[key] = dict(zip(names[len(key_columns) :], row[len(key_columns) :], strict=True))
    return caught


def explained_by(row: dict[str, Any]) -> list[str]:
    """The rules the row's explanation shows flagged it (each checked against its inputs)."""
    rules = []
    if row["is_reported"]:
        assert row["report_rank"] <= row["report_cap"], row
        cutoff, x = row["report_cutoff_value"], row["x"]
        # a doctor at the cap ranked only by patient_increase_30d_0 has no cutoff value
        assert cutoff is None or (x is not None and float(x) >= cutoff), row
        rules.append(f"rank {row['report_rank']} <= cap {row['report_cap']} (cutoff {cutoff})")
    if row["is_statistical_outlier"]:
        score, threshold = row["outlier_score"], row["outlier_threshold"]
        assert score is not None and score > threshold, row
        if row["partition_mad"]:
            z = (float(row["x"]) - row["partition_median"]) / (1.4826 * row["partition_mad"])
            assert abs(float(score) - z) <= 0.0001, row
        rules.append(f"outlier_score {score} > {threshold}")
    return rules


def _assert_all_caught(
    capsys: pytest.CaptureFixture[str],
    label: str,
    planted_keys: set[tuple[str, ...]],
    caught: Caught,
) -> None:
    found = planted_keys & caught.keys()
    recall = len(found) / len(planted_keys) if planted_keys else 1.0
    with capsys.disabled():
        print(
            f"\n{label}: recall {len(found)}/{len(planted_keys)} = {recall:.0%};"
            f" {len(caught.keys() - planted_keys)} caught rows not planted (of {len(caught)})"
        )
    assert planted_keys, f"the manifest plants no {label}"
    missed = sorted(planted_keys - caught.keys())
    assert not missed, f"{label} not reported nor outliers: {missed}"
    unexplained = sorted(key for key in found if not explained_by(caught[key]))
    assert not unexplained, f"{label} flagged without an explanation naming the rule"


def test_planted_offline_doctors_are_caught(capsys) -> None:
    # With the settlement type when the manifest gives it: the row of that type is caught.
    plants = planted()
    by_settlement = plants.get("settlement_type", {}).get("offline_doctors")
    with warehouse() as conn:
        if by_settlement:
            keys = {tuple(item) for item in by_settlement}
            columns = ["party_id", "legal_entity_id", "settlement_type"]
        else:
            keys = {tuple(item) for item in plants["offline_doctors"]}
            columns = ["party_id", "legal_entity_id"]
        caught = _caught_rows(conn, "authorization_doctor", columns)
    _assert_all_caught(capsys, "offline doctors (authorization_doctor)", keys, caught)


def test_planted_offline_legal_entities_are_caught(capsys) -> None:
    plants = planted()
    by_settlement = plants.get("settlement_type", {}).get("offline_legal_entities")
    with warehouse() as conn:
        if by_settlement:
            keys = {tuple(item) for item in by_settlement}
            columns = ["legal_entity_id", "settlement_type"]
        else:
            keys = {(item,) for item in plants["offline_legal_entities"]}
            columns = ["legal_entity_id"]
        caught = _caught_rows(conn, "authorization_legal_entity", columns)
    _assert_all_caught(capsys, "offline legal entities (authorization_legal_entity)", keys, caught)


def test_planted_shared_phone_numbers_are_caught(capsys) -> None:
    keys = {(re.sub(r"\D", "", str(number)),) for number in planted()["shared_phone_numbers"]}
    with warehouse() as conn:
        caught = _caught_rows(conn, "patients_phonenumber", ["phone_number"])
    _assert_all_caught(capsys, "shared phone numbers (patients_phonenumber)", keys, caught)


def test_planted_surge_doctors_are_caught(capsys) -> None:
    keys = {tuple(item) for item in planted()["surge_doctors"]}
    with warehouse() as conn:
        caught = _caught_rows(conn, "total_patients_doctor", ["party_id", "legal_entity_id"])
    _assert_all_caught(capsys, "surge doctors (total_patients_doctor)", keys, caught)


def test_new_doctors_have_no_increase_ratio() -> None:
    """Doctors of 90 days or less get no patient_increase_30d, however fast they grow."""
    new_doctors = {tuple(item) for item in planted().get("new_doctors", [])}
    with warehouse() as conn:
        rows = conn.execute(
            "select party_id, legal_entity_id, patient_increase_30d, patient_increase_30d_0"
            " from fraud.total_patients_doctor"
        ).fetchall()
    wrong = [
        row
        for row in rows
        if (row[0], row[1]) in new_doctors and (row[2] is not None or row[3] is not None)
    ]
    assert not wrong, f"new doctors with an increase despite lifetime <= 90 days: {wrong}"

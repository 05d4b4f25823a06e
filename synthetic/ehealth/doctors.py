"""Doctors as the reports see them, their panel sizes, and the planted doctors.

A doctor is a (party, legal entity) with qualifying employee rows (SPEC §7). Panel sizes
are decided here, per doctor, before any person exists; the planted offline, surge and new
doctors are chosen among them and their panels adjusted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.ehealth.constants import (
    ACTIVE_SHARE,
    APPROVED,
    DOCTOR,
    DOCTOR_MIN_LIFETIME_DAYS,
    DOCTOR_MIN_PATIENTS,
    SECOND_JOB,
    Sizes,
    plant_count,
)
from synthetic.ehealth.employees import Employees
from synthetic.ehealth.registry import Divisions, DoctorParties, LegalEntities

# A panel this much over the doctor_min_patients threshold surely survives it: the proxy
# for "the report will count this doctor" before the persons exist.
COUNTED_PANEL_MARGIN = 5


@dataclass
class Doctors:
    """Per doctor (party, legal entity), in key order."""

    count: int
    party: np.ndarray
    entity: np.ndarray
    first_hire: np.ndarray  # earliest hire day of its qualifying rows
    row_count: np.ndarray  # qualifying rows
    is_second_job: np.ndarray
    limit: np.ndarray
    is_single: np.ndarray  # exactly one DOCTOR row of any status: safe to plant
    first_row: np.ndarray  # its earliest qualifying employee row
    is_city: np.ndarray  # settlement class of that row's division
    qualifying_rows: np.ndarray  # employee rows that make doctors
    doctor_of_row: np.ndarray  # per qualifying row, its doctor
    panel: np.ndarray  # active declarations wanted
    offline_p: np.ndarray  # probability that one of its patients is OFFLINE


def doctors(
    rng: np.random.Generator,
    sizes: Sizes,
    entities: LegalEntities,
    divs: Divisions,
    parties: DoctorParties,
    staff: Employees,
) -> Doctors:
    n_entities = sizes.legal_entities
    qualifying = (staff.type == DOCTOR) & staff.is_active & (staff.status == APPROVED)
    qual_rows = np.flatnonzero(qualifying)
    keys, doctor_of_row = np.unique(
        staff.party[qual_rows] * n_entities + staff.entity[qual_rows], return_inverse=True
    )
    count = len(keys)
    first_hire = np.full(count, 1 << 40)
    np.minimum.at(first_hire, doctor_of_row, staff.hire[qual_rows])
    second_job = np.zeros(count, dtype=np.int64)
    np.maximum.at(second_job, doctor_of_row, (staff.role[qual_rows] == SECOND_JOB).astype(np.int64))
    # rows of any status of the same (party, legal entity): planted doctors have exactly one
    any_keys, any_counts = np.unique(
        (staff.party * n_entities + staff.entity)[staff.type == DOCTOR], return_counts=True
    )
    row_count = np.bincount(doctor_of_row, minlength=count)
    first_row = np.full(count, -1)
    order = np.lexsort((qual_rows, staff.hire[qual_rows], doctor_of_row))
    first_pos = np.concatenate([[0], np.flatnonzero(np.diff(doctor_of_row[order])) + 1])
    first_row[doctor_of_row[order[first_pos]]] = qual_rows[order[first_pos]]
    party, entity = keys // n_entities, keys % n_entities
    is_city = divs.is_city[staff.division[first_row]]
    limit = parties.limit[party]
    panel = _panels(rng, sizes, first_hire, second_job, limit)
    # offline propensity: legal-entity base (rural a bit higher) plus doctor noise
    entity_base = rng.uniform(0.05, 0.13, n_entities) + 0.04 * ~entities.is_urban
    offline_p = np.clip(
        entity_base[entity] + rng.normal(0.0, 0.025, count) + 0.03 * ~is_city, 0.02, 0.25
    )
    return Doctors(
        count=count,
        party=party,
        entity=entity,
        first_hire=first_hire,
        row_count=row_count,
        is_second_job=second_job.astype(bool),
        limit=limit,
        is_single=(row_count == 1) & (any_counts[np.searchsorted(any_keys, keys)] == 1),
        first_row=first_row,
        is_city=is_city,
        qualifying_rows=qual_rows,
        doctor_of_row=doctor_of_row,
        panel=panel,
        offline_p=offline_p,
    )


def _panels(
    rng: np.random.Generator,
    sizes: Sizes,
    first_hire: np.ndarray,
    second_job: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """Active declarations per doctor: limit x fill x lifetime ramp, scaled to the persons.

    A second job fills little of its limit; a doctor in the first 90 days has a handful of
    patients per day in service.
    """
    count = len(first_hire)
    lifetime = -first_hire
    fill = np.where(second_job == 1, rng.uniform(0.05, 0.30, count), rng.beta(4.0, 2.5, count))
    ramp = np.minimum(1.0, np.maximum(lifetime, 1) / 540.0) ** 0.7
    raw = limit * fill * ramp
    young = lifetime <= 90
    raw[young] = (np.maximum(lifetime, 0) * rng.uniform(0.05, 0.5, count))[young]
    scaled = np.round(raw * ACTIVE_SHARE * sizes.persons / raw.sum())
    return np.minimum(limit, scaled).astype(np.int64)


# ---------------------------------------------------------------- planted doctors
@dataclass
class PlantedDoctors:
    """Per doctor: which pattern it was planted for, and a surge doctor's sign-ups."""

    offline: np.ndarray
    surge: np.ndarray
    surge_new: np.ndarray  # sign-ups in (D-30, D]
    surge_previous: np.ndarray  # sign-ups in (D-90, D-30]
    new: np.ndarray


def plant_doctors(
    rng: np.random.Generator, entities: LegalEntities, staff: Employees, docs: Doctors
) -> PlantedDoctors:
    """Choose the planted doctors; adjusts their panels, offline propensity and hire day."""
    counted = docs.panel > DOCTOR_MIN_PATIENTS + COUNTED_PANEL_MARGIN
    n_offline = {
        True: plant_count(int((counted & docs.is_city).sum())),
        False: plant_count(int((counted & ~docs.is_city).sum())),
    }
    n_surge = plant_count(int(counted.sum()))
    offline = _plant_offline_doctors(rng, entities, docs, n_offline)
    surge, surge_new, surge_previous = _plant_surge_doctors(rng, entities, docs, offline, n_surge)
    new = _plant_new_doctors(rng, entities, staff, docs, offline | surge, max(1, n_surge // 2))
    return PlantedDoctors(offline, surge, surge_new, surge_previous, new)


def _plant_offline_doctors(
    rng: np.random.Generator,
    entities: LegalEntities,
    docs: Doctors,
    wanted: dict[bool, int],
) -> np.ndarray:
    """Every doctor of an offline legal entity, plus single doctors with a mostly-OFFLINE
    panel inside large entities: one per entity, at most a quarter of its patients, so the
    entity itself stays normal."""
    panel, is_city = docs.panel, docs.is_city
    offline = entities.is_offline[docs.entity].copy()
    panel[offline] = np.clip(panel[offline], 250, docs.limit[offline])
    group_total: dict[tuple[int, bool], int] = {}
    group_size: dict[tuple[int, bool], int] = {}
    for i in range(docs.count):
        group = (int(docs.entity[i]), bool(is_city[i]))
        group_total[group] = group_total.get(group, 0) + int(panel[i])
        group_size[group] = group_size.get(group, 0) + 1
    used_entities = set(int(e) for e in np.flatnonzero(entities.is_offline))
    for city_class in (True, False):
        need = wanted[city_class] - int((offline & (is_city == city_class)).sum())
        for i in rng.permutation(docs.count):
            if need <= 0:
                break
            group = (int(docs.entity[i]), bool(is_city[i]))
            if (
                is_city[i] == city_class
                and docs.is_single[i]
                and group[0] not in used_entities
                and group_size[group] >= 5
                and 150 <= panel[i] <= 0.25 * group_total[group]
            ):
                offline[i] = True
                used_entities.add(group[0])
                need -= 1
    docs.offline_p[offline] = rng.uniform(0.82, 0.95, docs.count)[offline]
    return offline


def _plant_surge_doctors(
    rng: np.random.Generator,
    entities: LegalEntities,
    docs: Doctors,
    offline: np.ndarray,
    wanted: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long-serving doctors with 1-4 sign-ups in (D-90, D-30] and 80-400 in (D-30, D]."""
    panel = docs.panel
    surge = np.zeros(docs.count, dtype=bool)
    candidate = (
        docs.is_single
        & ~offline
        & ~entities.is_offline[docs.entity]
        & (docs.first_hire <= -365)
        & (panel >= 300)
    )
    surge[rng.permutation(np.flatnonzero(candidate))[:wanted]] = True
    new_sign_ups = np.zeros(docs.count, dtype=np.int64)
    previous_sign_ups = np.zeros(docs.count, dtype=np.int64)
    new_sign_ups[surge] = np.clip(
        np.round(panel[surge] * rng.uniform(0.15, 0.30, docs.count)[surge]), 80, 400
    )
    previous_sign_ups[surge] = rng.integers(1, 5, size=docs.count)[surge]
    panel[surge] = np.maximum(panel[surge], new_sign_ups[surge] + previous_sign_ups[surge] + 50)
    return surge, new_sign_ups, previous_sign_ups


def _plant_new_doctors(
    rng: np.random.Generator,
    entities: LegalEntities,
    staff: Employees,
    docs: Doctors,
    planted: np.ndarray,
    wanted: int,
) -> np.ndarray:
    """Doctors hired a month or two ago (lifetime under doctor_min_lifetime_days, so their
    patient_increase_30d is NULL by rule) with 300-900 patients."""
    new = np.zeros(docs.count, dtype=bool)
    candidate = docs.is_single & ~planted & ~entities.is_offline[docs.entity] & ~docs.is_second_job
    new[rng.permutation(np.flatnonzero(candidate))[:wanted]] = True
    rows = docs.first_row[new]
    staff.hire[rows] = rng.integers(-(DOCTOR_MIN_LIFETIME_DAYS - 10), -29, size=len(rows))
    docs.first_hire[new] = staff.hire[rows]
    docs.panel[new] = rng.integers(300, np.minimum(docs.limit[new], 900) + 1)
    return new


def employee_panels(staff: Employees, docs: Doctors) -> np.ndarray:
    """Each doctor's panel split over its qualifying rows by days in service: the same
    sign-up rate in every division (a division opened last week does not fake a surge)."""
    row_panel = np.zeros(staff.count, dtype=np.int64)
    row_panel[docs.first_row] = docs.panel
    for i in np.flatnonzero(docs.row_count > 1):
        rows = docs.qualifying_rows[docs.doctor_of_row == i]
        rows = rows[np.argsort(staff.hire[rows], kind="stable")]
        share = (1 - staff.hire[rows]) / (1 - staff.hire[rows]).sum()
        parts = np.floor(share * docs.panel[i]).astype(np.int64)
        parts[0] += docs.panel[i] - parts.sum()
        row_panel[rows] = parts
    return row_panel

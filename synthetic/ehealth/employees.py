"""Employee rows: each doctor's primary job, second jobs and divisions, soft-deleted and
former rows, and the legal entities' other staff (owners, admins, HR, pharmacists).

Drawn from the ``rng`` in the order :func:`ehealth.build` calls :func:`employees`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthetic.ehealth.constants import (
    ADMIN,
    APPROVED,
    DISMISSED,
    DOCTOR,
    HISTORY_DAYS,
    HR,
    LE_CLINIC,
    LE_CLOSED,
    LE_PHARMACY,
    OTHER_ROW,
    OWNER,
    PHARMACIST,
    PRIMARY_JOB,
    SECOND_DIVISION,
    SECOND_JOB,
)
from synthetic.ehealth.registry import Divisions, DoctorParties, LegalEntities, pick_division


# ---------------------------------------------------------------------- employees
@dataclass
class Employees:
    """Per employee row (doctor rows first, party order; then the other rows)."""

    count: int
    parties: int  # doctor parties plus the staff's own parties
    party: np.ndarray
    entity: np.ndarray
    division: np.ndarray  # -1: no division
    type: np.ndarray
    status: np.ndarray
    is_active: np.ndarray
    hire: np.ndarray  # day offset from D of inserted_at
    hire_seconds: np.ndarray  # inserted_at's time of day
    role: np.ndarray  # why the row exists: PRIMARY_JOB, SECOND_JOB, ...


@dataclass
class _EmployeeRows:
    """Employee rows collected as parallel lists of arrays, concatenated at the end."""

    party: list[np.ndarray] = field(default_factory=list)
    entity: list[np.ndarray] = field(default_factory=list)
    division: list[np.ndarray] = field(default_factory=list)
    type: list[np.ndarray] = field(default_factory=list)
    status: list[np.ndarray] = field(default_factory=list)
    is_active: list[np.ndarray] = field(default_factory=list)
    hire: list[np.ndarray] = field(default_factory=list)
    role: list[np.ndarray] = field(default_factory=list)

    def add(self, party, entity, division, type_, status, is_active, hire, role=OTHER_ROW):
        """Append rows; ``type_``, ``status`` and ``is_active`` may be one value for all."""
        n = len(party)
        self.party.append(np.asarray(party, dtype=np.int64))
        self.entity.append(np.asarray(entity, dtype=np.int64))
        self.division.append(np.asarray(division, dtype=np.int64))
        self.type.append(np.full(n, type_) if np.isscalar(type_) else np.asarray(type_))
        self.status.append(np.full(n, status) if np.isscalar(status) else np.asarray(status))
        self.is_active.append(
            np.full(n, is_active) if np.isscalar(is_active) else np.asarray(is_active)
        )
        self.hire.append(np.asarray(hire, dtype=np.int64))
        self.role.append(np.full(n, role))


def employees(
    rng: np.random.Generator,
    entities: LegalEntities,
    divs: Divisions,
    doctors: DoctorParties,
) -> Employees:
    rows = _EmployeeRows()
    rows.party.append(np.arange(doctors.count))
    rows.entity.append(doctors.entity)
    rows.division.append(doctors.division)
    rows.type.append(np.full(doctors.count, DOCTOR))
    rows.status.append(doctors.status)
    rows.is_active.append(doctors.status != DISMISSED)
    rows.hire.append(doctors.hire)
    rows.role.append(np.full(doctors.count, PRIMARY_JOB, dtype=np.int64))
    _more_doctor_rows(rng, entities, divs, doctors, rows)
    parties = _staff_rows(rng, entities, divs, doctors, rows)
    count = sum(len(part) for part in rows.party)
    return Employees(
        count=count,
        parties=parties,
        party=np.concatenate(rows.party),
        entity=np.concatenate(rows.entity),
        division=np.concatenate(rows.division),
        type=np.concatenate(rows.type).astype(np.int64),
        status=np.concatenate(rows.status).astype(np.int64),
        is_active=np.concatenate(rows.is_active).astype(bool),
        hire=np.concatenate(rows.hire),
        # before any declaration that day
        hire_seconds=rng.integers(8 * 3600, 10 * 3600, size=count),
        role=np.concatenate(rows.role),
    )


def _more_doctor_rows(
    rng: np.random.Generator,
    entities: LegalEntities,
    divs: Divisions,
    doctors: DoctorParties,
    rows: _EmployeeRows,
) -> None:
    """Second jobs, second divisions, soft-deleted duplicates and former (dismissed) jobs."""
    count, entity, normal = doctors.count, doctors.entity, entities.normal_clinics
    approved_normal = (doctors.status == APPROVED) & ~doctors.at_offline_entity
    # second job at another legal entity (~9 %)
    dual = np.flatnonzero(approved_normal & (rng.random(count) < 0.09))
    u_entity, u_division = rng.random(len(dual)), rng.random(len(dual))
    cumulative = np.cumsum(doctors.clinic_p)
    dual_entity = normal[np.minimum(np.searchsorted(cumulative, u_entity), len(cumulative) - 1)]
    clash = dual_entity == entity[dual]
    dual_entity[clash] = normal[(np.searchsorted(normal, dual_entity[clash]) + 1) % len(normal)]
    dual_division = [
        pick_division(divs, int(e), u) for e, u in zip(dual_entity, u_division, strict=True)
    ]
    dual_hire = rng.integers(-1500, 0, size=len(dual))
    rows.add(dual, dual_entity, dual_division, DOCTOR, APPROVED, True, dual_hire, SECOND_JOB)
    # a second qualifying row at the same legal entity, another division (~2.5 %)
    division_counts = np.array([len(divs.active_of_entity[e]) for e in entity])
    multi_ok = approved_normal & (division_counts >= 2) & (doctors.hire < -30)
    multi = np.flatnonzero(multi_ok & (rng.random(count) < 0.025))
    multi_division = []
    for i in multi:
        active = divs.active_of_entity[entity[i]]
        position = int(np.flatnonzero(active == doctors.division[i])[0])
        multi_division.append(int(active[(position + 1) % len(active)]))
    hire = doctors.hire[multi]
    multi_hire = hire + 1 + (rng.random(len(multi)) * (-hire - 1)).astype(np.int64)
    rows.add(
        multi, entity[multi], multi_division, DOCTOR, APPROVED, True, multi_hire, SECOND_DIVISION
    )
    # soft-deleted older duplicate of the primary row (APPROVED, not active): ignored by rules
    dup = np.flatnonzero(approved_normal & (rng.random(count) < 0.01))
    dup_hire = np.maximum(-HISTORY_DAYS, doctors.hire[dup] - rng.integers(30, 400, size=len(dup)))
    rows.add(dup, entity[dup], doctors.division[dup], DOCTOR, APPROVED, False, dup_hire)
    # former jobs: dismissed rows, also at the closed legal entities
    former = np.flatnonzero(rng.random(count) < 0.06)
    former_pool = np.concatenate([normal, np.flatnonzero(entities.kind == LE_CLOSED)])
    former_entity = former_pool[rng.integers(0, len(former_pool), size=len(former))]
    former_division = [
        int(divs.active_of_entity[e][0])
        if len(divs.active_of_entity[e])
        else int(divs.first_of_entity[e])
        for e in former_entity
    ]
    former_hire = rng.integers(-HISTORY_DAYS, -400, size=len(former))
    rows.add(former, former_entity, former_division, DOCTOR, DISMISSED, False, former_hire)


def _staff_rows(
    rng: np.random.Generator,
    entities: LegalEntities,
    divs: Divisions,
    doctors: DoctorParties,
    rows: _EmployeeRows,
) -> int:
    """OWNER / ADMIN / HR / PHARMACIST rows with their own parties (a FOP's owner is its
    doctor); returns the number of parties."""
    next_party = doctors.count
    party, entity, division, type_, status, is_active, hire = [], [], [], [], [], [], []
    for e in range(len(entities.kind)):
        kind = entities.kind[e]
        is_fop = kind == LE_CLINIC and doctors.doctors_per_entity[e] <= 2
        for role in _staff_roles(rng, kind, int(doctors.doctors_per_entity[e])):
            if role == OWNER and is_fop:
                staff_party = int(doctors.first_party_of_entity[e])
            else:
                staff_party, next_party = next_party, next_party + 1
            active = divs.active_of_entity[e]
            staff_division = -1
            if role == PHARMACIST and len(active):
                staff_division = int(active[int(rng.integers(0, len(active)))])
            dismissed = kind == LE_CLOSED or rng.random() < 0.05
            party.append(staff_party)
            entity.append(e)
            division.append(staff_division)
            type_.append(role)
            status.append(DISMISSED if dismissed else APPROVED)
            is_active.append(not dismissed)
            hire.append(
                int(rng.integers(-HISTORY_DAYS - 400, -HISTORY_DAYS + 200))
                if role == OWNER
                else int(rng.integers(-HISTORY_DAYS, 0))
            )
    rows.add(party, entity, division, np.array(type_), np.array(status), np.array(is_active), hire)
    return next_party


def _staff_roles(rng: np.random.Generator, kind: int, doctor_count: int) -> list[int]:
    """The staff roles of one legal entity: an owner, admins, sometimes HR, pharmacists."""
    roles = [OWNER] + [ADMIN] * (0 if kind == LE_CLOSED else 1 + int(rng.random() < 0.4))
    if kind == LE_CLINIC and doctor_count >= 5 and rng.random() < 0.5:
        roles.append(HR)
    if kind == LE_PHARMACY:
        roles += [PHARMACIST] * int(rng.integers(2, 7))
    elif kind == LE_CLINIC and rng.random() < 0.10:
        roles.append(PHARMACIST)
    return roles

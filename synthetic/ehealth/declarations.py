"""Persons and their declarations: the active panels, older, rejected and pending ones.

Active declarations fill each qualifying employee row's panel; a surge doctor's block is
laid out by hand so its sign-up windows show the planted jump. Every other declaration is
drawn onto a doctor row hired by its day, away from the surge doctors' last 90 days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.ehealth.constants import (
    D_ACTIVE,
    D_CLOSED,
    D_PENDING,
    D_REJECTED,
    D_TERMINATED,
    DOCTOR,
    NEW,
    NEW_PATIENTS_DAYS,
    SIGN_UP_HORIZON_DAYS,
)
from synthetic.ehealth.doctors import Doctors, PlantedDoctors
from synthetic.ehealth.employees import Employees

# Day offsets (from D) of a surge doctor's planted sign-ups, kept a few days inside the
# report's windows: new ones in (D-30, D], previous ones in (D-90, D-30].
SURGE_NEW_DAYS = (-(NEW_PATIENTS_DAYS - 3), 1)  # [start, stop)
SURGE_PREVIOUS_DAYS = (-(SIGN_UP_HORIZON_DAYS - 5), -(NEW_PATIENTS_DAYS + 4))
# Last day a surge doctor's other patients may sign up: before both windows.
SURGE_QUIET_AFTER = -(SIGN_UP_HORIZON_DAYS + 1)


@dataclass
class Persons:
    """Per person: status and the doctor of the active declaration (-1: none)."""

    count: int
    is_inactive: np.ndarray
    doctor: np.ndarray

    @property
    def is_holder(self) -> np.ndarray:
        return self.doctor >= 0


@dataclass
class Declarations:
    """Per declaration, in id order (ids unrelated to content)."""

    count: int
    person: np.ndarray
    employee_row: np.ndarray
    day: np.ndarray  # day offset from D of start_date and inserted_at
    seconds: np.ndarray  # inserted_at's time of day
    status: np.ndarray
    is_active: np.ndarray


@dataclass
class _Batch:
    """Declarations of one kind before they are shuffled together."""

    person: np.ndarray
    employee_row: np.ndarray
    day: np.ndarray
    status: np.ndarray
    is_active: np.ndarray


def persons_and_declarations(
    rng: np.random.Generator,
    n_persons: int,
    staff: Employees,
    docs: Doctors,
    planted: PlantedDoctors,
    row_panel: np.ndarray,
) -> tuple[Persons, Declarations]:
    is_inactive = rng.random(n_persons) < 0.03
    active = _active_declarations(rng, is_inactive, staff, docs, planted, row_panel)
    doctor_of_row = np.full(staff.count, -1)
    doctor_of_row[docs.qualifying_rows] = docs.doctor_of_row
    persons = Persons(n_persons, is_inactive, np.full(n_persons, -1))
    persons.doctor[active.person] = doctor_of_row[active.employee_row]
    active_day = np.full(n_persons, 1 << 30, dtype=np.int64)
    active_day[active.person] = active.day

    surge_row = np.zeros(staff.count, dtype=bool)
    surge_row[docs.qualifying_rows] = planted.surge[docs.doctor_of_row]
    picker = _RowPicker(rng, staff.hire, surge_row)
    batches = [
        active,
        *_older_declarations(rng, persons, active_day, staff, picker),
        _pending_declarations(rng, persons, docs, picker),
    ]
    return persons, _shuffled(rng, batches)


def _active_declarations(
    rng: np.random.Generator,
    is_inactive: np.ndarray,
    staff: Employees,
    docs: Doctors,
    planted: PlantedDoctors,
    row_panel: np.ndarray,
) -> _Batch:
    """One active declaration per holder, day drawn by each row's sign-up trend."""
    n_persons = len(is_inactive)
    pool = np.flatnonzero(~is_inactive | (rng.random(n_persons) < 0.15))
    count = int(row_panel.sum())
    if count > len(pool):
        raise ValueError("panels exceed the persons available")
    holders = rng.permutation(pool)[:count]
    rows = np.repeat(np.arange(staff.count), row_panel)
    trend = rng.uniform(-0.3, 0.6, staff.count)  # sign-up trend per row: density ~ x**a
    hire = staff.hire[rows]
    x = rng.random(count) ** (1.0 / (trend[rows] + 1.0))
    day = hire + np.floor(x * (1 - hire)).astype(np.int64)
    block_start = np.concatenate([[0], np.cumsum(row_panel)[:-1]])
    for i in np.flatnonzero(planted.surge):
        row = docs.first_row[i]
        start, new, previous = block_start[row], planted.surge_new[i], planted.surge_previous[i]
        stop = start + row_panel[row]
        day[start : start + new] = rng.integers(*SURGE_NEW_DAYS, size=new)
        day[start + new : start + new + previous] = rng.integers(
            *SURGE_PREVIOUS_DAYS, size=previous
        )
        rest = stop - start - new - previous
        row_hire = staff.hire[row]
        day[start + new + previous : stop] = row_hire + np.floor(
            rng.random(rest) * (SURGE_QUIET_AFTER - row_hire + 1)
        ).astype(np.int64)
    return _Batch(holders, rows, day, np.full(count, D_ACTIVE), np.ones(count, dtype=bool))


class _RowPicker:
    """Draws an employee row for declarations of given days."""

    def __init__(self, rng: np.random.Generator, hire: np.ndarray, surge_row: np.ndarray):
        self._rng, self._hire, self._surge_row = rng, hire, surge_row

    def pick(self, days: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """A random row of `rows` (sorted by hire) hired on or before each day; surge
        doctors take nothing in their last 90 days except what is planted."""
        cutoff = np.searchsorted(self._hire[rows], days, side="right")
        out = rows[(self._rng.random(len(days)) * cutoff).astype(np.int64)]
        for _ in range(100):
            bad = np.flatnonzero(self._surge_row[out] & (days > SURGE_QUIET_AFTER))
            if not len(bad):
                break
            out[bad] = rows[(self._rng.random(len(bad)) * cutoff[bad]).astype(np.int64)]
        else:  # pragma: no cover - practically unreachable
            raise RuntimeError("could not place declarations away from surge doctors")
        return out

    def by_hire(self, rows: np.ndarray) -> np.ndarray:
        return rows[np.argsort(self._hire[rows], kind="stable")]


def _older_declarations(
    rng: np.random.Generator,
    persons: Persons,
    active_day: np.ndarray,
    staff: Employees,
    picker: _RowPicker,
) -> tuple[_Batch, _Batch]:
    """Terminated / closed declarations before the current one, and rejected ones; both
    on DOCTOR rows that ever were approved."""
    n_persons, is_holder = persons.count, persons.is_holder
    candidates = picker.by_hire(np.flatnonzero((staff.type == DOCTOR) & (staff.status != NEW)))
    min_hire = int(staff.hire[candidates][0])
    per_person = np.where(
        is_holder,
        rng.poisson(0.3, n_persons),
        np.where(rng.random(n_persons) < 0.6, 1 + rng.poisson(0.25, n_persons), 0),
    )
    person = np.repeat(np.arange(n_persons), per_person)
    upper = np.where(is_holder[person], active_day[person] - 1, 0)
    keep = upper >= min_hire
    person, upper = person[keep], upper[keep]
    day = min_hire + np.floor(rng.random(len(person)) * (upper - min_hire + 1)).astype(np.int64)
    rows = picker.pick(day, candidates)
    status = np.where(rng.random(len(person)) < 0.65, D_TERMINATED, D_CLOSED)
    soft_deleted = rng.random(len(person)) < 0.003  # 'active' but is_active false
    older = _Batch(
        person, rows, day, np.where(soft_deleted, D_ACTIVE, status), np.zeros(len(person), bool)
    )
    rejected_person = np.flatnonzero(rng.random(n_persons) < 0.015)
    rejected_day = rng.integers(min_hire, 1, size=len(rejected_person))
    rejected = _Batch(
        rejected_person,
        picker.pick(rejected_day, candidates),
        rejected_day,
        np.full(len(rejected_person), D_REJECTED),
        np.zeros(len(rejected_person), dtype=bool),
    )
    return older, rejected


def _pending_declarations(
    rng: np.random.Generator, persons: Persons, docs: Doctors, picker: _RowPicker
) -> _Batch:
    """Pending verification: recent, a few after D (ignored by the reports)."""
    person = np.flatnonzero(~persons.is_inactive & (rng.random(persons.count) < 0.0025))
    day = np.where(
        rng.random(len(person)) < 0.03,
        rng.integers(1, 4, size=len(person)),
        rng.integers(-14, 1, size=len(person)),
    )
    rows = picker.pick(day, picker.by_hire(docs.qualifying_rows))
    return _Batch(
        person, rows, day, np.full(len(person), D_PENDING), np.ones(len(person), dtype=bool)
    )


def _shuffled(rng: np.random.Generator, batches: list[_Batch]) -> Declarations:
    """All batches in one random order: rows in id order, ids unrelated to content."""
    person, row, day, status, is_active = (
        np.concatenate([getattr(batch, name) for batch in batches])
        for name in ("person", "employee_row", "day", "status", "is_active")
    )
    seconds = rng.integers(10 * 3600, 19 * 3600, size=len(day))
    order = rng.permutation(len(day))
    return Declarations(
        count=len(person),
        person=person[order],
        employee_row=row[order],
        day=day[order],
        seconds=seconds[order],
        status=status[order],
        is_active=is_active[order],
    )

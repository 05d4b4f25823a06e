"""Synthetic ``ehealth`` source schema: a national e-health registry replica (SPEC §4, §7).

Shape (scale 1 is production-like; counts grow linearly with ``scale``, with floors so the
default scale 0.02 still gives the fraud reports something to rank):

- ~170 legal entities (primary-care centres, outpatient clinics, one-doctor "FOP" practices)
  plus a few CLOSED ones and pharmacies; a few divisions each, every division with a
  REGISTRATION address and (~97 %) a RESIDENCE address, settlement types CITY ~50 %.
- ~2,400 doctor parties employed as DOCTOR at one legal entity, ~9 % at two; a few doctors
  have two qualifying employee rows (two divisions), some are NEW, DISMISSED or soft-deleted;
  OWNER / ADMIN / HR / PHARMACIST staff rows with their own parties.
- ~3 M persons; ~90 % hold exactly one active declaration with a doctor whose panel respects
  the speciality limit (family doctor 1,800, therapist 2,000, pediatrician 900); older
  terminated / closed declarations, rejected ones and pending_verification ones (a few
  inserted up to D+3 days, which the reports must ignore).
- Authentication methods OTP (phone in E.164-ish formats) / OFFLINE / NA, OFFLINE ~10 %;
  MOBILE and LAND_LINE phones in several text formats that normalize (digits only) to the
  same number, shared naturally within families of 2-4 persons.

Planted fraud patterns (returned as ``planted``; the reports of SPEC §7 must flag them):

- ``offline_doctors`` / ``offline_legal_entities``: small legal entities whose every patient
  is mostly OFFLINE, and single doctors with a mostly-OFFLINE panel inside large legal
  entities (one per legal entity, at most a quarter of that entity's patients, so the
  entity itself stays normal); offline share 0.82-0.95 against a normal 0.03-0.25.
- ``shared_phone_numbers``: numbers carried by 20-200 active patients of one doctor.
- ``surge_doctors``: doctors with lifetime > 1 year, 1-4 sign-ups in (D-90, D-30] and
  80-400 in (D-30, D]: patient_increase_30d >= 40 against a normal ~1.
- ``new_doctors``: doctors hired 30-80 days ago with 300-900 patients (informational:
  their patient_increase_30d is NULL by rule).

Each planted list is kept at about a third of what its report partition flags
(least(ceil(5 % of rows), 25)), at least one item.

Everything comes from the ``rng`` handed in, in a fixed order: same (seed, scale, as_of)
gives byte-identical tables. Large columns are numpy arrays rendered to text lazily, chunk
by chunk, as ``copy_columns`` streams them.

One entry function, :func:`build`; it calls the steps below in their drawing order:
``registry`` (legal entities, divisions, doctor parties, employees), ``doctors`` (panels and
the planted doctors), ``declarations`` (persons), ``phones`` (authentication, households,
numbers) and ``tables`` (ids, names, the columns and the planted manifest).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from synthetic._common import Tables
from synthetic.ehealth import declarations, doctors, employees, phones, registry, tables
from synthetic.ehealth.constants import Sizes

__all__ = ["build"]


def build(rng: np.random.Generator, scale: float, as_of: date) -> tuple[Tables, dict[str, Any]]:
    """All ehealth tables as columns (not yet written) and the planted-pattern manifest."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    sizes = Sizes.for_scale(scale)
    entities = registry.legal_entities(rng, sizes)
    divs = registry.divisions(rng, sizes, entities)
    parties = registry.doctor_parties(rng, sizes, entities, divs)
    staff = employees.employees(rng, entities, divs, parties)
    docs = doctors.doctors(rng, sizes, entities, divs, parties, staff)
    planted = doctors.plant_doctors(rng, entities, staff, docs)
    row_panel = doctors.employee_panels(staff, docs)
    persons, decl = declarations.persons_and_declarations(
        rng, sizes.persons, staff, docs, planted, row_panel
    )
    auth = phones.authentication_types(rng, persons, docs)
    homes = phones.households(rng, persons.count)
    numbers = phones.person_numbers(rng, scale, auth, homes)
    shared_numbers = phones.plant_shared_numbers(rng, scale, persons, auth, docs, planted, numbers)
    phone_rows = phones.phone_rows(rng, homes, numbers)
    auth_rows = phones.authentication_rows(rng, auth, numbers)
    pools = tables.ids(rng, divs, staff, persons, decl)
    text = tables.labels(rng, entities, divs, parties, staff)
    columns = {
        **tables.registry_tables(as_of, divs, staff, pools, text),
        **tables.person_tables(as_of, staff, persons, auth_rows, phone_rows, decl, pools),
    }
    return columns, tables.planted_manifest(entities, docs, planted, shared_numbers, pools)

"""The ehealth tables as columns, and the manifest of what was planted.

Ids and names are drawn last, after every decision about content, so a change to how
names look never moves the data the reports read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from synthetic._common import Tables
from synthetic.ehealth.columns import (
    LazyColumn,
    code_column,
    id_column,
    nullable_id_column,
    phone_column,
    sorted_uuids,
    timestamps,
    unique_ints,
    uuid_pool,
    uuid_text,
)
from synthetic.ehealth.constants import (
    AUTH_TYPES,
    DECL_STATUSES,
    EMP_STATUSES,
    EMP_TYPES,
    LE_CLINIC,
    LE_CLOSED,
    LE_PHARMACY,
    PHONE_TYPES,
    SETTLEMENTS,
    VILLAGE,
)
from synthetic.ehealth.declarations import Declarations, Persons
from synthetic.ehealth.doctors import Doctors, PlantedDoctors
from synthetic.ehealth.employees import Employees
from synthetic.ehealth.names import CITIES, FIRST_NAMES, LAST_NAMES, VILLAGES
from synthetic.ehealth.phones import PhoneRows
from synthetic.ehealth.registry import Divisions, DoctorParties, LegalEntities


@dataclass
class Ids:
    """uuid byte pools, one row per entity; persons and declarations in text order."""

    legal_entities: np.ndarray
    divisions: np.ndarray
    parties: np.ndarray
    employees: np.ndarray
    persons: np.ndarray
    declarations: np.ndarray


@dataclass
class Labels:
    """The human-readable columns of the registry tables."""

    party_first_names: list[str]
    party_last_names: list[str]
    entity_names: list[str]
    entity_types: list[str]
    entity_statuses: list[str]
    edrpou: list[str]
    division_names: list[str]
    division_types: list[str]


def ids(
    rng: np.random.Generator,
    divs: Divisions,
    staff: Employees,
    persons: Persons,
    declarations: Declarations,
) -> Ids:
    return Ids(
        legal_entities=uuid_pool(rng, len(divs.per_entity)),
        divisions=uuid_pool(rng, divs.count),
        parties=uuid_pool(rng, staff.parties),
        employees=uuid_pool(rng, staff.count),
        persons=sorted_uuids(uuid_pool(rng, persons.count)),
        declarations=sorted_uuids(uuid_pool(rng, declarations.count)),
    )


def labels(
    rng: np.random.Generator,
    entities: LegalEntities,
    divs: Divisions,
    parties: DoctorParties,
    staff: Employees,
) -> Labels:
    first = rng.integers(0, len(FIRST_NAMES), size=staff.parties)
    last = rng.integers(0, len(LAST_NAMES), size=staff.parties)
    first_names = [FIRST_NAMES[i] for i in first]
    last_names = [LAST_NAMES[i] for i in last]
    n_entities = len(entities.kind)
    place = rng.integers(0, len(CITIES), size=n_entities)
    village = rng.integers(0, len(VILLAGES), size=n_entities)
    number = rng.integers(1, 15, size=n_entities)
    is_outpatient = rng.random(n_entities) < 0.15
    edrpou = 10_000_000 + unique_ints(rng, n_entities, 90_000_000)
    entity_names, entity_types = [], []
    for e in range(n_entities):
        town = CITIES[place[e]] if entities.is_urban[e] else f"{VILLAGES[village[e]]} hromada"
        if entities.kind[e] == LE_PHARMACY:
            entity_names.append(
                f"Pharmacy chain Apteka {LAST_NAMES[int(number[e]) % len(LAST_NAMES)]} LLC"
            )
            entity_types.append("PHARMACY")
        elif entities.kind[e] == LE_CLINIC and parties.doctors_per_entity[e] <= 2:
            owner = int(parties.first_party_of_entity[e])
            entity_names.append(f"FOP {last_names[owner]} {first_names[owner][0]}.")
            entity_types.append("PRIMARY_CARE")
        elif is_outpatient[e]:
            entity_names.append(f"Outpatient Clinic No {number[e]} of {town}")
            entity_types.append("OUTPATIENT")
        else:
            entity_names.append(f"Primary Health Care Centre No {number[e]} of {town}")
            entity_types.append("PRIMARY_CARE")
    division_names, division_types = _division_labels(rng, entities, divs)
    return Labels(
        party_first_names=first_names,
        party_last_names=last_names,
        entity_names=entity_names,
        entity_types=entity_types,
        entity_statuses=["CLOSED" if kind == LE_CLOSED else "ACTIVE" for kind in entities.kind],
        edrpou=[str(v) for v in edrpou],
        division_names=division_names,
        division_types=division_types,
    )


def _division_labels(
    rng: np.random.Generator, entities: LegalEntities, divs: Divisions
) -> tuple[list[str], list[str]]:
    """(name, type) per division: drugstores, main offices, village FAPs, ambulatories."""
    names, types = [], []
    village = rng.integers(0, len(VILLAGES), size=divs.count)
    for d in range(divs.count):
        rank = divs.rank[d]
        if entities.kind[divs.entity[d]] == LE_PHARMACY:
            names.append(f"Drugstore No {rank + 1}")
            types.append("DRUGSTORE")
        elif rank == 0:
            names.append("Main office")
            types.append("CLINIC")
        elif divs.settlement[d] == VILLAGE:
            names.append(f"FAP {VILLAGES[village[d]]}")
            types.append("FAP")
        else:
            names.append(f"Ambulatory of general practice No {rank}")
            types.append("AMBULANT_CLINIC")
    return names, types


def registry_tables(
    as_of: date, divs: Divisions, staff: Employees, pools: Ids, text: Labels
) -> Tables:
    """Legal entities, divisions and their addresses, parties, employees."""
    address_division = np.concatenate([np.arange(divs.count), np.flatnonzero(divs.has_residence)])
    address_type = np.concatenate(
        [
            np.zeros(divs.count, dtype=np.int64),
            np.ones(int(divs.has_residence.sum()), dtype=np.int64),
        ]
    )
    address_settlement = np.concatenate(
        [divs.registration_settlement, divs.settlement[divs.has_residence]]
    )
    address_order = np.lexsort((address_type, address_division))
    return {
        "ehealth.legal_entities": {
            "id": id_column(pools.legal_entities),
            "name": text.entity_names,
            "edrpou": text.edrpou,
            "type": text.entity_types,
            "status": text.entity_statuses,
        },
        "ehealth.divisions": {
            "id": id_column(pools.divisions),
            "legal_entity_id": id_column(pools.legal_entities, divs.entity),
            "name": text.division_names,
            "type": text.division_types,
            "status": np.where(divs.is_active, "ACTIVE", "INACTIVE"),
            "is_active": divs.is_active,
        },
        "ehealth.division_addresses": {
            "division_id": id_column(pools.divisions, address_division[address_order]),
            "type": np.array(["REGISTRATION", "RESIDENCE"])[address_type[address_order]],
            "settlement_type": SETTLEMENTS[address_settlement[address_order]],
        },
        "ehealth.parties": {
            "id": id_column(pools.parties),
            "first_name": text.party_first_names,
            "last_name": text.party_last_names,
        },
        "ehealth.employees": {
            "id": id_column(pools.employees),
            "party_id": id_column(pools.parties, staff.party),
            "legal_entity_id": id_column(pools.legal_entities, staff.entity),
            "division_id": nullable_id_column(pools.divisions, staff.division),
            "employee_type": EMP_TYPES[staff.type],
            "status": EMP_STATUSES[staff.status],
            "is_active": staff.is_active,
            "inserted_at": timestamps(as_of, staff.hire, staff.hire_seconds),
        },
    }


def person_tables(
    as_of: date,
    staff: Employees,
    persons: Persons,
    auth_rows: PhoneRows,
    phones: PhoneRows,
    decl: Declarations,
    pools: Ids,
) -> Tables:
    """Persons, their authentication methods and phones, declarations (rendered lazily)."""
    return {
        "ehealth.persons": {
            "id": id_column(pools.persons),
            "status": np.where(persons.is_inactive, "inactive", "active"),
        },
        "ehealth.person_authentication_methods": {
            "person_id": id_column(pools.persons, auth_rows.person),
            "type": code_column(AUTH_TYPES, auth_rows.type),
            "phone_number": phone_column(auth_rows.number, auth_rows.format),
        },
        "ehealth.person_phones": {
            "person_id": id_column(pools.persons, phones.person),
            "type": code_column(PHONE_TYPES, phones.type),
            "number": phone_column(phones.number, phones.format),
        },
        "ehealth.declarations": {
            "id": id_column(pools.declarations),
            "person_id": id_column(pools.persons, decl.person),
            "employee_id": id_column(pools.employees, decl.employee_row),
            "legal_entity_id": id_column(pools.legal_entities, staff.entity[decl.employee_row]),
            "division_id": id_column(pools.divisions, staff.division[decl.employee_row]),
            "status": code_column(DECL_STATUSES, decl.status),
            "is_active": decl.is_active,
            "start_date": LazyColumn(
                decl.count,
                lambda a, b: np.datetime_as_string(
                    np.datetime64(as_of, "D") + decl.day[a:b], unit="D"
                ),
            ),
            "inserted_at": LazyColumn(
                decl.count, lambda a, b: timestamps(as_of, decl.day[a:b], decl.seconds[a:b])
            ),
        },
    }


def planted_manifest(
    entities: LegalEntities,
    docs: Doctors,
    planted: PlantedDoctors,
    shared_numbers: list[int],
    pools: Ids,
) -> dict[str, Any]:
    """What the fraud reports must flag, by the ids they will show."""

    def uid(pool: np.ndarray, i: int) -> str:
        return str(uuid_text(pool[i : i + 1])[0])

    def doctor_key(i: int) -> list[str]:
        return [
            uid(pools.parties, int(docs.party[i])),
            uid(pools.legal_entities, int(docs.entity[i])),
        ]

    def settlement(is_city: bool) -> str:
        return "CITY" if is_city else "OTHER"

    offline_entities = np.flatnonzero(entities.is_offline)
    return {
        "offline_doctors": sorted(doctor_key(i) for i in np.flatnonzero(planted.offline)),
        "offline_legal_entities": sorted(
            uid(pools.legal_entities, int(e)) for e in offline_entities
        ),
        "shared_phone_numbers": sorted(str(n) for n in shared_numbers),
        "surge_doctors": sorted(doctor_key(i) for i in np.flatnonzero(planted.surge)),
        "new_doctors": sorted(doctor_key(i) for i in np.flatnonzero(planted.new)),
        "settlement_type": {
            "offline_doctors": sorted(
                [*doctor_key(i), settlement(bool(docs.is_city[i]))]
                for i in np.flatnonzero(planted.offline)
            ),
            "offline_legal_entities": sorted(
                [uid(pools.legal_entities, int(e)), settlement(bool(entities.is_urban[e]))]
                for e in offline_entities
            ),
        },
    }

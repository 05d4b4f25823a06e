"""The registry's organisations: legal entities, their divisions, the doctor parties.

Every function draws from the ``rng`` it is handed, in the order :func:`ehealth.build`
calls them; moving a draw changes every table after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.ehealth.constants import (
    APPROVED,
    CITY,
    DISMISSED,
    HISTORY_DAYS,
    LE_CLINIC,
    LE_CLOSED,
    LE_PHARMACY,
    NEW,
    SPECIALITY_LIMITS,
    SPECIALITY_P,
    Sizes,
    plant_count,
)


# ---------------------------------------------------------------- legal entities
@dataclass
class LegalEntities:
    """Per legal entity (clinics first, then closed ones, then pharmacies)."""

    kind: np.ndarray  # LE_CLINIC / LE_CLOSED / LE_PHARMACY
    weight: np.ndarray  # relative size: share of doctors and divisions
    is_urban: np.ndarray
    is_offline: np.ndarray  # planted: the first 2k clinics, k CITY then k OTHER
    offline_per_class: int  # k
    normal_clinics: np.ndarray  # indexes of the clinics that are not planted offline


def legal_entities(rng: np.random.Generator, sizes: Sizes) -> LegalEntities:
    count = sizes.legal_entities
    kind = np.concatenate(
        [
            np.full(sizes.clinics, LE_CLINIC),
            np.full(sizes.closed, LE_CLOSED),
            np.full(sizes.pharmacies, LE_PHARMACY),
        ]
    )
    weight = rng.lognormal(0.0, 0.8, size=count)
    # a fixed share of urban entities (not a coin per entity: small scales stay balanced);
    # city clinics are larger on average
    is_urban = np.zeros(count, dtype=bool)
    is_urban[rng.permutation(count)[: round(0.55 * count)]] = True
    weight[is_urban] *= 1.3
    # planted offline legal entities: the first k of the clinics are CITY, the next k OTHER
    offline_per_class = plant_count(0.6 * sizes.clinics)
    is_offline = np.zeros(count, dtype=bool)
    is_offline[: 2 * offline_per_class] = True
    is_urban[:offline_per_class] = True
    is_urban[offline_per_class : 2 * offline_per_class] = False
    return LegalEntities(
        kind=kind,
        weight=weight,
        is_urban=is_urban,
        is_offline=is_offline,
        offline_per_class=offline_per_class,
        normal_clinics=np.flatnonzero((kind == LE_CLINIC) & ~is_offline),
    )


# ---------------------------------------------------------------------- divisions
@dataclass
class Divisions:
    """Per division, grouped by legal entity (an entity's main division first)."""

    count: int
    per_entity: np.ndarray
    first_of_entity: np.ndarray  # index of each entity's main division
    entity: np.ndarray
    rank: np.ndarray  # 0 = the entity's main division
    settlement: np.ndarray  # RESIDENCE settlement code (SETTLEMENTS)
    has_residence: np.ndarray
    registration_settlement: np.ndarray
    is_city: np.ndarray  # the report's class: a RESIDENCE address in a CITY
    is_active: np.ndarray
    active_of_entity: list[np.ndarray]  # each entity's active divisions


def divisions(rng: np.random.Generator, sizes: Sizes, entities: LegalEntities) -> Divisions:
    per_entity = np.ones(sizes.legal_entities, dtype=np.int64)
    weight, normal = entities.weight, entities.normal_clinics
    clinic_extra = np.minimum(6, rng.poisson(0.4 + weight / weight[: sizes.clinics].mean()))
    per_entity[normal] += clinic_extra[normal]
    pharmacy = entities.kind == LE_PHARMACY
    per_entity[pharmacy] += np.minimum(4, rng.poisson(1.5, size=sizes.legal_entities))[pharmacy]
    first_of_entity = np.concatenate([[0], np.cumsum(per_entity)[:-1]])
    count = int(per_entity.sum())
    entity = np.repeat(np.arange(sizes.legal_entities), per_entity)
    rank = np.arange(count) - first_of_entity[entity]
    settlement, has_residence, registration = _settlements(rng, entities, entity)

    is_active = np.ones(count, dtype=bool)
    entity_kind = entities.kind[entity]
    is_active[(rank > 0) & (rng.random(count) < 0.04) & (entity_kind == LE_CLINIC)] = False
    is_active[entity_kind == LE_CLOSED] = False
    active_of_entity = [
        np.flatnonzero(is_active[first : first + n]) + first
        for first, n in zip(first_of_entity, per_entity, strict=True)
    ]
    return Divisions(
        count=count,
        per_entity=per_entity,
        first_of_entity=first_of_entity,
        entity=entity,
        rank=rank,
        settlement=settlement,
        has_residence=has_residence,
        registration_settlement=registration,
        is_city=has_residence & (settlement == CITY),
        is_active=is_active,
        active_of_entity=active_of_entity,
    )


def _settlements(
    rng: np.random.Generator, entities: LegalEntities, division_entity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RESIDENCE settlement, has a RESIDENCE address, REGISTRATION settlement) per division.

    RESIDENCE is CITY mostly for urban entities, rarely for rural ones; a planted offline
    entity's divisions all have one, in its planted class.
    """
    count = len(division_entity)
    urban = entities.is_urban[division_entity]
    city = rng.random(count) < np.where(urban, 0.85, 0.10)
    non_city = rng.choice([1, 2, 3], size=count, p=[0.40, 0.48, 0.12])
    settlement = np.where(city, CITY, non_city)
    has_residence = rng.random(count) < 0.97
    offline = entities.is_offline[division_entity]
    has_residence[offline] = True
    settlement[offline & urban] = CITY
    settlement[offline & ~urban] = non_city[offline & ~urban]
    # REGISTRATION settlement: mostly the same place, sometimes another one
    other_place = rng.choice(4, size=count, p=[0.55, 0.15, 0.25, 0.05])
    registration = np.where(rng.random(count) < 0.85, settlement, other_place)
    return settlement, has_residence, registration


def pick_division(divisions: Divisions, entity: int, u: float) -> int:
    """An active division of ``entity`` for a uniform ``u``; main divisions are likelier."""
    active = divisions.active_of_entity[entity]
    return int(active[min(len(active) - 1, int(u**1.6 * len(active)))])


# ---------------------------------------------------------------- doctor parties
@dataclass
class DoctorParties:
    """Per doctor party (a person working as DOCTOR): the primary job's employee row."""

    count: int
    entity: np.ndarray
    division: np.ndarray
    is_first_of_entity: np.ndarray  # the entity's first doctor (FOP owner, always APPROVED)
    at_offline_entity: np.ndarray
    limit: np.ndarray  # declaration limit of the party's speciality
    hire: np.ndarray  # day offset from D of the primary row's inserted_at
    status: np.ndarray
    clinic_p: np.ndarray  # probability of each normal clinic (weight share)
    doctors_per_entity: np.ndarray
    first_party_of_entity: np.ndarray  # -1 where the entity has no doctor


def doctor_parties(
    rng: np.random.Generator, sizes: Sizes, entities: LegalEntities, divs: Divisions
) -> DoctorParties:
    count, offline_per_class = sizes.doctor_parties, entities.offline_per_class
    normal = entities.normal_clinics
    # one doctor per offline legal entity; at larger scales sometimes two (while few entities)
    two_ok = sizes.clinics >= 60 and offline_per_class <= 3
    per_offline = np.where(two_ok, 1 + (rng.random(2 * offline_per_class) < 0.5), 1)
    entity = np.concatenate([np.repeat(np.arange(2 * offline_per_class), per_offline), normal])
    rest = count - len(entity)
    if rest < 0:
        raise ValueError("too few doctor parties for the legal entities")
    clinic_p = entities.weight[normal] / entities.weight[normal].sum()
    entity = np.concatenate([entity, rng.choice(normal, size=rest, p=clinic_p)])
    is_first = np.zeros(count, dtype=bool)
    is_first[np.unique(entity, return_index=True)[1]] = True
    at_offline = entities.is_offline[entity]
    speciality = rng.choice(3, size=count, p=SPECIALITY_P)
    u_division = rng.random(count)
    division = np.array(
        [pick_division(divs, int(e), u) for e, u in zip(entity, u_division, strict=True)]
    )
    hire, status = _hires_and_statuses(rng, count, is_first, at_offline)
    first_party_of_entity = np.full(sizes.legal_entities, -1)
    first_party_of_entity[entity[is_first]] = np.flatnonzero(is_first)
    return DoctorParties(
        count=count,
        entity=entity,
        division=division,
        is_first_of_entity=is_first,
        at_offline_entity=at_offline,
        limit=SPECIALITY_LIMITS[speciality],
        hire=hire,
        status=status,
        clinic_p=clinic_p,
        doctors_per_entity=np.bincount(entity, minlength=sizes.legal_entities),
        first_party_of_entity=first_party_of_entity,
    )


def _hires_and_statuses(
    rng: np.random.Generator, count: int, is_first: np.ndarray, at_offline: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hire day and status of each doctor's primary row.

    Most were hired over the history, a third right at its start; doctors of planted
    offline entities are long-serving and APPROVED; NEW rows are recent (a few after D).
    """
    r = rng.random(count)
    hire = np.where(
        r < 0.30,
        rng.integers(-HISTORY_DAYS, -HISTORY_DAYS + 90, size=count),
        np.where(
            r < 0.95,
            rng.integers(-HISTORY_DAYS + 90, -90, size=count),
            rng.integers(-90, 0, size=count),
        ),
    )
    hire[at_offline] = rng.integers(-HISTORY_DAYS, -180, size=count)[at_offline]
    r = rng.random(count)
    status = np.where(r < 0.955, APPROVED, np.where(r < 0.97, NEW, DISMISSED))
    status[is_first | at_offline] = APPROVED
    new_hire = rng.integers(-60, 4, size=count)
    return np.where(status == NEW, new_hire, hire), status

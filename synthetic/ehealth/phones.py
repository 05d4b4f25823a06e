"""Authentication methods, households and phone numbers, with the planted shared numbers.

Families of 2-4 persons share numbers naturally (a shared mobile, a land line, an OTP on
the head's phone); the planted numbers are carried by 20-200 active patients of one doctor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthetic.ehealth.columns import landline_numbers, mobile_numbers, unique_ints
from synthetic.ehealth.constants import (
    INTERNATIONAL_FORMAT,
    LAND_LINE,
    LANDLINE_AREAS,
    LOCAL_FORMATS,
    MOBILE,
    MOBILE_OPERATORS,
    NA,
    OFFLINE,
    OTP,
    PHONE_FORMAT_P,
    SUBSCRIBERS,
)
from synthetic.ehealth.declarations import Persons
from synthetic.ehealth.doctors import Doctors, PlantedDoctors


@dataclass
class Households:
    """Per household (persons in random order, cut into families of 1-4)."""

    count: int
    size: np.ndarray
    of_person: np.ndarray
    head: np.ndarray  # the person at the head
    shares_mobile: np.ndarray
    has_landline: np.ndarray


@dataclass
class PersonNumbers:
    """Per person: its numbers (0: none); mutated while planting shared numbers."""

    has_mobile: np.ndarray
    mobile: np.ndarray
    second_mobile: np.ndarray  # 0: none
    lists_landline: np.ndarray
    landline_of_household: np.ndarray
    otp: np.ndarray  # the OTP authentication number
    planted: np.ndarray  # numbers reserved for the planted pattern


@dataclass
class PhoneRows:
    """Rows of person_phones or person_authentication_methods, sorted by (person, type)."""

    person: np.ndarray
    type: np.ndarray
    number: np.ndarray  # 0 -> NULL
    format: np.ndarray  # index into PHONE_FORMATS


def authentication_types(rng: np.random.Generator, persons: Persons, docs: Doctors) -> np.ndarray:
    """Each person's authentication type; OFFLINE follows the doctor's propensity."""
    offline_p = np.where(persons.is_holder, docs.offline_p[np.maximum(persons.doctor, 0)], 0.08)
    u = rng.random(persons.count)
    return np.where(u < offline_p, OFFLINE, np.where(rng.random(persons.count) < 0.88, OTP, NA))


def households(rng: np.random.Generator, n_persons: int) -> Households:
    size = rng.choice([1, 2, 3, 4], size=n_persons, p=[0.50, 0.27, 0.14, 0.09])
    ends = np.cumsum(size)
    count = int(np.searchsorted(ends, n_persons)) + 1
    size = size[:count]
    size[-1] -= int(ends[count - 1] - n_persons)
    order = rng.permutation(n_persons)  # persons in household order
    of_person = np.empty(n_persons, dtype=np.int64)
    of_person[order] = np.repeat(np.arange(count), size)
    return Households(
        count=count,
        size=size,
        of_person=of_person,
        head=order[np.concatenate([[0], np.cumsum(size)[:-1]])],
        shares_mobile=(size >= 2) & (rng.random(count) < 0.30),
        has_landline=rng.random(count) < 0.08,
    )


class _NumberPool:
    """Distinct mobile numbers handed out in order."""

    def __init__(self, numbers: np.ndarray) -> None:
        self._numbers, self._next = numbers, 0

    def take(self, n: int) -> np.ndarray:
        out = self._numbers[self._next : self._next + n]
        self._next += n
        return out


def person_numbers(
    rng: np.random.Generator, scale: float, auth: np.ndarray, homes: Households
) -> PersonNumbers:
    """Mobiles (own or the family's shared one), second mobiles, land lines, OTP numbers."""
    n_persons = len(auth)
    has_mobile = (rng.random(n_persons) < 0.93) | (auth == OTP)
    in_sharing_home = homes.shares_mobile[homes.of_person]
    own_mobile = has_mobile & ~in_sharing_home
    has_second = has_mobile & (rng.random(n_persons) < 0.02)
    n_planted = max(3, min(12, round(12 * scale**0.3)))
    wanted = int(own_mobile.sum()) + int(homes.shares_mobile.sum()) + int(has_second.sum())
    pool = _NumberPool(
        mobile_numbers(unique_ints(rng, wanted + n_planted, len(MOBILE_OPERATORS) * SUBSCRIBERS))
    )
    mobile = np.zeros(n_persons, dtype=np.int64)
    mobile[own_mobile] = pool.take(int(own_mobile.sum()))
    home_number = np.zeros(homes.count, dtype=np.int64)
    home_number[homes.shares_mobile] = pool.take(int(homes.shares_mobile.sum()))
    shared = has_mobile & in_sharing_home
    mobile[shared] = home_number[homes.of_person[shared]]
    second = np.zeros(n_persons, dtype=np.int64)
    second[has_second] = pool.take(int(has_second.sum()))
    planted = pool.take(n_planted)
    landline = np.zeros(homes.count, dtype=np.int64)
    landline[homes.has_landline] = landline_numbers(
        unique_ints(rng, int(homes.has_landline.sum()), len(LANDLINE_AREAS) * SUBSCRIBERS)
    )
    # every member of a household with a land line may list it; the head always does
    everyone = np.arange(n_persons)
    head = homes.head[homes.of_person]
    is_head = head == everyone
    lists_landline = homes.has_landline[homes.of_person] & (is_head | (rng.random(n_persons) < 0.6))

    # OTP number: the person's mobile; in non-shared families sometimes the head's phone
    otp = np.where(auth == OTP, mobile, 0)
    borrow = (auth == OTP) & ~in_sharing_home & (homes.size[homes.of_person] >= 2)
    borrow &= head != everyone
    borrow &= (rng.random(n_persons) < 0.05) & (mobile[head] > 0)
    otp[borrow] = mobile[head[borrow]]
    return PersonNumbers(
        has_mobile=has_mobile,
        mobile=mobile,
        second_mobile=second,
        lists_landline=lists_landline,
        landline_of_household=landline,
        otp=otp,
        planted=planted,
    )


def plant_shared_numbers(
    rng: np.random.Generator,
    scale: float,
    persons: Persons,
    auth: np.ndarray,
    docs: Doctors,
    planted: PlantedDoctors,
    numbers: PersonNumbers,
) -> list[int]:
    """Give each planted number to 20-200 active patients of one (unplanted) doctor."""
    upper_count = int(np.clip(round(200 * math.sqrt(scale)), 40, 200))
    counts = rng.integers(20, upper_count + 1, size=len(numbers.planted))
    eligible = ~planted.offline & ~planted.surge & ~planted.new & (docs.panel >= 2 * upper_count)
    chosen_doctors = rng.permutation(np.flatnonzero(eligible))[: len(numbers.planted)]
    if len(chosen_doctors) < len(numbers.planted):
        raise ValueError("not enough doctors to plant shared phone numbers")
    active_holder = persons.is_holder & ~persons.is_inactive
    shared: list[int] = []
    for number, count, doctor in zip(numbers.planted, counts, chosen_doctors, strict=True):
        patients = np.flatnonzero(active_holder & (persons.doctor == doctor))
        chosen = np.sort(rng.choice(patients, size=int(count), replace=False))
        numbers.mobile[chosen] = number
        numbers.has_mobile[chosen] = True
        numbers.otp[chosen[auth[chosen] == OTP]] = number
        shared.append(int(number))
    return shared


def phone_rows(rng: np.random.Generator, homes: Households, numbers: PersonNumbers) -> PhoneRows:
    """person_phones: every mobile, second mobile and listed land line, in varied formats
    (local spellings only for numbers nobody else carries)."""
    everyone = np.arange(len(numbers.mobile))
    has_second = numbers.second_mobile > 0
    person = np.concatenate(
        [everyone[numbers.has_mobile], everyone[has_second], everyone[numbers.lists_landline]]
    )
    type_ = np.concatenate(
        [
            np.full(int(numbers.has_mobile.sum()), MOBILE, dtype=np.int64),
            np.full(int(has_second.sum()), MOBILE, dtype=np.int64),
            np.full(int(numbers.lists_landline.sum()), LAND_LINE, dtype=np.int64),
        ]
    )
    number = np.concatenate(
        [
            numbers.mobile[numbers.has_mobile],
            numbers.second_mobile[has_second],
            numbers.landline_of_household[homes.of_person[numbers.lists_landline]],
        ]
    )
    format_ = rng.choice(5, size=len(person), p=PHONE_FORMAT_P)
    alone = (homes.size[homes.of_person[person]] == 1) & (type_ == MOBILE)
    alone &= ~np.isin(number, numbers.planted)
    local = alone & (rng.random(len(person)) < 0.03)
    format_[local] = rng.integers(*LOCAL_FORMATS, size=len(person))[local]
    order = np.lexsort((type_, person))
    return PhoneRows(person[order], type_[order], number[order], format_[order])


def authentication_rows(
    rng: np.random.Generator, auth: np.ndarray, numbers: PersonNumbers
) -> PhoneRows:
    """person_authentication_methods: one row per person (a few have none, a few an extra
    NA row); OTP numbers mostly in the international format."""
    everyone = np.arange(len(auth))
    extra_na = (auth == OTP) & (rng.random(len(auth)) < 0.01)
    no_auth = (auth == NA) & (rng.random(len(auth)) < 0.05)
    person = np.concatenate([everyone[~no_auth], everyone[extra_na]])
    type_ = np.concatenate([auth[~no_auth], np.full(int(extra_na.sum()), NA)])
    number = np.concatenate([numbers.otp[~no_auth], np.zeros(int(extra_na.sum()), dtype=np.int64)])
    format_ = np.where(
        rng.random(len(person)) < 0.7,
        INTERNATIONAL_FORMAT,
        rng.choice(5, size=len(person), p=PHONE_FORMAT_P),
    )
    order = np.lexsort((type_, person))
    return PhoneRows(person[order], type_[order], number[order], format_[order])

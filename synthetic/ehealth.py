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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import psycopg

from synthetic._common import Advance, copy_columns

Reporter = Callable[[str, int], Advance]

# ---------------------------------------------------------------- sizes (scale 1)
PERSONS_PER_SCALE = 3_000_000
DOCTOR_PARTIES_PER_SCALE = 2_400
LEGAL_ENTITIES_PER_SCALE = 170
MIN_PERSONS = 30_000
MIN_DOCTOR_PARTIES = 64
MIN_LEGAL_ENTITIES = 14

HISTORY_DAYS = 5 * 365  # the registry's history: doctors hired over the last ~5 years
ACTIVE_SHARE = 0.90  # persons holding an active declaration (target)

# report rules the planted patterns are sized against (SPEC §7)
REPORT_SHARE = 0.05
REPORT_MAX_ROWS = 25

# speciality: declaration limit on active declarations (kept implicit in the tables)
SPECIALITY_LIMITS = np.array([1_800, 2_000, 900])
SPECIALITY_P = [0.60, 0.25, 0.15]  # family doctor, therapist, pediatrician

# codes
LE_CLINIC, LE_CLOSED, LE_PHARMACY = 0, 1, 2
SETTLEMENTS = np.array(["CITY", "TOWNSHIP", "VILLAGE", "SETTLEMENT"])
EMP_TYPES = np.array(["DOCTOR", "OWNER", "ADMIN", "HR", "PHARMACIST"])
DOCTOR, OWNER, ADMIN, HR, PHARMACIST = range(5)
EMP_STATUSES = np.array(["NEW", "APPROVED", "DISMISSED"])
NEW, APPROVED, DISMISSED = range(3)
DECL_STATUSES = np.array(["active", "pending_verification", "terminated", "closed", "rejected"])
D_ACTIVE, D_PENDING, D_TERMINATED, D_CLOSED, D_REJECTED = range(5)
AUTH_TYPES = np.array(["OTP", "OFFLINE", "NA"])
OTP, OFFLINE, NA = range(3)

MOBILE_OPERATORS = np.array([50, 63, 66, 67, 68, 73, 93, 95, 96, 97, 98, 99], dtype=np.int64)
LANDLINE_AREAS = np.array([44, 32, 57, 48, 56, 61, 62, 43, 41, 35], dtype=np.int64)
SUBSCRIBERS = 10_000_000  # 7-digit subscriber numbers

# Text formats of a 12-digit number 380XXYYYYYYY: (template, first digit used).
# Formats 0-4 all normalize (digits only) to the same 12 digits; 5-6 are local
# 10-digit spellings, used only for numbers nobody else carries.
PHONE_FORMATS = [
    ("+380 ## ### ## ##", 3),
    ("############", 0),
    ("+38 (0##) ###-##-##", 3),
    ("+############", 0),
    ("+38-0##-###-##-##", 3),
    ("(0##) ###-##-##", 3),
    ("0#########", 3),
]
PHONE_FORMAT_P = [0.30, 0.25, 0.20, 0.20, 0.05]
_POW10 = 10 ** np.arange(11, -1, -1, dtype=np.int64)

FIRST_NAMES = [
    "Oleksandr",
    "Olena",
    "Andrii",
    "Iryna",
    "Serhii",
    "Natalia",
    "Dmytro",
    "Tetiana",
    "Volodymyr",
    "Oksana",
    "Mykola",
    "Yulia",
    "Ivan",
    "Svitlana",
    "Vasyl",
    "Halyna",
    "Yurii",
    "Liudmyla",
    "Petro",
    "Mariia",
    "Taras",
    "Kateryna",
    "Bohdan",
    "Nadiia",
    "Roman",
    "Viktoriia",
    "Ihor",
    "Larysa",
    "Maksym",
    "Anastasiia",
    "Oleh",
    "Valentyna",
]
LAST_NAMES = [
    "Melnyk",
    "Shevchenko",
    "Boiko",
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kovalchuk",
    "Kravchenko",
    "Oliinyk",
    "Shevchuk",
    "Koval",
    "Polishchuk",
    "Bondar",
    "Tkachuk",
    "Moroz",
    "Marchenko",
    "Lysenko",
    "Rudenko",
    "Savchenko",
    "Petrenko",
    "Klymenko",
    "Pavlenko",
    "Savchuk",
    "Kuzmenko",
    "Ponomarenko",
    "Vasylenko",
    "Kharchenko",
    "Levchenko",
    "Karpenko",
    "Hrytsenko",
    "Ivanenko",
    "Tkachenko",
    "Romanenko",
    "Yakovenko",
    "Sydorenko",
]
CITIES = [
    "Kyiv",
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Lviv",
    "Zaporizhzhia",
    "Vinnytsia",
    "Poltava",
    "Chernihiv",
    "Cherkasy",
    "Zhytomyr",
    "Sumy",
    "Rivne",
    "Ivano-Frankivsk",
    "Ternopil",
    "Lutsk",
    "Uzhhorod",
    "Chernivtsi",
    "Kropyvnytskyi",
    "Khmelnytskyi",
    "Mykolaiv",
    "Kherson",
]
VILLAGES = [
    "Hatne",
    "Kalynivka",
    "Petrivka",
    "Ivanivka",
    "Mykolaivka",
    "Stepanivka",
    "Vyshneve",
    "Zelenyi Hai",
    "Berezivka",
    "Olshanka",
    "Sadove",
    "Lisove",
    "Dubrivka",
    "Pyrohiv",
]


# ------------------------------------------------------------------ text helpers
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_SLOTS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])


def _uuid_pool(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random version-4 uuids as raw bytes, shape (n, 16)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw


def _sorted_uuids(raw: np.ndarray) -> np.ndarray:
    """The same uuids in text order: rows COPY in primary-key order append to the index."""
    hi = raw[:, :8].copy().view(">u8").ravel()
    lo = raw[:, 8:].copy().view(">u8").ravel()
    return raw[np.lexsort((lo, hi))]


def _uuid_text(raw: np.ndarray) -> np.ndarray:
    """(k, 16) uuid bytes -> array of 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx' strings."""
    k = len(raw)
    nibbles = np.empty((k, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    out = np.full((k, 36), ord("-"), dtype=np.uint8)
    out[:, _UUID_SLOTS] = _HEX[nibbles]
    return out.view("S36").ravel().astype("U36")


def _phone_text(numbers: np.ndarray, formats: np.ndarray) -> np.ndarray:
    """12-digit numbers (int64) in the given PHONE_FORMATS -> strings; number 0 -> None."""
    k = len(numbers)
    digits = ((numbers[:, None] // _POW10) % 10 + 48).astype(np.uint8)
    out = np.empty(k, dtype=object)
    for code, (template, first) in enumerate(PHONE_FORMATS):
        sel = np.flatnonzero(formats == code)
        if not len(sel):
            continue
        tpl = np.frombuffer(template.encode(), dtype=np.uint8)
        slots = np.flatnonzero(tpl == ord("#"))
        text = np.tile(tpl, (len(sel), 1))
        text[:, slots] = digits[sel][:, first : first + len(slots)]
        out[sel] = text.view(f"S{len(tpl)}").ravel().astype(f"U{len(tpl)}")
    out[numbers == 0] = None
    return out


class _LazyColumn:
    """A column rendered on demand: copy_columns only takes len() and [start:stop]."""

    def __init__(self, n: int, render: Callable[[int, int], Any]) -> None:
        self._n = n
        self._render = render

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key: slice) -> Any:
        start, stop, _ = key.indices(self._n)
        return self._render(start, stop)


def _id_column(pool: np.ndarray, index: np.ndarray | None = None) -> _LazyColumn:
    if index is None:
        return _LazyColumn(len(pool), lambda a, b: _uuid_text(pool[a:b]))
    return _LazyColumn(len(index), lambda a, b: _uuid_text(pool[index[a:b]]))


def _nullable_id_column(pool: np.ndarray, index: np.ndarray) -> _LazyColumn:
    """Ids by index; index -1 -> NULL."""

    def render(a: int, b: int) -> np.ndarray:
        idx = index[a:b]
        out = _uuid_text(pool[np.maximum(idx, 0)]).astype(object)
        out[idx < 0] = None
        return out

    return _LazyColumn(len(index), render)


def _code_column(labels: np.ndarray, codes: np.ndarray) -> _LazyColumn:
    return _LazyColumn(len(codes), lambda a, b: labels[codes[a:b]])


def _phone_column(numbers: np.ndarray, formats: np.ndarray) -> _LazyColumn:
    return _LazyColumn(len(numbers), lambda a, b: _phone_text(numbers[a:b], formats[a:b]))


def _unique_ints(rng: np.random.Generator, n: int, space: int) -> np.ndarray:
    """n distinct integers in [0, space), in random order."""
    if n * 50 <= space:  # sparse: numpy samples without replacement in O(n)
        return rng.choice(space, size=n, replace=False).astype(np.int64)
    # dense: random gaps averaging half the room, then shuffled
    mean_gap = max(1, space // (2 * n))
    values = np.cumsum(rng.integers(1, 2 * mean_gap, size=n, dtype=np.int64)) - 1
    if values[-1] >= space:
        raise ValueError("number space too small for the requested count")
    return rng.permutation(values)


def _mobile_numbers(codes: np.ndarray) -> np.ndarray:
    return 380 * 10**9 + MOBILE_OPERATORS[codes // SUBSCRIBERS] * SUBSCRIBERS + codes % SUBSCRIBERS


def _landline_numbers(codes: np.ndarray) -> np.ndarray:
    return 380 * 10**9 + LANDLINE_AREAS[codes // SUBSCRIBERS] * SUBSCRIBERS + codes % SUBSCRIBERS


def _flagged(rows: float) -> int:
    """Rows a report flags in a partition of `rows` rows: least(ceil(5 %), 25)."""
    return min(REPORT_MAX_ROWS, math.ceil(REPORT_SHARE * rows))


def _plant_count(rows: float) -> int:
    """Planted items per report partition: about a third of the flagged rows, at least 1."""
    return max(1, _flagged(rows) // 3)


def _timestamps(as_of: date, days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    base = np.datetime64(as_of, "s")
    return base + (days.astype(np.int64) * 86_400 + seconds).astype("timedelta64[s]")


# ------------------------------------------------------------------------- build
def build(
    rng: np.random.Generator, scale: float, as_of: date
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """All ehealth tables as columns (not yet written) and the planted-pattern manifest."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    n_le = max(MIN_LEGAL_ENTITIES, round(LEGAL_ENTITIES_PER_SCALE * scale))
    n_doc_parties = max(MIN_DOCTOR_PARTIES, round(DOCTOR_PARTIES_PER_SCALE * scale))
    n_persons = max(MIN_PERSONS, round(PERSONS_PER_SCALE * scale))
    n_closed = max(1, round(0.03 * n_le))
    n_pharmacy = max(1, round(0.08 * n_le))
    n_all_le = n_le + n_closed + n_pharmacy

    # ---------------------------------------------------------------- legal entities
    le_kind = np.concatenate(
        [np.full(n_le, LE_CLINIC), np.full(n_closed, LE_CLOSED), np.full(n_pharmacy, LE_PHARMACY)]
    )
    le_weight = rng.lognormal(0.0, 0.8, size=n_all_le)
    # a fixed share of urban entities (not a coin per entity: small scales stay balanced);
    # city clinics are larger on average
    le_urban = np.zeros(n_all_le, dtype=bool)
    le_urban[rng.permutation(n_all_le)[: round(0.55 * n_all_le)]] = True
    le_weight[le_urban] *= 1.3
    # planted offline legal entities: the first k of the clinics are CITY, the next k OTHER
    k_offline_le = _plant_count(0.6 * n_le)
    offline_le = np.zeros(n_all_le, dtype=bool)
    offline_le[: 2 * k_offline_le] = True
    le_urban[:k_offline_le] = True
    le_urban[k_offline_le : 2 * k_offline_le] = False
    normal_clinics = np.flatnonzero((le_kind == LE_CLINIC) & ~offline_le)

    n_div = np.ones(n_all_le, dtype=np.int64)
    clinic_extra = np.minimum(6, rng.poisson(0.4 + le_weight / le_weight[:n_le].mean()))
    n_div[normal_clinics] += clinic_extra[normal_clinics]
    pharm = le_kind == LE_PHARMACY
    n_div[pharm] += np.minimum(4, rng.poisson(1.5, size=n_all_le))[pharm]
    div_start = np.concatenate([[0], np.cumsum(n_div)[:-1]])
    n_divisions = int(n_div.sum())
    div_le = np.repeat(np.arange(n_all_le), n_div)
    div_rank = np.arange(n_divisions) - div_start[div_le]  # 0 = the entity's main division

    # RESIDENCE settlement: CITY mostly for urban entities, rarely for rural ones
    urban_div = le_urban[div_le]
    city = rng.random(n_divisions) < np.where(urban_div, 0.85, 0.10)
    non_city = rng.choice([1, 2, 3], size=n_divisions, p=[0.40, 0.48, 0.12])
    div_settlement = np.where(city, 0, non_city)
    div_has_residence = rng.random(n_divisions) < 0.97
    off_div = offline_le[div_le]
    div_has_residence[off_div] = True
    div_settlement[off_div & urban_div] = 0
    div_settlement[off_div & ~urban_div] = non_city[off_div & ~urban_div]
    # REGISTRATION settlement: mostly the same place, sometimes another one
    reg_other = rng.choice(4, size=n_divisions, p=[0.55, 0.15, 0.25, 0.05])
    div_reg_settlement = np.where(rng.random(n_divisions) < 0.85, div_settlement, reg_other)
    div_city_class = div_has_residence & (div_settlement == 0)  # report class CITY vs OTHER

    div_active = np.ones(n_divisions, dtype=bool)
    div_active[
        (div_rank > 0) & (rng.random(n_divisions) < 0.04) & (le_kind[div_le] == LE_CLINIC)
    ] = False
    div_active[le_kind[div_le] == LE_CLOSED] = False
    active_divs = [
        np.flatnonzero(div_active[div_start[e] : div_start[e] + n_div[e]]) + div_start[e]
        for e in range(n_all_le)
    ]

    # ---------------------------------------------------------------- doctor parties
    # one doctor per offline legal entity; at larger scales sometimes two (while few entities)
    two_ok = n_le >= 60 and k_offline_le <= 3
    per_offline = np.where(two_ok, 1 + (rng.random(2 * k_offline_le) < 0.5), 1)
    party_le = np.concatenate(
        [
            np.repeat(np.arange(2 * k_offline_le), per_offline),
            normal_clinics,
        ]
    )
    rest = n_doc_parties - len(party_le)
    if rest < 0:
        raise ValueError("too few doctor parties for the legal entities")
    p = le_weight[normal_clinics] / le_weight[normal_clinics].sum()
    party_le = np.concatenate([party_le, rng.choice(normal_clinics, size=rest, p=p)])
    first_of_le = np.zeros(n_doc_parties, dtype=bool)
    first_of_le[np.unique(party_le, return_index=True)[1]] = True
    party_offline_le = offline_le[party_le]
    speciality = rng.choice(3, size=n_doc_parties, p=SPECIALITY_P)
    party_limit = SPECIALITY_LIMITS[speciality]

    def pick_division(le: int, u: float) -> int:
        divs = active_divs[le]
        return int(divs[min(len(divs) - 1, int(u**1.6 * len(divs)))])

    u_div = rng.random(n_doc_parties)
    party_div = np.array([pick_division(int(le), u) for le, u in zip(party_le, u_div, strict=True)])

    r = rng.random(n_doc_parties)
    hire = np.where(
        r < 0.30,
        rng.integers(-HISTORY_DAYS, -HISTORY_DAYS + 90, size=n_doc_parties),
        np.where(
            r < 0.95,
            rng.integers(-HISTORY_DAYS + 90, -90, size=n_doc_parties),
            rng.integers(-90, 0, size=n_doc_parties),
        ),
    )
    hire[party_offline_le] = rng.integers(-HISTORY_DAYS, -180, size=n_doc_parties)[party_offline_le]
    r = rng.random(n_doc_parties)
    status = np.where(r < 0.955, APPROVED, np.where(r < 0.97, NEW, DISMISSED))
    status[first_of_le | party_offline_le] = APPROVED
    new_hire = rng.integers(-60, 4, size=n_doc_parties)  # NEW: recent, a few after D
    hire = np.where(status == NEW, new_hire, hire)

    # employee rows, collected as parallel lists of arrays
    e_party: list[np.ndarray] = [np.arange(n_doc_parties)]
    e_le: list[np.ndarray] = [party_le]
    e_div: list[np.ndarray] = [party_div]
    e_type: list[np.ndarray] = [np.full(n_doc_parties, DOCTOR)]
    e_status: list[np.ndarray] = [status]
    e_active: list[np.ndarray] = [status != DISMISSED]
    e_hire: list[np.ndarray] = [hire]
    e_role: list[np.ndarray] = [np.zeros(n_doc_parties, dtype=np.int64)]  # 0 primary, 1 second job

    def add_rows(party, le, div, typ, st, active, hired, role=2):
        n = len(party)
        e_party.append(np.asarray(party, dtype=np.int64))
        e_le.append(np.asarray(le, dtype=np.int64))
        e_div.append(np.asarray(div, dtype=np.int64))
        e_type.append(np.full(n, typ) if np.isscalar(typ) else np.asarray(typ))
        e_status.append(np.full(n, st) if np.isscalar(st) else np.asarray(st))
        e_active.append(np.full(n, active) if np.isscalar(active) else np.asarray(active))
        e_hire.append(np.asarray(hired, dtype=np.int64))
        e_role.append(np.full(n, role))

    approved_normal = (status == APPROVED) & ~party_offline_le
    # second job at another legal entity (~9 %)
    dual = np.flatnonzero(approved_normal & (rng.random(n_doc_parties) < 0.09))
    u_le, u_div2 = rng.random(len(dual)), rng.random(len(dual))
    cum = np.cumsum(p)
    dual_le = normal_clinics[np.minimum(np.searchsorted(cum, u_le), len(cum) - 1)]
    clash = dual_le == party_le[dual]
    dual_le[clash] = normal_clinics[
        (np.searchsorted(normal_clinics, dual_le[clash]) + 1) % len(normal_clinics)
    ]
    add_rows(
        dual,
        dual_le,
        [pick_division(int(le), u) for le, u in zip(dual_le, u_div2, strict=True)],
        DOCTOR,
        APPROVED,
        True,
        rng.integers(-1500, 0, size=len(dual)),
        role=1,
    )
    # a second qualifying row at the same legal entity, another division (~2.5 %)
    multi_ok = (
        approved_normal & (np.array([len(active_divs[e]) for e in party_le]) >= 2) & (hire < -30)
    )
    multi = np.flatnonzero(multi_ok & (rng.random(n_doc_parties) < 0.025))
    multi_div = []
    for i in multi:
        divs = active_divs[party_le[i]]
        pos = int(np.flatnonzero(divs == party_div[i])[0])
        multi_div.append(int(divs[(pos + 1) % len(divs)]))
    multi_hire = hire[multi] + 1 + (rng.random(len(multi)) * (-hire[multi] - 1)).astype(np.int64)
    add_rows(multi, party_le[multi], multi_div, DOCTOR, APPROVED, True, multi_hire, role=3)
    # soft-deleted older duplicate of the primary row (APPROVED, not active): ignored by rules
    dup = np.flatnonzero(approved_normal & (rng.random(n_doc_parties) < 0.01))
    dup_hire = np.maximum(-HISTORY_DAYS, hire[dup] - rng.integers(30, 400, size=len(dup)))
    add_rows(dup, party_le[dup], party_div[dup], DOCTOR, APPROVED, False, dup_hire)
    # former jobs: dismissed rows, also at the closed legal entities
    hist = np.flatnonzero(rng.random(n_doc_parties) < 0.06)
    hist_pool = np.concatenate([normal_clinics, np.flatnonzero(le_kind == LE_CLOSED)])
    hist_le = hist_pool[rng.integers(0, len(hist_pool), size=len(hist))]
    hist_div = [
        int(active_divs[e][0]) if len(active_divs[e]) else int(div_start[e]) for e in hist_le
    ]
    add_rows(
        hist,
        hist_le,
        hist_div,
        DOCTOR,
        DISMISSED,
        False,
        rng.integers(-HISTORY_DAYS, -400, size=len(hist)),
    )

    # staff: OWNER / ADMIN / HR / PHARMACIST, with their own parties (FOP owners are the doctor)
    doctors_per_le = np.bincount(party_le, minlength=n_all_le)
    first_party_of_le = np.full(n_all_le, -1)
    first_party_of_le[party_le[first_of_le]] = np.flatnonzero(first_of_le)
    next_party = n_doc_parties
    s_party, s_le, s_div, s_type, s_status, s_active, s_hire = [], [], [], [], [], [], []
    for e in range(n_all_le):
        kind = le_kind[e]
        roles = [OWNER] + [ADMIN] * (0 if kind == LE_CLOSED else 1 + int(rng.random() < 0.4))
        if kind == LE_CLINIC and doctors_per_le[e] >= 5 and rng.random() < 0.5:
            roles.append(HR)
        if kind == LE_PHARMACY:
            roles += [PHARMACIST] * int(rng.integers(2, 7))
        elif kind == LE_CLINIC and rng.random() < 0.10:
            roles.append(PHARMACIST)
        for role in roles:
            if role == OWNER and kind == LE_CLINIC and doctors_per_le[e] <= 2:
                party = int(first_party_of_le[e])  # FOP: the doctor owns the practice
            else:
                party, next_party = next_party, next_party + 1
            divs = active_divs[e]
            div = -1
            if role == PHARMACIST and len(divs):
                div = int(divs[int(rng.integers(0, len(divs)))])
            dismissed = kind == LE_CLOSED or rng.random() < 0.05
            s_party.append(party)
            s_le.append(e)
            s_div.append(div)
            s_type.append(role)
            s_status.append(DISMISSED if dismissed else APPROVED)
            s_active.append(not dismissed)
            s_hire.append(
                int(rng.integers(-HISTORY_DAYS - 400, -HISTORY_DAYS + 200))
                if role == OWNER
                else int(rng.integers(-HISTORY_DAYS, 0))
            )
    add_rows(s_party, s_le, s_div, np.array(s_type), np.array(s_status), np.array(s_active), s_hire)
    n_parties = next_party

    emp_party = np.concatenate(e_party)
    emp_le = np.concatenate(e_le)
    emp_div = np.concatenate(e_div)
    emp_type = np.concatenate(e_type).astype(np.int64)
    emp_status = np.concatenate(e_status).astype(np.int64)
    emp_active = np.concatenate(e_active).astype(bool)
    emp_hire = np.concatenate(e_hire)
    emp_role = np.concatenate(e_role)
    n_emp = len(emp_party)
    emp_hire_tod = rng.integers(8 * 3600, 10 * 3600, size=n_emp)  # before any declaration that day

    # ---------------------------------------------------------------- doctors (pairs)
    qual = (emp_type == DOCTOR) & emp_active & (emp_status == APPROVED)
    qual_rows = np.flatnonzero(qual)
    pair_key = emp_party[qual_rows] * n_all_le + emp_le[qual_rows]
    keys, row_pair = np.unique(pair_key, return_inverse=True)
    n_pairs = len(keys)
    pair_party, pair_le = keys // n_all_le, keys % n_all_le
    pair_first = np.full(n_pairs, 1 << 40)
    np.minimum.at(pair_first, row_pair, emp_hire[qual_rows])
    pair_nrows = np.bincount(row_pair, minlength=n_pairs)
    pair_role = np.zeros(n_pairs, dtype=np.int64)
    np.maximum.at(pair_role, row_pair, (emp_role[qual_rows] == 1).astype(np.int64))  # second job
    pair_limit = party_limit[pair_party]
    # rows of any status of the same (party, legal entity): planted doctors have exactly one
    all_key = emp_party * n_all_le + emp_le
    all_keys, all_counts = np.unique(all_key[emp_type == DOCTOR], return_counts=True)
    pair_all_rows = all_counts[np.searchsorted(all_keys, keys)]
    pair_single = (pair_nrows == 1) & (pair_all_rows == 1)
    first_row_of_pair = np.full(n_pairs, -1)
    order = np.lexsort((qual_rows, emp_hire[qual_rows], row_pair))
    first_pos = np.concatenate([[0], np.flatnonzero(np.diff(row_pair[order])) + 1])
    first_row_of_pair[row_pair[order[first_pos]]] = qual_rows[order[first_pos]]
    pair_city = div_city_class[emp_div[first_row_of_pair]]

    # panel sizes (active declarations): limit x fill x lifetime ramp, scaled to the persons
    lifetime = -pair_first
    fill = np.where(pair_role == 1, rng.uniform(0.05, 0.30, n_pairs), rng.beta(4.0, 2.5, n_pairs))
    ramp = np.minimum(1.0, np.maximum(lifetime, 1) / 540.0) ** 0.7
    raw = pair_limit * fill * ramp
    young = lifetime <= 90
    raw[young] = (np.maximum(lifetime, 0) * rng.uniform(0.05, 0.5, n_pairs))[young]
    panel = np.minimum(pair_limit, np.round(raw * ACTIVE_SHARE * n_persons / raw.sum())).astype(
        np.int64
    )

    # offline propensity: legal-entity base (rural a bit higher) plus doctor noise
    le_base = rng.uniform(0.05, 0.13, n_all_le) + 0.04 * ~le_urban
    pair_offline_p = np.clip(
        le_base[pair_le] + rng.normal(0.0, 0.025, n_pairs) + 0.03 * ~pair_city, 0.02, 0.25
    )

    # ---------------------------------------------------------------- planted doctors
    counted = panel > 15  # proxy for "patients_qty > 10"
    rows_city = int((counted & pair_city).sum())
    rows_other = int((counted & ~pair_city).sum())
    n_off_doctors = {True: _plant_count(rows_city), False: _plant_count(rows_other)}
    n_surge = _plant_count(int(counted.sum()))
    n_new = max(1, n_surge // 2)

    planted_off = offline_le[pair_le].copy()  # every doctor of an offline legal entity
    panel[planted_off] = np.clip(panel[planted_off], 250, pair_limit[planted_off])
    group_total: dict[tuple[int, bool], int] = {}
    group_size: dict[tuple[int, bool], int] = {}
    for i in range(n_pairs):
        g = (int(pair_le[i]), bool(pair_city[i]))
        group_total[g] = group_total.get(g, 0) + int(panel[i])
        group_size[g] = group_size.get(g, 0) + 1
    used_le = set(int(e) for e in np.flatnonzero(offline_le))
    for cls in (True, False):
        need = n_off_doctors[cls] - int((planted_off & (pair_city == cls)).sum())
        for i in rng.permutation(n_pairs):
            if need <= 0:
                break
            g = (int(pair_le[i]), bool(pair_city[i]))
            if (
                pair_city[i] == cls
                and pair_single[i]
                and g[0] not in used_le
                and group_size[g] >= 5
                and 150 <= panel[i] <= 0.25 * group_total[g]
            ):
                planted_off[i] = True
                used_le.add(g[0])
                need -= 1
    pair_offline_p[planted_off] = rng.uniform(0.82, 0.95, n_pairs)[planted_off]

    surge = np.zeros(n_pairs, dtype=bool)
    cand = pair_single & ~planted_off & ~offline_le[pair_le] & (pair_first <= -365) & (panel >= 300)
    surge[rng.permutation(np.flatnonzero(cand))[:n_surge]] = True
    surge_new = np.zeros(n_pairs, dtype=np.int64)
    surge_prev = np.zeros(n_pairs, dtype=np.int64)
    surge_new[surge] = np.clip(
        np.round(panel[surge] * rng.uniform(0.15, 0.30, n_pairs)[surge]), 80, 400
    )
    surge_prev[surge] = rng.integers(1, 5, size=n_pairs)[surge]
    panel[surge] = np.maximum(panel[surge], surge_new[surge] + surge_prev[surge] + 50)

    newdoc = np.zeros(n_pairs, dtype=bool)
    cand = pair_single & ~planted_off & ~surge & ~offline_le[pair_le] & (pair_role == 0)
    newdoc[rng.permutation(np.flatnonzero(cand))[:n_new]] = True
    new_rows = first_row_of_pair[newdoc]
    emp_hire[new_rows] = rng.integers(-80, -29, size=len(new_rows))
    pair_first[newdoc] = emp_hire[new_rows]
    panel[newdoc] = rng.integers(300, np.minimum(pair_limit[newdoc], 900) + 1)

    # split each pair's panel over its qualifying rows by days in service: the same sign-up
    # rate in every division (a division opened last week does not fake a surge)
    row_panel = np.zeros(n_emp, dtype=np.int64)
    row_panel[first_row_of_pair] = panel
    for i in np.flatnonzero(pair_nrows > 1):
        rows = qual_rows[row_pair == i]
        rows = rows[np.argsort(emp_hire[rows], kind="stable")]
        share = (1 - emp_hire[rows]) / (1 - emp_hire[rows]).sum()
        parts = np.floor(share * panel[i]).astype(np.int64)
        parts[0] += panel[i] - parts.sum()
        row_panel[rows] = parts
    emp_pair = np.full(n_emp, -1)
    emp_pair[qual_rows] = row_pair
    emp_surge = np.zeros(n_emp, dtype=bool)
    emp_surge[qual_rows] = surge[row_pair]

    # ---------------------------------------------------------------- persons
    person_inactive = rng.random(n_persons) < 0.03
    pool = np.flatnonzero(~person_inactive | (rng.random(n_persons) < 0.15))
    n_active_decl = int(row_panel.sum())
    if n_active_decl > len(pool):
        raise ValueError("panels exceed the persons available")
    holders = rng.permutation(pool)[:n_active_decl]
    act_row = np.repeat(np.arange(n_emp), row_panel)
    row_exp = rng.uniform(-0.3, 0.6, n_emp)  # sign-up trend per row: density ~ x**a
    h = emp_hire[act_row]
    x = rng.random(n_active_decl) ** (1.0 / (row_exp[act_row] + 1.0))
    act_day = h + np.floor(x * (1 - h)).astype(np.int64)
    block_start = np.concatenate([[0], np.cumsum(row_panel)[:-1]])
    for i in np.flatnonzero(surge):
        row = first_row_of_pair[i]
        a, m, k = block_start[row], surge_new[i], surge_prev[i]
        b = a + row_panel[row]
        act_day[a : a + m] = rng.integers(-27, 1, size=m)
        act_day[a + m : a + m + k] = rng.integers(-85, -34, size=k)
        hh = emp_hire[row]
        act_day[a + m + k : b] = hh + np.floor(rng.random(b - a - m - k) * (-91 - hh + 1)).astype(
            np.int64
        )

    person_act_day = np.full(n_persons, 1 << 30, dtype=np.int64)
    person_act_day[holders] = act_day
    person_pair = np.full(n_persons, -1)
    person_pair[holders] = emp_pair[act_row]

    # candidates for any other declaration: DOCTOR rows that ever were approved, by hire
    cand_rows = np.flatnonzero((emp_type == DOCTOR) & (emp_status != NEW))
    cand_rows = cand_rows[np.argsort(emp_hire[cand_rows], kind="stable")]
    cand_hire = emp_hire[cand_rows]
    min_hire = int(cand_hire[0])
    qual_sorted = qual_rows[np.argsort(emp_hire[qual_rows], kind="stable")]

    def pick(days: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """A random row of `rows` (sorted by hire) hired on or before each day; surge
        doctors take nothing in their last 90 days except what is planted."""
        hires = emp_hire[rows]
        cutoff = np.searchsorted(hires, days, side="right")
        out = rows[(rng.random(len(days)) * cutoff).astype(np.int64)]
        for _ in range(100):
            bad = np.flatnonzero(emp_surge[out] & (days > -91))
            if not len(bad):
                break
            out[bad] = rows[(rng.random(len(bad)) * cutoff[bad]).astype(np.int64)]
        else:  # pragma: no cover - practically unreachable
            raise RuntimeError("could not place declarations away from surge doctors")
        return out

    # older declarations (terminated / closed) before the current one
    is_holder = person_pair >= 0
    n_old = np.where(
        is_holder,
        rng.poisson(0.3, n_persons),
        np.where(rng.random(n_persons) < 0.6, 1 + rng.poisson(0.25, n_persons), 0),
    )
    old_person = np.repeat(np.arange(n_persons), n_old)
    upper = np.where(is_holder[old_person], person_act_day[old_person] - 1, 0)
    keep = upper >= min_hire
    old_person, upper = old_person[keep], upper[keep]
    old_day = min_hire + np.floor(rng.random(len(old_person)) * (upper - min_hire + 1)).astype(
        np.int64
    )
    old_row = pick(old_day, cand_rows)
    old_status = np.where(rng.random(len(old_person)) < 0.65, D_TERMINATED, D_CLOSED)
    old_soft_deleted = rng.random(len(old_person)) < 0.003  # 'active' but is_active false

    # rejected
    rej_person = np.flatnonzero(rng.random(n_persons) < 0.015)
    rej_day = rng.integers(min_hire, 1, size=len(rej_person))
    rej_row = pick(rej_day, cand_rows)
    # pending verification: recent, a few after D (ignored by the reports)
    pend_person = np.flatnonzero(~person_inactive & (rng.random(n_persons) < 0.0025))
    pend_day = np.where(
        rng.random(len(pend_person)) < 0.03,
        rng.integers(1, 4, size=len(pend_person)),
        rng.integers(-14, 1, size=len(pend_person)),
    )
    pend_row = pick(pend_day, qual_sorted)

    d_person = np.concatenate([holders, old_person, rej_person, pend_person])
    d_row = np.concatenate([act_row, old_row, rej_row, pend_row])
    d_day = np.concatenate([act_day, old_day, rej_day, pend_day])
    d_status = np.concatenate(
        [
            np.full(n_active_decl, D_ACTIVE),
            np.where(old_soft_deleted, D_ACTIVE, old_status),
            np.full(len(rej_person), D_REJECTED),
            np.full(len(pend_person), D_PENDING),
        ]
    )
    d_active = np.concatenate(
        [
            np.ones(n_active_decl, dtype=bool),
            np.zeros(len(old_person) + len(rej_person), dtype=bool),
            np.ones(len(pend_person), dtype=bool),
        ]
    )
    d_tod = rng.integers(10 * 3600, 19 * 3600, size=len(d_day))
    d_order = rng.permutation(len(d_day))  # rows in id order, ids unrelated to content
    d_person, d_row, d_day, d_status, d_active, d_tod = (
        arr[d_order] for arr in (d_person, d_row, d_day, d_status, d_active, d_tod)
    )
    n_decl = len(d_person)

    # ---------------------------------------------------------------- authentication
    offline_p = np.where(is_holder, pair_offline_p[np.maximum(person_pair, 0)], 0.08)
    u = rng.random(n_persons)
    auth = np.where(u < offline_p, OFFLINE, np.where(rng.random(n_persons) < 0.88, OTP, NA))

    # ---------------------------------------------------------------- households & phones
    sizes = rng.choice([1, 2, 3, 4], size=n_persons, p=[0.50, 0.27, 0.14, 0.09])
    ends = np.cumsum(sizes)
    n_hh = int(np.searchsorted(ends, n_persons)) + 1
    sizes = sizes[:n_hh]
    sizes[-1] -= int(ends[n_hh - 1] - n_persons)
    hh_order = rng.permutation(n_persons)  # persons in household order
    hh_of = np.empty(n_persons, dtype=np.int64)
    hh_of[hh_order] = np.repeat(np.arange(n_hh), sizes)
    hh_head = hh_order[np.concatenate([[0], np.cumsum(sizes)[:-1]])]
    hh_shared = (sizes >= 2) & (rng.random(n_hh) < 0.30)
    hh_landline = rng.random(n_hh) < 0.08

    has_mobile = (rng.random(n_persons) < 0.93) | (auth == OTP)
    shared_member = hh_shared[hh_of]
    own_mobile = has_mobile & ~shared_member
    second_mobile = has_mobile & (rng.random(n_persons) < 0.02)
    n_shared_planted = max(3, min(12, round(12 * scale**0.3)))
    mobile_codes = _unique_ints(
        rng,
        int(own_mobile.sum()) + int(hh_shared.sum()) + int(second_mobile.sum()) + n_shared_planted,
        len(MOBILE_OPERATORS) * SUBSCRIBERS,
    )
    mobile_pool = _mobile_numbers(mobile_codes)
    cursor = 0

    def take(n: int) -> np.ndarray:
        nonlocal cursor
        out = mobile_pool[cursor : cursor + n]
        cursor += n
        return out

    mobile = np.zeros(n_persons, dtype=np.int64)
    mobile[own_mobile] = take(int(own_mobile.sum()))
    hh_number = np.zeros(n_hh, dtype=np.int64)
    hh_number[hh_shared] = take(int(hh_shared.sum()))
    mobile[has_mobile & shared_member] = hh_number[hh_of[has_mobile & shared_member]]
    second = np.zeros(n_persons, dtype=np.int64)
    second[second_mobile] = take(int(second_mobile.sum()))
    planted_numbers = take(n_shared_planted)
    landline_hh = np.zeros(n_hh, dtype=np.int64)
    landline_hh[hh_landline] = _landline_numbers(
        _unique_ints(rng, int(hh_landline.sum()), len(LANDLINE_AREAS) * SUBSCRIBERS)
    )
    # every member of a household with a land line may list it; the head always does
    is_head = hh_head[hh_of] == np.arange(n_persons)
    lists_landline = hh_landline[hh_of] & (is_head | (rng.random(n_persons) < 0.6))

    # OTP number: the person's mobile; in non-shared families sometimes the head's phone
    otp_number = np.where(auth == OTP, mobile, 0)
    head = hh_head[hh_of]
    borrow = (auth == OTP) & ~shared_member & (sizes[hh_of] >= 2) & (head != np.arange(n_persons))
    borrow &= (rng.random(n_persons) < 0.05) & (mobile[head] > 0)
    otp_number[borrow] = mobile[head[borrow]]

    # planted: numbers carried by 20-200 active patients of one doctor
    upper_count = int(np.clip(round(200 * math.sqrt(scale)), 40, 200))
    phone_counts = rng.integers(20, upper_count + 1, size=n_shared_planted)
    eligible_pair = ~planted_off & ~surge & ~newdoc & (panel >= 2 * upper_count)
    phone_pairs = rng.permutation(np.flatnonzero(eligible_pair))[:n_shared_planted]
    if len(phone_pairs) < n_shared_planted:
        raise ValueError("not enough doctors to plant shared phone numbers")
    active_holder = is_holder & ~person_inactive
    shared_numbers: list[int] = []
    for number, count, pair in zip(planted_numbers, phone_counts, phone_pairs, strict=True):
        patients = np.flatnonzero(active_holder & (person_pair == pair))
        chosen = np.sort(rng.choice(patients, size=int(count), replace=False))
        mobile[chosen] = number
        has_mobile[chosen] = True
        otp_number[chosen[auth[chosen] == OTP]] = number
        shared_numbers.append(int(number))

    # ---------------------------------------------------------------- phone rows
    persons_idx = np.arange(n_persons)
    ph_person = np.concatenate(
        [persons_idx[has_mobile], persons_idx[second_mobile], persons_idx[lists_landline]]
    )
    ph_type = np.concatenate(
        [
            np.zeros(int(has_mobile.sum()), dtype=np.int64),
            np.zeros(int(second_mobile.sum()), dtype=np.int64),
            np.ones(int(lists_landline.sum()), dtype=np.int64),
        ]
    )
    ph_number = np.concatenate(
        [mobile[has_mobile], second[second_mobile], landline_hh[hh_of[lists_landline]]]
    )
    ph_format = rng.choice(5, size=len(ph_person), p=PHONE_FORMAT_P)
    alone = (sizes[hh_of[ph_person]] == 1) & (ph_type == 0)
    alone &= ~np.isin(ph_number, planted_numbers)
    local = alone & (rng.random(len(ph_person)) < 0.03)
    ph_format[local] = rng.integers(5, 7, size=len(ph_person))[local]
    ph_order = np.lexsort((ph_type, ph_person))
    ph_person, ph_type, ph_number, ph_format = (
        a[ph_order] for a in (ph_person, ph_type, ph_number, ph_format)
    )

    extra_na = (auth == OTP) & (rng.random(n_persons) < 0.01)
    no_auth = (auth == NA) & (rng.random(n_persons) < 0.05)
    am_person = np.concatenate([persons_idx[~no_auth], persons_idx[extra_na]])
    am_type = np.concatenate([auth[~no_auth], np.full(int(extra_na.sum()), NA)])
    am_number = np.concatenate(
        [otp_number[~no_auth], np.zeros(int(extra_na.sum()), dtype=np.int64)]
    )
    am_format = np.where(
        rng.random(len(am_person)) < 0.7, 3, rng.choice(5, size=len(am_person), p=PHONE_FORMAT_P)
    )
    am_order = np.lexsort((am_type, am_person))
    am_person, am_type, am_number, am_format = (
        a[am_order] for a in (am_person, am_type, am_number, am_format)
    )

    # ---------------------------------------------------------------- ids and names
    le_ids = _uuid_pool(rng, n_all_le)
    div_ids = _uuid_pool(rng, n_divisions)
    party_ids = _uuid_pool(rng, n_parties)
    emp_ids = _uuid_pool(rng, n_emp)
    person_ids = _sorted_uuids(_uuid_pool(rng, n_persons))
    decl_ids = _sorted_uuids(_uuid_pool(rng, n_decl))

    first = rng.integers(0, len(FIRST_NAMES), size=n_parties)
    last = rng.integers(0, len(LAST_NAMES), size=n_parties)
    party_first_names = [FIRST_NAMES[i] for i in first]
    party_last_names = [LAST_NAMES[i] for i in last]

    le_place = rng.integers(0, len(CITIES), size=n_all_le)
    le_village = rng.integers(0, len(VILLAGES), size=n_all_le)
    le_number = rng.integers(1, 15, size=n_all_le)
    le_outpatient = rng.random(n_all_le) < 0.15
    edrpou = 10_000_000 + _unique_ints(rng, n_all_le, 90_000_000)
    le_names, le_types, le_status = [], [], []
    for e in range(n_all_le):
        place = CITIES[le_place[e]] if le_urban[e] else f"{VILLAGES[le_village[e]]} hromada"
        if le_kind[e] == LE_PHARMACY:
            le_names.append(
                f"Pharmacy chain Apteka {LAST_NAMES[int(le_number[e]) % len(LAST_NAMES)]} LLC"
            )
            le_types.append("PHARMACY")
        elif le_kind[e] == LE_CLINIC and doctors_per_le[e] <= 2:
            owner = int(first_party_of_le[e])
            le_names.append(f"FOP {party_last_names[owner]} {party_first_names[owner][0]}.")
            le_types.append("PRIMARY_CARE")
        elif le_outpatient[e]:
            le_names.append(f"Outpatient Clinic No {le_number[e]} of {place}")
            le_types.append("OUTPATIENT")
        else:
            le_names.append(f"Primary Health Care Centre No {le_number[e]} of {place}")
            le_types.append("PRIMARY_CARE")
        le_status.append("CLOSED" if le_kind[e] == LE_CLOSED else "ACTIVE")

    div_names, div_types = [], []
    div_village = rng.integers(0, len(VILLAGES), size=n_divisions)
    for d in range(n_divisions):
        e = div_le[d]
        if le_kind[e] == LE_PHARMACY:
            div_names.append(f"Drugstore No {div_rank[d] + 1}")
            div_types.append("DRUGSTORE")
        elif div_rank[d] == 0:
            div_names.append("Main office")
            div_types.append("CLINIC")
        elif div_settlement[d] == 2:
            div_names.append(f"FAP {VILLAGES[div_village[d]]}")
            div_types.append("FAP")
        else:
            div_names.append(f"Ambulatory of general practice No {div_rank[d]}")
            div_types.append("AMBULANT_CLINIC")

    addr_div = np.concatenate([np.arange(n_divisions), np.flatnonzero(div_has_residence)])
    addr_type = np.concatenate(
        [
            np.zeros(n_divisions, dtype=np.int64),
            np.ones(int(div_has_residence.sum()), dtype=np.int64),
        ]
    )
    addr_settlement = np.concatenate([div_reg_settlement, div_settlement[div_has_residence]])
    addr_order = np.lexsort((addr_type, addr_div))

    # ---------------------------------------------------------------- tables
    tables: dict[str, dict[str, Any]] = {
        "ehealth.legal_entities": {
            "id": _id_column(le_ids),
            "name": le_names,
            "edrpou": [str(v) for v in edrpou],
            "type": le_types,
            "status": le_status,
        },
        "ehealth.divisions": {
            "id": _id_column(div_ids),
            "legal_entity_id": _id_column(le_ids, div_le),
            "name": div_names,
            "type": div_types,
            "status": np.where(div_active, "ACTIVE", "INACTIVE"),
            "is_active": div_active,
        },
        "ehealth.division_addresses": {
            "division_id": _id_column(div_ids, addr_div[addr_order]),
            "type": np.array(["REGISTRATION", "RESIDENCE"])[addr_type[addr_order]],
            "settlement_type": SETTLEMENTS[addr_settlement[addr_order]],
        },
        "ehealth.parties": {
            "id": _id_column(party_ids),
            "first_name": party_first_names,
            "last_name": party_last_names,
        },
        "ehealth.employees": {
            "id": _id_column(emp_ids),
            "party_id": _id_column(party_ids, emp_party),
            "legal_entity_id": _id_column(le_ids, emp_le),
            "division_id": _nullable_id_column(div_ids, emp_div),
            "employee_type": EMP_TYPES[emp_type],
            "status": EMP_STATUSES[emp_status],
            "is_active": emp_active,
            "inserted_at": _timestamps(as_of, emp_hire, emp_hire_tod),
        },
        "ehealth.persons": {
            "id": _id_column(person_ids),
            "status": np.where(person_inactive, "inactive", "active"),
        },
        "ehealth.person_authentication_methods": {
            "person_id": _id_column(person_ids, am_person),
            "type": _code_column(AUTH_TYPES, am_type),
            "phone_number": _phone_column(am_number, am_format),
        },
        "ehealth.person_phones": {
            "person_id": _id_column(person_ids, ph_person),
            "type": _code_column(np.array(["MOBILE", "LAND_LINE"]), ph_type),
            "number": _phone_column(ph_number, ph_format),
        },
        "ehealth.declarations": {
            "id": _id_column(decl_ids),
            "person_id": _id_column(person_ids, d_person),
            "employee_id": _id_column(emp_ids, d_row),
            "legal_entity_id": _id_column(le_ids, emp_le[d_row]),
            "division_id": _id_column(div_ids, emp_div[d_row]),
            "status": _code_column(DECL_STATUSES, d_status),
            "is_active": d_active,
            "start_date": _LazyColumn(
                n_decl,
                lambda a, b: np.datetime_as_string(
                    np.datetime64(as_of, "D") + d_day[a:b], unit="D"
                ),
            ),
            "inserted_at": _LazyColumn(
                n_decl, lambda a, b: _timestamps(as_of, d_day[a:b], d_tod[a:b])
            ),
        },
    }

    # ---------------------------------------------------------------- planted manifest
    def uid(pool_: np.ndarray, i: int) -> str:
        return str(_uuid_text(pool_[i : i + 1])[0])

    def doctor_list(mask: np.ndarray) -> list[list[str]]:
        return sorted(
            [uid(party_ids, int(pair_party[i])), uid(le_ids, int(pair_le[i]))]
            for i in np.flatnonzero(mask)
        )

    def settlement(is_city: bool) -> str:
        return "CITY" if is_city else "OTHER"

    planted: dict[str, Any] = {
        "offline_doctors": doctor_list(planted_off),
        "offline_legal_entities": sorted(uid(le_ids, int(e)) for e in np.flatnonzero(offline_le)),
        "shared_phone_numbers": sorted(str(n) for n in shared_numbers),
        "surge_doctors": doctor_list(surge),
        "new_doctors": doctor_list(newdoc),
        "settlement_type": {
            "offline_doctors": sorted(
                [
                    uid(party_ids, int(pair_party[i])),
                    uid(le_ids, int(pair_le[i])),
                    settlement(bool(pair_city[i])),
                ]
                for i in np.flatnonzero(planted_off)
            ),
            "offline_legal_entities": sorted(
                [uid(le_ids, int(e)), settlement(bool(le_urban[e]))]
                for e in np.flatnonzero(offline_le)
            ),
        },
    }
    return tables, planted


def generate(
    conn: psycopg.Connection,
    rng: np.random.Generator,
    scale: float,
    as_of: date,
    reporter: Reporter | None = None,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Fill the (empty) ehealth tables; returns (rows per table, planted patterns)."""
    tables, planted = build(rng, scale, as_of)
    counts: dict[str, int] = {}
    for table, columns in tables.items():
        rows = len(next(iter(columns.values())))
        advance = reporter(table, rows) if reporter is not None else None
        counts[table] = copy_columns(conn, table, columns, advance)
    return counts, planted

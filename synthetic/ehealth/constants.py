"""Sizes, codes and report rules of the ehealth generator.

The report rules are the dbt vars themselves (SPEC §5, §7), read from `dbt_project.yml`:
the planted patterns are sized and timed against what the marts compute, so a changed
var moves the planted data with it instead of silently planting under the old rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kpi.project import dbt_var

# ---------------------------------------------------------------- sizes (scale 1)
PERSONS_PER_SCALE = 3_000_000
DOCTOR_PARTIES_PER_SCALE = 2_400
LEGAL_ENTITIES_PER_SCALE = 170
MIN_PERSONS = 30_000
MIN_DOCTOR_PARTIES = 64
MIN_LEGAL_ENTITIES = 14

HISTORY_DAYS = 5 * 365  # the registry's history: doctors hired over the last ~5 years
ACTIVE_SHARE = 0.90  # persons holding an active declaration (target)

# ------------------------------------------- report rules (dbt vars, SPEC §7)
REPORT_SHARE: float = dbt_var("report_share")
REPORT_MAX_ROWS: int = dbt_var("report_max_rows")
DOCTOR_MIN_PATIENTS: int = dbt_var("doctor_min_patients")
NEW_PATIENTS_DAYS: int = dbt_var("new_patients_days")
PREVIOUS_PATIENTS_DAYS: int = dbt_var("previous_patients_days")
DOCTOR_MIN_LIFETIME_DAYS: int = dbt_var("doctor_min_lifetime_days")
# (D - SIGN_UP_HORIZON_DAYS, D]: the two sign-up windows patient_increase_30d compares
SIGN_UP_HORIZON_DAYS = NEW_PATIENTS_DAYS + PREVIOUS_PATIENTS_DAYS

# speciality: declaration limit on active declarations (kept implicit in the tables)
SPECIALITY_LIMITS = np.array([1_800, 2_000, 900])
SPECIALITY_P = [0.60, 0.25, 0.15]  # family doctor, therapist, pediatrician

# ------------------------------------------------------------------------ codes
LE_CLINIC, LE_CLOSED, LE_PHARMACY = 0, 1, 2
SETTLEMENTS = np.array(["CITY", "TOWNSHIP", "VILLAGE", "SETTLEMENT"])
CITY, VILLAGE = 0, 2  # codes in SETTLEMENTS
EMP_TYPES = np.array(["DOCTOR", "OWNER", "ADMIN", "HR", "PHARMACIST"])
DOCTOR, OWNER, ADMIN, HR, PHARMACIST = range(5)
EMP_STATUSES = np.array(["NEW", "APPROVED", "DISMISSED"])
NEW, APPROVED, DISMISSED = range(3)
DECL_STATUSES = np.array(["active", "pending_verification", "terminated", "closed", "rejected"])
D_ACTIVE, D_PENDING, D_TERMINATED, D_CLOSED, D_REJECTED = range(5)
AUTH_TYPES = np.array(["OTP", "OFFLINE", "NA"])
OTP, OFFLINE, NA = range(3)
PHONE_TYPES = np.array(["MOBILE", "LAND_LINE"])
MOBILE, LAND_LINE = range(2)
# Why an employee row exists (internal, not a column): a doctor's primary job, a second
# job at another legal entity, any other row, a second division at the same entity.
PRIMARY_JOB, SECOND_JOB, OTHER_ROW, SECOND_DIVISION = range(4)

# ----------------------------------------------------------------------- phones
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
INTERNATIONAL_FORMAT = 3  # "+380...", what OTP numbers mostly look like
LOCAL_FORMATS = (5, 7)  # [first, stop) of the local spellings


@dataclass(frozen=True)
class Sizes:
    """How many of each thing one scale asks for (floors keep tiny scales meaningful)."""

    clinics: int
    closed: int
    pharmacies: int
    doctor_parties: int
    persons: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        clinics = max(MIN_LEGAL_ENTITIES, round(LEGAL_ENTITIES_PER_SCALE * scale))
        return cls(
            clinics=clinics,
            closed=max(1, round(0.03 * clinics)),
            pharmacies=max(1, round(0.08 * clinics)),
            doctor_parties=max(MIN_DOCTOR_PARTIES, round(DOCTOR_PARTIES_PER_SCALE * scale)),
            persons=max(MIN_PERSONS, round(PERSONS_PER_SCALE * scale)),
        )

    @property
    def legal_entities(self) -> int:
        """Every legal entity: clinics, then closed ones, then pharmacies."""
        return self.clinics + self.closed + self.pharmacies


def flagged(rows: float) -> int:
    """Rows a report flags in a partition of `rows` rows: least(ceil(5 %), 25)."""
    return min(REPORT_MAX_ROWS, math.ceil(REPORT_SHARE * rows))


def plant_count(rows: float) -> int:
    """Planted items per report partition: about a third of the flagged rows, at least 1."""
    return max(1, flagged(rows) // 3)

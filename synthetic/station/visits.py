"""Care requests (visits on the shift timelines, plus canceled / archived requests) and the
surveys patients answered after their visits."""

from __future__ import annotations

import numpy as np

from synthetic.station.constants import (
    CARE_REQUEST_ID_BASE,
    COMPLETE_SHARE,
    DAY,
    HOUR,
    MAX_VISITS,
    MINUTE,
)
from synthetic.station.names import (
    ABX,
    COMPLAINTS,
    ESCALATION_REASONS,
    FIRST_NAMES,
    LAST_NAMES,
    NPS_GOOD,
    NPS_MIXED,
)
from synthetic.station.timelines import lognormal_seconds

NAT = np.datetime64("NaT", "s")


def record_care_requests(
    rng: np.random.Generator, shifts: dict, timeline: dict, people: dict
) -> dict:
    """station.care_requests in id order (ids follow created_at), and the visits (complete
    requests) in generation order for the surveys and the planted facts."""
    done_requests = _completed_visits(rng, shifts, timeline)
    v_shift, on_scene_at, completed_at = (
        done_requests[name] for name in ("shift", "on_scene_at", "completed_at")
    )
    n_done = len(v_shift)
    # Canceled / archived requests: assigned to a team, never seen.
    p_lost = (1 - COMPLETE_SHARE) / COMPLETE_SHARE
    lost_per_shift = rng.poisson(p_lost * np.maximum(timeline["visits"], 2))
    c_shift = np.repeat(np.arange(shifts["n"]), lost_per_shift)
    n_lost = len(c_shift)
    c_created = (rng.random(n_lost) * shifts["length"][c_shift]).astype(np.int64)
    c_status = np.where(rng.random(n_lost) < 0.75, "canceled", "archived")

    shift_of = np.r_[v_shift, c_shift]
    created_offset = np.r_[done_requests["created"], c_created]
    created_at = shifts["start"][shift_of] + created_offset.astype("timedelta64[s]")
    n = n_done + n_lost
    done = np.r_[np.ones(n_done, dtype=bool), np.zeros(n_lost, dtype=bool)]
    app = shifts["app"][shift_of]
    clinical = _clinical_details(rng, people, app, done)
    delay, chart_never = _chart_delays(rng, people, app)

    on_scene_full = np.r_[on_scene_at, np.full(n_lost, NAT)]
    completed_full = np.r_[completed_at, np.full(n_lost, NAT)]
    service_date = np.where(
        done,
        on_scene_full.astype("datetime64[D]"),
        shifts["start"][shift_of].astype("datetime64[D]"),
    )
    # Ids increase with the time the request came in.
    order = np.lexsort((rng.random(n), created_at))
    care_request_id = np.empty(n, dtype=np.int64)
    care_request_id[order] = CARE_REQUEST_ID_BASE + 1 + np.arange(n)
    names_first = np.array(FIRST_NAMES, dtype=object)
    names_last = np.array(LAST_NAMES, dtype=object)
    columns = {
        "care_request_id": care_request_id,
        "shift_team_id": shifts["ids"][shift_of],
        "market_id": shifts["market"][shift_of] + 1,
        "status": np.r_[np.full(n_done, "complete", dtype=object), c_status.astype(object)],
        "patient_first_name": names_first[rng.integers(0, len(names_first), n)],
        "patient_last_name": names_last[rng.integers(0, len(names_last), n)],
        "patient_athena_id": rng.integers(1_000_000, 99_999_999, n),  # COPY renders digits
        "service_date": np.datetime_as_string(service_date, unit="D"),
        "on_scene_at": on_scene_full,
        "completed_at": completed_full,
        "chart_closed_at": np.where(
            done & ~chart_never, completed_full + delay.astype("timedelta64[s]"), NAT
        ),
        **clinical,
    }
    return {
        "columns": {name: col[order] for name, col in columns.items()},
        "n_done": n_done,
        # Visits (complete care requests) in generation order, for surveys and planting.
        "visit_id": care_request_id[:n_done],
        "visit_shift": v_shift,
        "visit_completed_at": completed_at,
        "visit_service_date": service_date[:n_done],
    }


def _completed_visits(rng: np.random.Generator, shifts: dict, timeline: dict) -> dict:
    """Per visit slot used on a timeline: its shift, on-scene and completion times, and
    when the request came in (seconds into the shift; before the team was dispatched)."""
    dur, visits, end_us = timeline["dur"], timeline["visits"], timeline["end_us"]
    offset = np.cumsum(dur, axis=1) - dur
    live = np.arange(MAX_VISITS)[None, :] < visits[:, None]
    v_shift, v_slot = np.nonzero(live)
    shift_start = shifts["start"][v_shift].astype("datetime64[us]")
    # On scene when the en-route phase ends; complete when the on-scene phase ends.
    on_scene_at = shift_start + end_us[v_shift, 1 + 4 * v_slot].astype("timedelta64[us]")
    dispatched = offset[v_shift, 1 + 4 * v_slot]
    return {
        "shift": v_shift,
        "on_scene_at": on_scene_at,
        "completed_at": shift_start + end_us[v_shift, 2 + 4 * v_slot].astype("timedelta64[us]"),
        "created": dispatched - rng.integers(0, 75 * MINUTE, len(v_shift)),
    }


def _clinical_details(
    rng: np.random.Generator, people: dict, app: np.ndarray, done: np.ndarray
) -> dict[str, np.ndarray]:
    """Complaint and diagnosis, antibiotics and escalations (completed visits only), by
    the APP's own rates."""
    n = len(app)
    complaint_weight = np.array([c[2] for c in COMPLAINTS])
    complaint_weight /= complaint_weight.sum()
    complaint = rng.choice(len(COMPLAINTS), n, p=complaint_weight)
    # Antibiotics depend on the diagnosis; the factors average 1 over all visits.
    abx_factor = np.array([c[3] for c in COMPLAINTS])
    abx_factor /= (abx_factor * complaint_weight).sum()
    is_abx = done & (rng.random(n) < np.clip(people["abx"][app] * abx_factor[complaint], 0, 0.97))
    is_escalated = done & (rng.random(n) < people["escalation"][app])
    abx_details = np.array(ABX, dtype=object)[rng.integers(0, len(ABX), n)]
    reasons = np.array(ESCALATION_REASONS, dtype=object)[
        rng.integers(0, len(ESCALATION_REASONS), n)
    ]
    complaints = np.array([c[0] for c in COMPLAINTS], dtype=object)
    diagnoses = np.array([c[1] for c in COMPLAINTS], dtype=object)
    return {
        "chief_complaint": complaints[complaint],
        "diagnosis": np.where(done, diagnoses[complaint], None),
        "is_abx_prescribed": is_abx,
        "abx_details": np.where(is_abx, abx_details, None),
        "is_escalated": is_escalated,
        "escalated_reason": np.where(is_escalated, reasons, None),
    }


def _chart_delays(
    rng: np.random.Generator, people: dict, app: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(seconds from completion to chart closure, never closed): mostly within 24 h, some
    exactly at 24 h, some later, a few never."""
    n = len(app)
    u = rng.random(n)
    late_p, never_p = people["chart_late"][app], people["chart_never"][app]
    within = lognormal_seconds(rng, 3 * HOUR, 1.1, n, MINUTE, DAY - 1)
    later = DAY + lognormal_seconds(rng, 30 * HOUR, 0.8, n, MINUTE, 30 * DAY)
    delay = np.where(u < never_p + late_p, later, within)
    delay = np.where(rng.random(n) < 0.01, DAY, delay)
    return delay, u < never_p


def take_surveys(rng: np.random.Generator, shifts: dict, visits: dict, people: dict) -> dict:
    """station.surveys in care_request_id order: taken by the DHMT's capture rate, scored
    by the APP's share of "good" visits, ~10% without a score."""
    v_shift = visits["visit_shift"]
    n = len(v_shift)
    dhmt = shifts["dhmt"][v_shift]
    app = shifts["app"][v_shift]
    taken = rng.random(n) < people["survey"][dhmt]
    good = rng.random(n) < people["nps_good"][app]
    u = rng.random(n)
    score_good = np.searchsorted(np.cumsum(NPS_GOOD) / NPS_GOOD.sum(), u, side="right")
    score_mixed = np.searchsorted(np.cumsum(NPS_MIXED) / NPS_MIXED.sum(), u, side="right")
    score = np.minimum(np.where(good, score_good, score_mixed), 10)
    answered = rng.random(n) >= 0.10
    delay = lognormal_seconds(rng, 4 * HOUR, 1.0, n, 5 * MINUTE, 14 * DAY)
    captured = visits["visit_completed_at"] + delay.astype("timedelta64[s]")
    ids = visits["visit_id"][taken]
    order = np.argsort(ids, kind="stable")
    scores = np.where(answered, score, -1)[taken][order]
    return {
        "care_request_id": ids[order],
        "captured_at": captured[taken][order],
        "nps_score": [None if s < 0 else s for s in scores.tolist()],
    }

"""Microseconds on the station timestamps (SPEC §4/§6: real source timestamps carry them).

The timelines are laid out in whole seconds; this module adds a sub-second part to every
phase boundary and to the times measured from them, drawn from a generator of its own
(spawned from the station's), so the whole-second data a seed gives does not change and
the row counts stay the same. What must stay exact stays exact: shift starts (scheduled
on the hour or half hour), completions logged on a quarter hour (the "last N" ties) and
chart closures exactly 24 h after completion (the closure rule's boundary).
"""

from __future__ import annotations

import numpy as np

MICROS = 1_000_000


def end_microseconds(rng: np.random.Generator, dur: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Microseconds from each shift's start to the end of every column of ``dur``.

    ``dur`` is the timeline's (n, columns) matrix of whole-second phase durations; each
    end gets a random fraction of a second, except where ``fixed`` (those ends stay on
    the whole second). A column that did not happen (0 s) ends where the one before it
    ended, so the phases still tile the shift with no gap and no overlap; a phase lasts
    at least a minute, so a fraction never reorders two boundaries.
    """
    n, columns = dur.shape
    fraction = rng.integers(0, MICROS, (n, columns))
    fraction[fixed] = 0
    happened = np.where(dur > 0, np.arange(columns)[None, :], 0)
    last_happened = np.maximum.accumulate(happened, axis=1)
    fraction = np.take_along_axis(fraction, last_happened, axis=1)
    return np.cumsum(dur, axis=1) * MICROS + fraction


def add_fraction(rng: np.random.Generator, times: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``times`` (datetime64) plus a random fraction of a second, except where ``keep``."""
    fraction = np.where(keep, 0, rng.integers(0, MICROS, len(times)))
    return times.astype("datetime64[us]") + fraction.astype("timedelta64[us]")

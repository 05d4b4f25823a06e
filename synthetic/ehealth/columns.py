"""Column rendering for the ehealth tables: uuids, phone numbers, lazy COPY columns.

Persons and declarations run to millions of rows, so their text columns are not built up
front: a :class:`LazyColumn` renders the slice ``copy_columns`` asks for, chunk by chunk.
Ids are kept as (n, 16) uuid byte pools and tables refer to them by index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from synthetic.ehealth.constants import (
    LANDLINE_AREAS,
    MOBILE_OPERATORS,
    PHONE_FORMATS,
    SUBSCRIBERS,
)

_POW10 = 10 ** np.arange(11, -1, -1, dtype=np.int64)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_SLOTS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])


def uuid_pool(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random version-4 uuids as raw bytes, shape (n, 16)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw


def sorted_uuids(raw: np.ndarray) -> np.ndarray:
    """The same uuids in text order: rows COPY in primary-key order append to the index."""
    hi = raw[:, :8].copy().view(">u8").ravel()
    lo = raw[:, 8:].copy().view(">u8").ravel()
    return raw[np.lexsort((lo, hi))]


def uuid_text(raw: np.ndarray) -> np.ndarray:
    """(k, 16) uuid bytes -> array of 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx' strings."""
    k = len(raw)
    nibbles = np.empty((k, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    out = np.full((k, 36), ord("-"), dtype=np.uint8)
    out[:, _UUID_SLOTS] = _HEX[nibbles]
    return out.view("S36").ravel().astype("U36")


def phone_text(numbers: np.ndarray, formats: np.ndarray) -> np.ndarray:
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


class LazyColumn:
    """A column rendered on demand: copy_columns only takes len() and [start:stop]."""

    def __init__(self, n: int, render: Callable[[int, int], Any]) -> None:
        self._n = n
        self._render = render

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key: slice) -> Any:
        start, stop, _ = key.indices(self._n)
        return self._render(start, stop)


def id_column(pool: np.ndarray, index: np.ndarray | None = None) -> LazyColumn:
    """The pool's ids in order, or the ids at ``index`` (a foreign key column)."""
    if index is None:
        return LazyColumn(len(pool), lambda a, b: uuid_text(pool[a:b]))
    return LazyColumn(len(index), lambda a, b: uuid_text(pool[index[a:b]]))


def nullable_id_column(pool: np.ndarray, index: np.ndarray) -> LazyColumn:
    """Ids by index; index -1 -> NULL."""

    def render(a: int, b: int) -> np.ndarray:
        idx = index[a:b]
        out = uuid_text(pool[np.maximum(idx, 0)]).astype(object)
        out[idx < 0] = None
        return out

    return LazyColumn(len(index), render)


def code_column(labels: np.ndarray, codes: np.ndarray) -> LazyColumn:
    """Integer codes rendered as their labels."""
    return LazyColumn(len(codes), lambda a, b: labels[codes[a:b]])


def phone_column(numbers: np.ndarray, formats: np.ndarray) -> LazyColumn:
    """12-digit numbers in their text formats (number 0 -> NULL)."""
    return LazyColumn(len(numbers), lambda a, b: phone_text(numbers[a:b], formats[a:b]))


def unique_ints(rng: np.random.Generator, n: int, space: int) -> np.ndarray:
    """n distinct integers in [0, space), in random order."""
    if n * 50 <= space:  # sparse: numpy samples without replacement in O(n)
        return rng.choice(space, size=n, replace=False).astype(np.int64)
    # dense: random gaps averaging half the room, then shuffled
    mean_gap = max(1, space // (2 * n))
    values = np.cumsum(rng.integers(1, 2 * mean_gap, size=n, dtype=np.int64)) - 1
    if values[-1] >= space:
        raise ValueError("number space too small for the requested count")
    return rng.permutation(values)


def mobile_numbers(codes: np.ndarray) -> np.ndarray:
    """Codes in [0, operators x subscribers) -> 12-digit mobile numbers 380 OO SSSSSSS."""
    return 380 * 10**9 + MOBILE_OPERATORS[codes // SUBSCRIBERS] * SUBSCRIBERS + codes % SUBSCRIBERS


def landline_numbers(codes: np.ndarray) -> np.ndarray:
    """Codes in [0, areas x subscribers) -> 12-digit land-line numbers 380 AA SSSSSSS."""
    return 380 * 10**9 + LANDLINE_AREAS[codes // SUBSCRIBERS] * SUBSCRIBERS + codes % SUBSCRIBERS


def timestamps(as_of: date, days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Day offsets from ``as_of`` plus seconds into the day, as datetime64[s]."""
    base = np.datetime64(as_of, "s")
    return base + (days.astype(np.int64) * 86_400 + seconds).astype("timedelta64[s]")

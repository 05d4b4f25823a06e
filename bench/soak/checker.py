"""The soak's judge: is a response exactly what the snapshot it names served alone?

A response must carry one snapshot whole: its body (less the fields that differ between
two syncs of the same build) equals the body the same request got when its as-of date was
served alone, and its rows' own dates are that as-of date. Anything else is a mixed
snapshot; a 5xx or an unexpected status is an error.
"""

from __future__ import annotations

from typing import Any

# as_of -> url -> (status, comparable body)
Expected = dict[str, dict[str, tuple[int, Any]]]


def comparable(body: Any) -> Any:
    """The body less the fields that differ between two syncs of the same build."""
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("synced_at", "run_id")}
    return body


def as_of_date(body: Any) -> str | None:
    return body.get("as_of_date") if isinstance(body, dict) else None


def row_dates(body: Any) -> set[str]:
    """The rows' own dates: as_of_date of one-row metrics, report_date of fraud rows."""
    dates = set()
    if isinstance(body, dict):
        for item in body.get("items") or []:
            if isinstance(item, dict) and item.get("report_date"):
                dates.add(item["report_date"])
    return dates


class Checker:
    """Judges each response against the snapshot it names."""

    def __init__(self, expected: Expected) -> None:
        self.expected = expected  # as_of -> url -> (status, comparable body)

    def judge(self, url: str, status: int, body: Any) -> tuple[str | None, str | None, str | None]:
        """(problem, as_of_date, synced_at) of one response."""
        as_of = as_of_date(body)
        synced_at = body.get("synced_at") if isinstance(body, dict) else None
        if status >= 500:
            return f"error: {status} {str(body)[:120]}", as_of, synced_at
        if status == 404 and as_of is None:
            # A 404 carries no snapshot: it must be a 404 in one of the snapshots.
            if any(exp.get(url, (None,))[0] == 404 for exp in self.expected.values()):
                return None, None, None
            return f"error: unexpected 404 {str(body)[:120]}", None, None
        if status != 200:
            return f"error: unexpected {status} {str(body)[:120]}", as_of, synced_at
        if as_of not in self.expected:
            return f"mixed: as_of_date {as_of} is neither snapshot", as_of, synced_at
        rows = row_dates(body)
        if rows - {as_of}:
            return f"mixed: rows of {sorted(rows)} in a response of {as_of}", as_of, synced_at
        want_status, want_body = self.expected[as_of][url]
        if want_status != status or want_body != comparable(body):
            return f"mixed: body differs from the {as_of} snapshot's", as_of, synced_at
        return None, as_of, synced_at

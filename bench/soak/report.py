"""The soak's report: errors, mixed snapshots, the syncs, and latency idle against during a
sync (JSON), and its Markdown line for BENCHMARKS.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bench.soak.processes import SyncRun
from bench.soak.workload import Outcome


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _problems(outcomes: list[Outcome], published: dict[datetime, str]) -> list[tuple[Outcome, str]]:
    """Each outcome's problem, including a ``synced_at`` that is not the finish time of a
    successful sync of the response's own as-of date (``published``: finish -> as-of)."""
    problems = []
    for o in outcomes:
        problem = o.problem
        if problem is None and o.synced_at is not None:
            finished = datetime.fromisoformat(o.synced_at.replace("Z", "+00:00"))
            if published.get(finished) != o.as_of:
                problem = f"mixed: synced_at {o.synced_at} is not a sync of {o.as_of}"
        if problem:
            problems.append((o, problem))
    return problems


def _syncs(runs: list[SyncRun], seconds: float) -> dict[str, Any]:
    return {
        "runs": len(runs),
        "succeeded": sum(r.ok for r in runs),
        "failed": [f"{r.as_of}: {r.tail}" for r in runs if not r.ok],
        "seconds_mean": round(sum(r.finished - r.started for r in runs) / len(runs), 2)
        if runs
        else None,
        "share_of_time_syncing": round(
            sum(min(r.finished, seconds) - r.started for r in runs) / seconds, 2
        )
        if seconds
        else None,
    }


def _latency(outcomes: list[Outcome], runs: list[SyncRun]) -> dict[str, Any]:
    """p50/p99 of the answered requests that started while a sync ran, and of the others."""
    windows = [(r.started, r.finished) for r in runs]

    def during_sync(o: Outcome) -> bool:
        return any(a <= o.started <= b for a, b in windows)

    ok = [o for o in outcomes if o.status is not None]
    busy = [o.seconds * 1000 for o in ok if during_sync(o)]
    idle = [o.seconds * 1000 for o in ok if not during_sync(o)]
    return {
        name: {
            "requests": len(values),
            "p50": _round(_percentile(values, 0.50)),
            "p99": _round(_percentile(values, 0.99)),
        }
        for name, values in (("idle", idle), ("during_sync", busy))
    }


def summarize(
    outcomes: list[Outcome],
    runs: list[SyncRun],
    published: dict[datetime, str],
    seconds: float,
    clients: int,
) -> dict[str, Any]:
    problems = _problems(outcomes, published)
    errors = [(o, p) for o, p in problems if p.startswith("error")]
    mixed = [(o, p) for o, p in problems if p.startswith("mixed")]
    served: dict[str, int] = {}
    for o in outcomes:
        if o.as_of:
            served[o.as_of] = served.get(o.as_of, 0) + 1
    return {
        "clients": clients,
        "seconds": round(seconds, 1),
        "requests": len(outcomes),
        "requests_per_second": round(len(outcomes) / seconds, 1) if seconds else None,
        "errors": len(errors),
        "mixed_snapshots": len(mixed),
        "problem_examples": [f"{o.url}: {p}" for o, p in problems[:10]],
        "responses_by_as_of_date": dict(sorted(served.items())),
        "syncs": _syncs(runs, seconds),
        "latency_ms": _latency(outcomes, runs),
    }


def markdown(report: dict[str, Any]) -> str:
    lat = report["latency_ms"]
    syncs = report["syncs"]
    return "\n".join(
        [
            f"Soak: {report['clients']} clients for {report['seconds']} s"
            f" ({report.get('scale', '?')} scale), `kpi sync` alternating"
            f" {' / '.join(report.get('as_of_dates', []))}",
            "",
            "| requests | req/s | errors | mixed snapshots | syncs (ok) | time syncing |"
            " p50 / p99 idle (ms) | p50 / p99 during sync (ms) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {report['requests']:,} | {report['requests_per_second']} | {report['errors']}"
            f" | {report['mixed_snapshots']} | {syncs['runs']} ({syncs['succeeded']})"
            f" | {syncs['share_of_time_syncing']:.0%}"
            f" | {lat['idle']['p50']} / {lat['idle']['p99']}"
            f" | {lat['during_sync']['p50']} / {lat['during_sync']['p99']} |",
        ]
    )

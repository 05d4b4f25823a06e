"""In-process probe of the API's per-request cost: where an HTTP ratio cannot say why.

    python -m bench.probe --only look_back,market_changes [--requests 400] [--seconds 5]

On the app database of the last ``python -m bench pipeline`` (started if it is down),
with the API benchmark's sampled requests, both apps built in this one process as
``bench.serve`` builds them (the real app as ``kpi serve`` runs it, the minimal app
running the same SQL) and called through ASGI, no socket or load generator between:

- **CPU**: the two apps called alternately, ``--requests`` times each; the median
  ``time.process_time`` of a request of each (this process's CPU only, not the
  database's) and their ratio.
- **Loop**: the real app alone, one request after the other for ``--seconds``: the
  p50/p99/max wall time of a request, and the time the cyclic GC spent per generation
  (``gc.callbacks``): what the event loop of a worker pauses for.

Results: ``bench/results/probe.json`` and a Markdown table on stdout (stderr gets the
progress and the real app's access log: ``2>/dev/null`` to hide them). Used for issue 17
(BENCHMARKS.md, "Issues 15 and 17: what was in the way").
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import serve
from bench.api import app_dsn_of
from bench.common import log, write_result
from bench.endpoints import ENDPOINTS, sample

ASGIApp = Any


async def call(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    """One GET through the app's ASGI interface; its status."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


class GcTimer:
    """Wall time the cyclic GC took, per generation, while installed."""

    def __init__(self) -> None:
        self.ms: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.ms[info["generation"]].append((time.perf_counter() - self._started) * 1e3)

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


async def cpu(apps: dict[str, ASGIApp], paths: dict[str, list[str]], auth: Any, n: int) -> dict:
    """Median process CPU per request of each app, called alternately."""
    used: dict[str, list[float]] = {"app": [], "minimal": []}
    for i in range(n):
        for side in ("app", "minimal"):
            path = paths[side][i % len(paths[side])]
            started = time.process_time()
            status = await call(apps[side], path, auth if side == "app" else [])
            used[side].append(time.process_time() - started)
            if status != 200:
                raise SystemExit(f"probe: {side} answered {status} on {path}")
    app_us, minimal_us = (statistics.median(used[s]) * 1e6 for s in ("app", "minimal"))
    return {"app_cpu_us": app_us, "minimal_cpu_us": minimal_us, "cpu_ratio": app_us / minimal_us}


async def loop(app: ASGIApp, paths: list[str], auth: Any, seconds: float) -> dict:
    """The real app alone, request after request: wall times and the GC's pauses."""
    walls: list[float] = []
    with GcTimer() as timer:
        ends = time.perf_counter() + seconds
        while time.perf_counter() < ends:
            started = time.perf_counter()
            await call(app, paths[len(walls) % len(paths)], auth)
            walls.append((time.perf_counter() - started) * 1e3)
    walls.sort()
    return {
        "requests": len(walls),
        "p50_ms": walls[len(walls) // 2],
        "p99_ms": walls[int(len(walls) * 0.99)],
        "max_ms": walls[-1],
        "gc_ms": {f"gen{g}": {"count": len(v), "total": sum(v), "max": max(v, default=0.0)}
                  for g, v in timer.ms.items()},
    }  # fmt: skip


async def probe(names: list[str], requests: int, seconds: float) -> dict[str, Any]:
    dsn = app_dsn_of(Path(".kpi/bench"))
    markets, params = sample(dsn)
    bearer = serve.token(markets, user_id=params["me"][0]["provider_id"])
    with tempfile.TemporaryDirectory() as tmp:
        params_file = Path(tmp) / "params.json"
        params_file.write_text(json.dumps(params, default=str))
        os.environ.update(serve._server_env(dsn, params_file, pool=4, cache=False))
        apps = {"app": serve.real_app(), "minimal": serve.minimal_app()}
        auth = [(b"authorization", f"Bearer {bearer}".encode())]
        report: dict[str, Any] = {"load_average_start": os.getloadavg(), "endpoints": {}}
        async with apps["app"].lifespan(), apps["minimal"].lifespan():
            for name in names:
                paths = {
                    "app": [ENDPOINTS[name].path(v) for v in params[name]],
                    "minimal": [f"/min/{name}/{i}" for i in range(len(params[name]))],
                }
                measured = await cpu(apps, paths, auth, requests)
                measured["loop"] = await loop(apps["app"], paths["app"], auth, seconds)
                report["endpoints"][name] = measured
                log(f"  {name}: CPU ratio {measured['cpu_ratio']:.2f}")
    return report


def markdown(report: dict[str, Any]) -> str:
    rows = [
        "| endpoint | CPU µs app / minimal | ratio | requests | p50 / p99 / max ms |"
        " GC ms gen0 / gen1 / gen2 (max) |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in report["endpoints"].items():
        lp, g = e["loop"], e["loop"]["gc_ms"]
        rows.append(
            f"| {name} | {e['app_cpu_us']:.0f} / {e['minimal_cpu_us']:.0f} |"
            f" {e['cpu_ratio']:.2f} | {lp['requests']:,} |"
            f" {lp['p50_ms']:.1f} / {lp['p99_ms']:.1f} / {lp['max_ms']:.1f} |"
            f" {g['gen0']['total']:.0f} / {g['gen1']['total']:.0f} / {g['gen2']['total']:.0f}"
            f" ({max(v['max'] for v in g.values()):.1f}) |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("--only", required=True, help="endpoints, comma-separated")
    parser.add_argument("--requests", type=int, default=400, help="per app, for the CPU")
    parser.add_argument("--seconds", type=float, default=5.0, help="of the loop run")
    args = parser.parse_args()
    names = args.only.split(",")
    unknown = sorted(set(names) - set(ENDPOINTS))
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(unknown)} (see bench/endpoints.py)")
    if args.requests < 1 or args.seconds <= 0:
        parser.error("--requests must be ≥ 1 and --seconds > 0")
    report = asyncio.run(probe(names, args.requests, args.seconds))
    write_result("probe.json", report)
    print(markdown(report))


if __name__ == "__main__":
    main()

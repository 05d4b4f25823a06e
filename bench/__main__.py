"""Run a benchmark and print its Markdown.

    python -m bench pipeline --scale 1   # generate, build, sync + raw COPY ceiling
    python -m bench api                  # the API on the app database of the last pipeline
    python -m bench history --scale 1 --weeks 26  # build with/without history, backfill, bytes
    python -m bench api --only market_history,provider_history --data-dir .kpi/test
    python -m bench export               # CSV export of the largest fraud report (issue 19)
                                         # some endpoints only, on another embedded database
    python -m bench all --scale 1        # pipeline at 1x and 2x (+0.25x, 0.5x for the curve),
                                         # the API at 1x, the scale-curve PNG

Results: JSON under ``bench/results/`` and the curve ``bench/results/scale-curve.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from bench import api, export, history, pipeline
from bench.common import RESULTS, log, read_result, write_result
from bench.endpoints import ENDPOINTS

CURVE = (0.25, 0.5, 2.0, 1.0)  # times --scale; the base scale last, for the API run


def run_all(base: float, data_dir: Path) -> dict:
    started = time.perf_counter()
    out: dict = {"date": date.today().isoformat(), "base_scale": base, "scales": {}}
    out["load_average_start"] = os.getloadavg()
    for factor in CURVE:
        scale = base * factor
        log(f"bench: pipeline at scale {scale:g}")
        report = pipeline.run(scale, data_dir)
        log(pipeline.markdown(report))
        dsn = api.app_dsn_of(data_dir)
        full = factor == 1.0
        log(f"bench: API at scale {scale:g} ({'full' if full else 'ranking only'})")
        api_report = api.run(dsn, full=full, log=log)
        write_result(f"api-scale-{scale:g}.json", api_report)
        if full:
            log(api.markdown(api_report))
        out["scales"][f"{scale:g}"] = {
            "build_seconds": report["build"]["seconds"],
            "sync_seconds": report["sync"]["first_seconds"],
            "sync_share_of_ceiling": report["sync"]["share_of_ceiling"],
            "sync_peak_rss_mb": report["sync"]["peak_rss_mb"],
            "generate_seconds": report["generate"]["seconds"],
            "ranking_p99_ms_c16": (
                api_report["endpoints"]["ranking"]["app"][16]["p99_ms"]
                if full
                else api_report["ranking_16"]["p99_ms"]
            ),
        }
    scales = out["scales"]
    one, two = scales[f"{base:g}"], scales[f"{base * 2:g}"]
    out["build_ratio_2x"] = two["build_seconds"] / one["build_seconds"]
    out["sync_ratio_2x"] = two["sync_seconds"] / one["sync_seconds"]
    out["load_average_end"] = os.getloadavg()
    out["seconds"] = time.perf_counter() - started
    write_result("all.json", out)
    plot(out)
    return out


def plot(out: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = sorted((float(s), v) for s, v in out["scales"].items())
    x = [s for s, _ in points]
    fig, left = plt.subplots(figsize=(7, 4.2), dpi=110)
    left.plot(x, [v["build_seconds"] for _, v in points], "o-", label="dbt build (s)")
    left.plot(x, [v["sync_seconds"] for _, v in points], "s-", label="sync, empty app db (s)")
    left.set_xlabel("scale (1 ≈ 1.5 M visits, 3 M persons)")
    left.set_ylabel("seconds")
    left.set_xticks(x)
    right = left.twinx()
    right.plot(
        x,
        [v["ranking_p99_ms_c16"] for _, v in points],
        "^--",
        color="tab:red",
        label="API ranking p99 at 16 conns (ms)",
    )
    right.set_ylabel("API p99 (ms)")
    right.set_ylim(bottom=0)
    lines = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    left.set_title(f"Clinical KPI marts: build, sync and API against scale ({out['date']})")
    fig.tight_layout()
    path = RESULTS / "scale-curve.png"
    fig.savefig(path)
    return path


def report_markdown() -> str:
    """The Markdown of the last `all` run, from its JSON files (for BENCHMARKS.md)."""
    out = read_result("all.json")
    parts = []
    rows = [
        "| scale | generate s | build s | sync s (empty app db) | sync / COPY ceiling |"
        " sync peak RSS MB | ranking p99 ms (c=16) |",
        "|---|---|---|---|---|---|---|",
    ]
    for scale, v in sorted(out["scales"].items(), key=lambda kv: float(kv[0])):
        rows.append(
            f"| {scale} | {v['generate_seconds']:.0f} | {v['build_seconds']:.0f} |"
            f" {v['sync_seconds']:.1f} | {v['sync_share_of_ceiling']:.0%} |"
            f" {v['sync_peak_rss_mb']:.0f} | {v['ranking_p99_ms_c16']:.1f} |"
        )
    parts.append("\n".join(rows))
    parts.append(
        f"build scale-2 / scale-1: {out['build_ratio_2x']:.2f}; sync: {out['sync_ratio_2x']:.2f};"
        f" whole run {out['seconds'] / 60:.1f} min; load average at start"
        f" {out['load_average_start'][0]:.1f}, at end {out['load_average_end'][0]:.1f}"
    )
    for scale in sorted(out["scales"], key=float):
        report = read_result(f"pipeline-scale-{scale}.json")
        parts.append(pipeline.markdown(report))
        gen = report["generate"]
        parts.append(
            "generate per table (rows/s): "
            + ", ".join(
                f"{t} {gen['tables'][t] / s:,.0f}"
                for t, s in sorted(gen.get("table_seconds", {}).items(), key=lambda kv: -kv[1])
                if s > 0 and t in gen["tables"]
            )
        )
        parts.append(
            "build top 10: " + ", ".join(f"{m} {s:.1f}s" for m, s in report["build"]["top_models"])
        )
    base = f"{out['base_scale']:g}"
    parts.append(api.markdown(read_result(f"api-scale-{base}.json")))
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "name", choices=["pipeline", "api", "export", "history", "all", "plot", "report"]
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--weeks", type=int, default=26, help="history: weeks to backfill")
    parser.add_argument(
        "--reuse-sources", action="store_true", help="history: keep this scale's sources"
    )
    parser.add_argument(
        "--only", help="api: only these endpoints (comma-separated names of bench/endpoints.py)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="api: the embedded database's folder (default .kpi/bench)"
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be greater than 0")
    only = args.only.split(",") if args.only else None
    unknown = sorted(set(only or ()) - set(ENDPOINTS))
    if unknown:
        parser.error(f"--only: unknown endpoints {', '.join(unknown)}")
    data_dir = args.data_dir or pipeline.PROJECT_DIR / ".kpi" / "bench"
    if args.name == "pipeline":
        print(pipeline.markdown(pipeline.run(args.scale, data_dir)))
    elif args.name == "api":
        report = api.run(api.app_dsn_of(data_dir), log=log, only=only)
        write_result("api-only.json" if only else "api.json", report)
        print(api.markdown(report))
    elif args.name == "export":
        report = export.run(api.app_dsn_of(data_dir))
        write_result("export.json", report)
        print(export.markdown(report))
    elif args.name == "history":
        report = history.run(args.scale, args.weeks, data_dir, reuse_sources=args.reuse_sources)
        print(history.markdown(report))
    elif args.name == "report":
        print(report_markdown())
    elif args.name == "plot":
        print(plot(read_result("all.json")))
    else:
        out = run_all(args.scale, data_dir)
        print(json.dumps({k: v for k, v in out.items() if k != "scales"}, indent=2))
        for scale, figures in out["scales"].items():
            print(scale, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

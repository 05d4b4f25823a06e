"""Benchmark the pipeline at a scale: generate, dbt build, sync — each next to its ceiling.

    python -m bench pipeline --scale 1

Runs against its own embedded PostgreSQL (``.kpi/bench``) so it never touches the demo
or test data. Every step runs as a child ``kpi`` process, so wall time and peak RSS are
the command's own. Results: a JSON file under ``bench/results/`` and a Markdown table on
stdout, ready for BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from bench.common import checkpoint, write_result
from kpi.settings import PROJECT_DIR

AS_OF = "2026-11-20"


@dataclass
class Step:
    name: str
    seconds: float
    peak_rss_mb: float
    detail: dict = field(default_factory=dict)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KPI_WAREHOUSE_DSN", "KPI_APP_DSN")}
    env.update(
        KPI_DATA_DIR=str(data_dir),
        DBT_TARGET_PATH=str(data_dir / "target"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def run_step(name: str, args: list[str], env: dict[str, str]) -> Step:
    """Run ``kpi ARGS`` as a child; its wall time, its own peak RSS (wait4) and the time
    each output line appeared (``detail["lines"]``: (seconds since start, line))."""
    started = time.perf_counter()
    lines: list[tuple[float, str]] = []
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpi", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append((time.perf_counter() - started, line.rstrip("\n")))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    output = "\n".join(line for _, line in lines)
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise SystemExit(f"bench: `kpi {' '.join(args)}` failed:\n{tail}")
    return Step(name, seconds, usage.ru_maxrss / 1024, {"stdout": output, "lines": lines})


def table_seconds(lines: list[tuple[float, str]], total: float) -> dict[str, float]:
    """Per-table generate time: from a table's progress line to the next one's (the plain
    reporter prints ``  schema.table (~N rows)`` as each table starts)."""
    end = next((t for t, line in lines if line.startswith("generated ")), total)
    starts = [
        (t, line.split()[0])
        for t, line in lines
        if t < end and line.startswith("  ") and re.fullmatch(r"[a-z_]+\.[a-z_]+", line.split()[0])
    ]
    out: dict[str, float] = {}
    for (t, table), following in zip(starts, [*starts[1:], (end, "")], strict=True):
        out[table] = out.get(table, 0.0) + following[0] - t
    return out


def _table_rows(stdout: str) -> dict[str, int]:
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and "." in parts[0] and parts[1].replace(",", "").isdigit():
            rows[parts[0]] = int(parts[1].replace(",", ""))
    return rows


def copy_ceiling(warehouse_dsn: str, app_dsn: str, tables: list[str]) -> dict[str, float]:
    """Raw binary COPY TO STDOUT -> COPY FROM STDIN of the same tables into unlogged copies."""
    rows = 0
    started = time.perf_counter()
    with psycopg.connect(warehouse_dsn) as wh, psycopg.connect(app_dsn) as app:
        app.execute("create schema if not exists bench_ceiling")
        for qualified in tables:
            schema, name = qualified.split(".")
            target = sql.Identifier("bench_ceiling", name)
            app.execute(sql.SQL("drop table if exists {}").format(target))
            app.execute(
                sql.SQL("create unlogged table {} (like {} )").format(
                    target, sql.Identifier(schema, name)
                )
            )
            source = sql.Identifier(schema, name)
            with wh.cursor() as reader, app.cursor() as writer:
                with (
                    reader.copy(sql.SQL("copy {} to stdout (format binary)").format(source)) as out,
                    writer.copy(sql.SQL("copy {} from stdin (format binary)").format(target)) as cp,
                ):
                    for block in out:
                        cp.write(block)
                rows += writer.rowcount
        app.execute("drop schema bench_ceiling cascade")
        app.commit()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


def top_models(target: Path, n: int = 10) -> list[tuple[str, float]]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = [
        (r["unique_id"].split(".", 2)[-1], float(r["execution_time"]))
        for r in results
        if r["unique_id"].startswith("model.")
    ]
    return sorted(timed, key=lambda t: -t[1])[:n]


def start_db(data_dir: Path) -> dict[str, str]:
    """Start (or find running) the embedded PostgreSQL of ``data_dir``; its ``KPI_*`` DSNs."""
    started = run_step("db start", ["db", "start"], _env(data_dir))
    return dict(
        line.split("=", 1)
        for line in started.detail["stdout"].splitlines()
        if line.startswith("KPI_") and "=" in line
    )


def run(scale: float, data_dir: Path | None = None) -> dict:
    data_dir = data_dir or PROJECT_DIR / ".kpi" / "bench"
    env = _env(data_dir)
    dsns = start_db(data_dir)
    gen = run_step(
        "generate",
        ["generate", "--scale", str(scale), "--as-of", AS_OF, "--replace"],
        env,
    )
    build = run_step("build", ["build", "--as-of", AS_OF], env)
    # First sync into an empty app database, then a second one of the same build
    # (the daily steady state: upserts that change nothing).
    with psycopg.connect(dsns["KPI_APP_DSN"], autocommit=True) as app:
        app.execute("drop schema if exists leader_hub, fraud, kpi_sync cascade")
    # Each timed copy starts from a checkpoint, so none of them pays for flushing what the
    # step before wrote (the build writes gigabytes) and sync and ceiling compare evenly.
    checkpoint(dsns["KPI_APP_DSN"])
    first = run_step("sync (empty app db)", ["sync", "--allow-shrink"], env)
    checkpoint(dsns["KPI_APP_DSN"])
    again = run_step("sync (same build again)", ["sync"], env)
    synced = _table_rows(first.detail["stdout"])
    checkpoint(dsns["KPI_APP_DSN"])
    ceiling = copy_ceiling(dsns["KPI_WAREHOUSE_DSN"], dsns["KPI_APP_DSN"], sorted(synced))
    report = {
        "date": date.today().isoformat(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "scale": scale,
        "generate": _generate_figures(gen),
        "build": {
            "seconds": build.seconds,
            "peak_rss_mb": build.peak_rss_mb,
            "top_models": top_models(data_dir / "target"),
        },
        "load_average_1m_at_end": os.getloadavg()[0],
        "sync": _sync_figures(first, again, synced),
        "copy_ceiling": ceiling,
    }
    report["sync"]["share_of_ceiling"] = (
        report["sync"]["first_rows_per_second"] / ceiling["rows_per_second"]
    )
    write_result(f"pipeline-scale-{scale:g}.json", report)
    return report


def _generate_figures(gen: Step) -> dict:
    generated = _table_rows(gen.detail["stdout"])
    return {
        "peak_rss_mb": gen.peak_rss_mb,
        "seconds": gen.seconds,
        "rows": sum(generated.values()),
        "rows_per_second": sum(generated.values()) / gen.seconds,
        "tables": generated,
        "table_seconds": table_seconds(gen.detail["lines"], gen.seconds),
    }


def _sync_figures(first: Step, again: Step, synced: dict[str, int]) -> dict:
    """The first sync (into an empty app database) and the second (same build again)."""
    total_synced = sum(synced.values())
    return {
        "peak_rss_first_mb": first.peak_rss_mb,
        "peak_rss_again_mb": again.peak_rss_mb,
        "rows": total_synced,
        "first_seconds": first.seconds,
        "first_rows_per_second": total_synced / first.seconds,
        "again_seconds": again.seconds,
        "peak_rss_mb": max(first.peak_rss_mb, again.peak_rss_mb),
        "tables": synced,
    }


def markdown(report: dict) -> str:
    gen, build, syn, ceil = (report[k] for k in ("generate", "build", "sync", "copy_ceiling"))
    lines = [
        f"### Pipeline at scale {report['scale']:g} ({report['date']}, {report['machine']})",
        "",
        "| step | wall time | throughput | note |",
        "|---|---|---|---|",
        f"| generate | {gen['seconds']:.1f} s | {gen['rows_per_second']:,.0f} rows/s |"
        f" {gen['rows']:,} rows |",
        f"| dbt build (models + tests) | {build['seconds']:.1f} s | | slowest:"
        f" {', '.join(f'{m} {s:.1f}s' for m, s in build['top_models'][:3])} |",
        f"| sync, empty app db | {syn['first_seconds']:.1f} s |"
        f" {syn['first_rows_per_second']:,.0f} rows/s | {syn['rows']:,} rows,"
        f" {syn['share_of_ceiling']:.0%} of the raw COPY ceiling, peak RSS"
        f" {syn['peak_rss_mb']:.0f} MB |",
        f"| sync, same build again | {syn['again_seconds']:.1f} s |"
        f" {syn['rows'] / syn['again_seconds']:,.0f} rows/s | compared, nothing written,"
        f" {syn['rows'] / syn['again_seconds'] / ceil['rows_per_second']:.0%} of the ceiling |",
        f"| raw binary COPY pipe (ceiling) | {ceil['seconds']:.1f} s |"
        f" {ceil['rows_per_second']:,.0f} rows/s | same tables into unlogged, index-free"
        " copies |",
    ]
    return "\n".join(lines)

"""Benchmark the metric history (issue 16): its cost in the daily build, a backfill, and
the app-database bytes a year of daily history adds.

    python -m bench history --scale 1 --weeks 26

On the pipeline benchmark's embedded PostgreSQL (``.kpi/bench``), each step a child
``kpi`` process (bench.pipeline.run_step), in the order a deployment meets them:

1. generate the sources (not timed here: bench.pipeline measures it);
2. the daily build **without** the history (``--exclude`` the four history models);
3. ``kpi backfill --weeks N`` (creates the history; total and per date);
4. the daily build **with** the history (the steady state: one date inserted into
   tables that hold N), the ratio 2 → 4 being the target (≤ 1.25);
5. a sync into an empty app database, then the history tables' bytes (heap, TOAST and
   indexes: ``pg_total_relation_size``) divided by their dates = bytes per date, × 365
   = a year of daily history.

pgbench's select-only run on the same server (before and after) is printed beside the
times: the shared machine's speed, so two runs' seconds can be compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from bench.common import checkpoint, write_result
from bench.drivers import PGBENCH, _pgbench_env
from bench.pipeline import AS_OF, _env, run_step, start_db
from kpi.backfill import DATES_LOG, HISTORY_MODELS

HISTORY_SCHEMA = "leader_hub"
DAYS_PER_YEAR = 365


def pgbench_select_only(dsn: str, seconds: int = 10) -> float:
    """tps of pgbench's built-in select-only script (scale 2, 2 clients) in a scratch db."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop database if exists bench_yardstick with (force)")
        conn.execute("create database bench_yardstick")
    env = _pgbench_env(dsn)
    env.update(PGDATABASE="bench_yardstick", PGOPTIONS="")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(PGBENCH), "-i", "-q", "-s", "2"], env=env, cwd=tmp, check=True, capture_output=True
        )
        out = subprocess.run(
            [str(PGBENCH), "-n", "-S", "-c", "2", "-j", "1", "-T", str(seconds)],
            env=env,
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop database bench_yardstick with (force)")
    return next(
        float(line.split("=")[1].split()[0])
        for line in out.stdout.splitlines()
        if line.startswith("tps")
    )


def history_bytes(app_dsn: str) -> dict[str, dict[str, float]]:
    """Per history table in the app: dates, rows, total bytes and bytes per date."""
    out = {}
    with psycopg.connect(app_dsn, autocommit=True) as app:
        for name in (*HISTORY_MODELS, DATES_LOG):
            table = sql.Identifier(HISTORY_SCHEMA, name)
            app.execute(sql.SQL("vacuum analyze {}").format(table))
            dates, rows, size = app.execute(
                sql.SQL(
                    "select count(distinct as_of_date), count(*), pg_total_relation_size(%s)"
                    " from {}"
                ).format(table),
                [f"{HISTORY_SCHEMA}.{name}"],
            ).fetchone()
            out[name] = {"dates": dates, "rows": rows, "bytes": size}
            out[name]["bytes_per_date"] = size / dates
    return out


def _has_sources(data_dir: Path, scale: float) -> bool:
    """Whether the sources there are already those of ``scale`` and AS_OF (their manifest)."""
    manifest = data_dir / "synthetic-manifest.json"
    if not manifest.exists():
        return False
    generated = json.loads(manifest.read_text())
    return generated.get("scale") == scale and generated.get("as_of") == AS_OF


def node_seconds(target: Path) -> dict[str, float]:
    """The build's work by dbt's own clock: every node's execution time, and the history
    nodes' (models, their unit and data tests). Their ratio is the history's cost with
    the machine's load factored out, which wall times on a shared machine are not."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    history = (*HISTORY_MODELS, DATES_LOG)
    total = sum(r["execution_time"] for r in results)
    # A history node's id names its model (e.g. not_null_market_metric_history_market_id).
    mine = sum(
        r["execution_time"] for r in results if any(name in r["unique_id"] for name in history)
    )
    return {"total": total, "history": mine, "ratio": total / (total - mine)}


def run(scale: float, weeks: int, data_dir: Path, *, reuse_sources: bool = False) -> dict:
    """``reuse_sources``: skip generating when the data dir holds this scale's sources."""
    env = _env(data_dir)
    dsns = start_db(data_dir)
    yardstick_before = pgbench_select_only(dsns["KPI_APP_DSN"])
    if not (reuse_sources and _has_sources(data_dir, scale)):
        generate = ["generate", "--scale", str(scale), "--as-of", AS_OF, "--replace"]
        run_step("generate", generate, env)
    excluded = [*HISTORY_MODELS, DATES_LOG]
    checkpoint(dsns["KPI_WAREHOUSE_DSN"])
    without = run_step(
        "build without history", ["build", "--as-of", AS_OF, "--exclude", *excluded], env
    )
    checkpoint(dsns["KPI_WAREHOUSE_DSN"])
    backfill = run_step("backfill", ["backfill", "--weeks", str(weeks), "--as-of", AS_OF], env)
    checkpoint(dsns["KPI_WAREHOUSE_DSN"])
    with_history = run_step("build with history", ["build", "--as-of", AS_OF], env)
    with psycopg.connect(dsns["KPI_APP_DSN"], autocommit=True) as app:
        app.execute("drop schema if exists leader_hub, fraud, kpi_sync cascade")
    run_step("sync (empty app db)", ["sync", "--allow-shrink"], env)
    sizes = history_bytes(dsns["KPI_APP_DSN"])
    per_date = sum(t["bytes_per_date"] for t in sizes.values())
    # The build without history left no history: the backfill built every date, D too.
    built = weeks
    report = {
        "date": date.today().isoformat(),
        "scale": scale,
        "weeks": weeks,
        "load_average_1m": os.getloadavg()[0],
        "pgbench_select_only_tps": {"before": yardstick_before},
        "build_without_history_seconds": without.seconds,
        "build_with_history_seconds": with_history.seconds,
        "build_ratio": with_history.seconds / without.seconds,
        "build_node_seconds": node_seconds(data_dir / "target"),
        "backfill_seconds": backfill.seconds,
        "backfill_dates": built,
        "backfill_seconds_per_date": backfill.seconds / max(built, 1),
        "app_tables": sizes,
        "app_bytes_per_date": per_date,
        "app_bytes_per_year_daily": per_date * DAYS_PER_YEAR,
    }
    report["pgbench_select_only_tps"]["after"] = pgbench_select_only(dsns["KPI_APP_DSN"])
    write_result(f"history-scale-{scale:g}.json", report)
    return report


def markdown(report: dict) -> str:
    tps = report["pgbench_select_only_tps"]
    yardstick = f"pgbench -S {tps['before']:,.0f} / {tps['after']:,.0f} tps (before / after)"
    mib = 1024 * 1024
    work = report["build_node_seconds"]
    lines = [
        f"### Metric history at scale {report['scale']:g} ({report['date']})",
        "",
        "| figure | value | note |",
        "|---|---|---|",
        f"| daily build without history | {report['build_without_history_seconds']:.1f} s |"
        f" {yardstick} |",
        f"| daily build with history | {report['build_with_history_seconds']:.1f} s |"
        f" {report['build_ratio']:.2f}× the build without (wall time) |",
        f"| history's share of the build's work | {work['history']:.1f} of {work['total']:.0f}"
        f" node-s | **{work['ratio']:.3f}×** the work without it (target ≤ 1.25×) |",
        f"| backfill {report['weeks']} weeks | {report['backfill_seconds']:.1f} s |"
        f" {report['backfill_dates']} dates built, parse included,"
        f" {report['backfill_seconds_per_date']:.1f} s per date |",
        f"| app bytes per date | {report['app_bytes_per_date'] / mib:.2f} MiB |"
        " the three histories + their log, heap + TOAST + indexes |",
        f"| app bytes per year of daily history | {report['app_bytes_per_year_daily'] / mib:,.0f}"
        " MiB | bytes per date × 365 |",
        "",
        f"load average (1 min) at the end: {report['load_average_1m']:.1f}",
    ]
    return "\n".join(lines)

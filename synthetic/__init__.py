"""Deterministic synthetic source data for both products (SPEC §4).

One entry function, :func:`generate`: it creates the raw ``station`` and ``ehealth``
schemas from ``sources.sql``, fills them with COPY, and writes a manifest of the fraud
patterns it planted so tests can check that the reports find them. Each product's module
only builds its tables as columns (``station.build``, ``ehealth.build``); writing them,
with progress for a :data:`Reporter`, is shared (``_common.write_tables``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import psycopg

from synthetic import ehealth, station
from synthetic._common import Advance, Reporter, Tables, write_tables
from synthetic.csv_files import EmptyStringError, write_copy_script, write_tables_csv

__all__ = [
    "Advance",
    "EmptyStringError",
    "GenerateResult",
    "Reporter",
    "SourcesNotEmptyError",
    "generate",
    "generate_csv",
    "write_tables",
]

SOURCES_SQL = Path(__file__).with_name("sources.sql")
SOURCE_SCHEMAS = ("station", "ehealth")


class SourcesNotEmptyError(RuntimeError):
    """The source schemas already hold data and --replace was not given."""


@dataclass
class GenerateResult:
    rows: dict[str, int] = field(default_factory=dict)
    planted: dict[str, object] = field(default_factory=dict)


def _existing_rows(conn: psycopg.Connection) -> dict[str, int]:
    found = conn.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_schema = any(%s)",
        [list(SOURCE_SCHEMAS)],
    ).fetchall()
    counts = {}
    for (name,) in found:
        (has_rows,) = conn.execute(f"select exists (select from {name})").fetchone()
        if has_rows:
            counts[name] = 1
    return counts


def generate(
    dsn: str,
    *,
    scale: float,
    seed: int,
    as_of: date,
    replace: bool = False,
    reporter: Reporter | None = None,
    manifest_path: Path | None = None,
) -> GenerateResult:
    """Write both source schemas into the warehouse at ``dsn``; deterministic per seed."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    result = GenerateResult()
    with psycopg.connect(dsn, autocommit=False) as conn:
        if not replace and _existing_rows(conn):
            raise SourcesNotEmptyError(
                "the warehouse already has source data; pass --replace to overwrite it"
            )
        for schema in SOURCE_SCHEMAS:
            conn.execute(f"drop schema if exists {schema} cascade")
        conn.execute(SOURCES_SQL.read_text())
        for product, tables, planted in _products(scale=scale, seed=seed, as_of=as_of):
            result.rows.update(write_tables(conn, tables, reporter))
            result.planted[product] = planted
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in SOURCE_SCHEMAS:
            for table in [t for t in result.rows if t.startswith(f"{schema}.")]:
                conn.execute(f"analyze {table}")
    _write_manifest(manifest_path, result, seed=seed, scale=scale, as_of=as_of)
    return result


def _products(*, scale: float, seed: int, as_of: date) -> Iterator[tuple[str, Tables, dict]]:
    """Each product's tables and planted facts, built one product at a time."""
    # Independent streams per product: changing one generator never shifts the other.
    for product, build, stream in (("station", station.build, 1), ("ehealth", ehealth.build, 2)):
        tables, planted = build(np.random.default_rng([seed, stream]), scale, as_of)
        yield product, tables, planted


def _write_manifest(
    manifest_path: Path | None, result: GenerateResult, *, seed: int, scale: float, as_of: date
) -> None:
    """The planted-fraud manifest the tests read (what the generated data must show)."""
    if manifest_path is not None:
        manifest = {
            "seed": seed,
            "scale": scale,
            "as_of": as_of.isoformat(),
            "rows": result.rows,
            "planted": result.planted,
        }
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def generate_csv(
    out_dir: Path,
    *,
    scale: float,
    seed: int,
    as_of: date,
    reporter: Reporter | None = None,
    manifest_path: Path | None = None,
) -> GenerateResult:
    """The same tables :func:`generate` writes for (scale, seed, as_of), as CSV files in
    ``out_dir`` for S3 and Redshift's COPY, with ``redshift_copy.sql`` beside them."""
    if scale <= 0:
        raise ValueError("scale must be greater than 0")
    result = GenerateResult()
    columns: dict[str, list[str]] = {}
    for product, tables, planted in _products(scale=scale, seed=seed, as_of=as_of):
        result.rows.update(write_tables_csv(out_dir, tables, reporter))
        result.planted[product] = planted
        columns.update({table: list(cols) for table, cols in tables.items()})
    write_copy_script(out_dir, columns)
    _write_manifest(manifest_path, result, seed=seed, scale=scale, as_of=as_of)
    return result

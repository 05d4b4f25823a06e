"""The synthetic sources as CSV files, for S3 and Redshift's ``COPY`` (it has no COPY FROM
STDIN, so the tables cannot be streamed in as they are into PostgreSQL).

One file per source table, ``<schema>.<table>.csv``, UTF-8, written by the ``csv`` module
(RFC 4180 quoting: every value in double quotes, a quote inside doubled), a header row of
the column names, records ended by ``\\n``. The NULL convention is PostgreSQL's and
Redshift's CSV one: **NULL is an empty unquoted field; an empty string is ``""``**.
Redshift's ``COPY ... CSV EMPTYASNULL`` also reads ``""`` in a varchar column as NULL,
so the generator never writes an empty string (:func:`write_csv` refuses one): nothing
then depends on how a loader reads ``""``. Booleans are ``t``/``f``, timestamps
``YYYY-MM-DD HH:MI:SS[.ffffff]``, dates ``YYYY-MM-DD``.

Beside the files, ``redshift_copy.sql`` holds the ``COPY`` statement of every table (the
bucket and IAM role are placeholders), in the order the tables were written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from synthetic._common import CHUNK_ROWS, Advance, Reporter, Tables, render_values

# A NULL is written as this marker, quoted like every value by the csv module, and the
# quoted marker is then replaced by nothing: an empty unquoted field. NUL cannot occur in
# PostgreSQL or Redshift text, so no value can be mistaken for it.
_NULL_MARK = "\x00"
_QUOTED_NULL = f'"{_NULL_MARK}"'
COPY_SCRIPT = "redshift_copy.sql"
# Redshift's default TIMEFORMAT keeps fractional seconds up to microseconds; dates and
# timestamps are written in exactly these formats (docs.aws.amazon.com/redshift/latest/dg/
# r_DATEFORMAT_and_TIMEFORMAT_strings.html, copy-parameters-data-conversion.html).
COPY_OPTIONS = (
    "format as csv ignoreheader 1 emptyasnull"
    " dateformat 'YYYY-MM-DD' timeformat 'YYYY-MM-DD HH:MI:SS' encoding utf8"
)


class EmptyStringError(ValueError):
    """A source value is an empty string, which Redshift's CSV load would read as NULL."""


def csv_path(out_dir: Path, table: str) -> Path:
    """Where ``table`` (schema-qualified) is written."""
    return out_dir / f"{table}.csv"


def write_csv(path: Path, columns: dict, advance: Advance | None = None) -> int:
    """Write one table's equally long columns as a CSV file; returns the row count."""
    names = list(columns)
    total = len(columns[names[0]])

    def keep(value: str) -> str:
        """Text as it is (the csv module quotes it), but never an empty string."""
        if value == "":
            raise EmptyStringError(f"{path.name}: an empty string would load as NULL")
        return value

    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(names)
        for start in range(0, total, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, total)
            rendered = [
                render_values(columns[name], start, stop, null=_NULL_MARK, escape=keep)
                for name in names
            ]
            chunk = io.StringIO()
            writer = csv.writer(chunk, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerows(zip(*rendered, strict=True))
            out.write(chunk.getvalue().replace(_QUOTED_NULL, ""))
            if advance is not None:
                advance(stop - start)
    return total


def copy_statement(table: str, columns: list[str]) -> str:
    """Redshift's ``COPY`` of one table's file from S3 (bucket and role left to fill in)."""
    return (
        f"copy {table} ({', '.join(columns)})\n"
        f"from 's3://YOUR-BUCKET/YOUR-PREFIX/{table}.csv'\n"
        f"iam_role 'arn:aws:iam::YOUR-ACCOUNT:role/YOUR-ROLE'\n"
        f"{COPY_OPTIONS};\n"
    )


def write_tables_csv(
    out_dir: Path, tables: Tables, reporter: Reporter | None = None
) -> dict[str, int]:
    """Write every table as ``<schema>.<table>.csv``; returns the rows written per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table, columns in tables.items():
        rows = len(next(iter(columns.values())))
        advance = reporter(table, rows) if reporter is not None else None
        counts[table] = write_csv(csv_path(out_dir, table), columns, advance)
    return counts


def write_copy_script(out_dir: Path, tables: dict[str, list[str]]) -> Path:
    """``redshift_copy.sql``: the COPY of every written table, in the order written."""
    path = out_dir / COPY_SCRIPT
    path.write_text("\n".join(copy_statement(t, columns) for t, columns in tables.items()))
    return path

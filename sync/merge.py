"""Bring a published app table to the rows staged for it, writing only what changed.

The rows of a table that already has rows are copied into a temp *stage* first
(:func:`create_stage`), then :func:`merge` upserts the new and changed ones on the
unique key and deletes the vanished ones. Both run inside the sync's one transaction,
so readers see the whole change at commit or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Connection, sql

from sync.manifest import ExportedTable
from sync.schema import identifier_list


def create_stage(app: Connection, table: ExportedTable) -> sql.Identifier:
    """A temp table shaped like the app table, dropped at commit.

    Shaped from the app table (not the contract) so the binary COPY into it and the
    merge out of it compare values of exactly the published types.
    """
    stage = sql.Identifier(f"stage_{table.name}")
    app.execute(
        sql.SQL("create temp table {} on commit drop as select {} from {} with no data").format(
            stage, identifier_list(table.column_names), sql.Identifier(table.schema, table.name)
        )
    )
    return stage


def merge(app: Connection, table: ExportedTable, stage: sql.Identifier) -> None:
    """Upsert the new and changed staged rows on the unique key; delete vanished rows.

    One statement: a single full join of stage and target (one hash of the target) finds
    the rows that are new, changed or gone; only those are written, so a day on which most
    rows are unchanged costs one scan of each side. The delete and the upsert touch
    different keys, so they can share the statement.
    """
    target = sql.Identifier(table.schema, table.name)
    key = tuple(map(sql.Identifier, table.unique_key))
    first_key = key[0]
    # The published side's keys, renamed: a vanished row has only these (its staged
    # columns are null), and the delete matches on them.
    old_keys = [sql.Identifier(f"published_key_{i}") for i in range(len(key))]
    values = [c for c in table.column_names if c not in table.unique_key]
    app.execute(
        sql.SQL(
            "with diff as materialized ("
            " select {staged_cols}, {published_keys}"
            " from {stage} as staged full join {target} as published on {matches}"
            " where {changed}"
            "), vanished as ("
            " delete from {target} as published using diff"
            " where diff.{first_key} is null and {vanished_keys}"
            ")"
            " insert into {target} ({cols}) select {cols} from diff where {first_key} is not null"
            " on conflict ({key}) {conflict}"
        ).format(
            staged_cols=_qualified("staged", table.column_names),
            published_keys=sql.SQL(", ").join(
                sql.SQL("published.{} as {}").format(k, alias)
                for k, alias in zip(key, old_keys, strict=True)
            ),
            stage=stage,
            target=target,
            matches=_keys_match("staged", "published", key, key),
            changed=_changed(first_key, values),
            first_key=first_key,
            vanished_keys=_keys_match("published", "diff", key, old_keys),
            cols=identifier_list(table.column_names),
            key=identifier_list(table.unique_key),
            conflict=_on_conflict(values),
        )
    )


def _qualified(alias: str, columns: Sequence[str]) -> sql.Composable:
    """``alias.a, alias.b, ...``: the columns of one side of the join."""
    return sql.SQL(", ").join(sql.SQL(alias + ".{}").format(sql.Identifier(c)) for c in columns)


def _keys_match(
    left: str, right: str, key: Sequence[sql.Identifier], names: Sequence[sql.Identifier]
) -> sql.Composable:
    """``left.k1 = right.n1 and ...``: the unique key on ``left`` equals ``names`` on ``right``."""
    return sql.SQL(" and ").join(
        sql.SQL("{}.{} = {}.{}").format(sql.Identifier(left), k, sql.Identifier(right), n)
        for k, n in zip(key, names, strict=True)
    )


def _changed(first_key: sql.Identifier, values: list[str]) -> sql.Composable:
    """The rows the merge must write: new, vanished, or with a value that changed.

    A row absent on one side has a null key there (key columns are ``not null``);
    ``is distinct from`` treats two nulls as equal, so an unchanged null is no change.
    """
    changed = [
        sql.SQL("published.{} is null").format(first_key),  # new
        sql.SQL("staged.{} is null").format(first_key),  # vanished
    ]
    if values:
        changed.append(
            sql.SQL("({}) is distinct from ({})").format(
                _qualified("published", values), _qualified("staged", values)
            )
        )
    return sql.SQL(" or ").join(changed)


def _on_conflict(values: list[str]) -> sql.Composable:
    """Overwrite a changed row's values; a table that is all key has nothing to update."""
    if not values:
        return sql.SQL("do nothing")
    return sql.SQL("do update set {}").format(
        sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in values)
    )

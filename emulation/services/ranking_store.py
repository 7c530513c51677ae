"""Writing a compile's snapshots and entries: two statements, whatever the number of rows.

On PostgreSQL the rows travel as one JSON document unpacked by `json_to_recordset` (one parameter,
no model instance per entry, none of the per-value preparation of bulk_create); on other
databases (SQLite in development and tests) through bulk_create. Both write the same values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from emulation.models import RankingEntry, RankingSnapshot

if TYPE_CHECKING:
    from emulation.services.rankings import UnitResult

# Short JSON keys for the columns of each table (the document is parsed once per compile).
_SNAPSHOT_KEYS = {
    "p": "period",
    "s": "scope",
    "c": "cluster",
    "k": "scope_key",
    "v": "is_provisional",
    "i": "is_current",
    "t": "computed_at",
    "f": "formula_version",
    "h": "inputs_hash",
}
_ENTRY_KEYS = {
    "s": "snapshot",
    "u": "unit",
    "r": "rank",
    "t": "total",
    "c": "criteria_points",
    "a": "adjustment",
    "p": "area_points",
    "f": "full_areas",
    "d": "decided_by",
}


def _json_insert(model, keys: dict[str, str], document: str, returning: tuple[str, ...] = ()) -> list:
    """INSERT INTO the model's table SELECT FROM json_to_recordset(document); the RETURNING rows."""
    fields = {key: model._meta.get_field(name) for key, name in keys.items()}
    # The record's columns typed like the table's, without lengths (varchar(12) reads as varchar).
    record = ", ".join(
        f"{key} {(field.target_field if field.is_relation else field).db_type(connection).split('(')[0]}"
        for key, field in fields.items()
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields.values())
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model's Meta
        f"SELECT {', '.join(fields)} FROM json_to_recordset(%s::json) AS r({record})"
    )
    if returning:
        sql += " RETURNING " + ", ".join(quote(model._meta.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        return cursor.fetchall() if returning else []


def write_snapshots(snapshots: list[RankingSnapshot]) -> None:
    """Insert the snapshots and set their primary keys (scope keys are distinct within a compile)."""
    if not snapshots:
        return
    if connection.vendor != "postgresql":
        RankingSnapshot.objects.bulk_create(snapshots)
        return
    # A compile stamps all its snapshots with one time: formatted once.
    stamps = {moment: moment.isoformat() for moment in {snapshot.computed_at for snapshot in snapshots}}
    document = json.dumps(
        [
            {
                "p": snapshot.period_id,
                "s": str(snapshot.scope),
                "c": snapshot.cluster_id,
                "k": snapshot.scope_key,
                "v": snapshot.is_provisional,
                "i": snapshot.is_current,
                "t": stamps[snapshot.computed_at],
                "f": snapshot.formula_version,
                "h": snapshot.inputs_hash,
            }
            for snapshot in snapshots
        ]
    )
    inserted = _json_insert(RankingSnapshot, _SNAPSHOT_KEYS, document, returning=("id", "scope_key"))
    ids = {key: pk for pk, key in inserted}
    for snapshot in snapshots:
        snapshot.pk = ids[snapshot.scope_key]
        snapshot._state.adding = False
        snapshot._state.db = connection.alias


def write_entries(rows: Iterable[tuple[int, UnitResult, int, str]]) -> None:
    """Insert the entries, given as (snapshot id, unit result, rank, decided by)."""
    if connection.vendor != "postgresql":
        RankingEntry.objects.bulk_create(
            RankingEntry(
                snapshot_id=snapshot_id,
                unit_id=result.unit_id,
                rank=place,
                total=result.total,
                criteria_points=result.criteria_points,
                adjustment=result.adjustment,
                area_points=result.area_text,
                full_areas=result.full_areas,
                decided_by=key,
            )
            for snapshot_id, result, place, key in rows
        )
        return
    # A unit is ranked in its cluster and in the movement: its points are serialised once.
    units: dict[int, str] = {}
    keys: dict[str, str] = {}
    items = []
    for snapshot_id, result, place, key in rows:
        unit = units.get(result.unit_id)
        if unit is None:
            unit = units[result.unit_id] = json.dumps(
                {
                    "u": result.unit_id,
                    "t": str(result.total),
                    "c": str(result.criteria_points),
                    "a": str(result.adjustment),
                    "p": result.area_text,
                    "f": result.full_areas,
                }
            )[1:-1]
        decided = keys.get(key)
        if decided is None:
            decided = keys[key] = json.dumps(str(key))
        items.append(f'{{"s":{int(snapshot_id)},"r":{int(place)},"d":{decided},{unit}}}')
    if not items:
        return
    _json_insert(RankingEntry, _ENTRY_KEYS, "[" + ",".join(items) + "]")

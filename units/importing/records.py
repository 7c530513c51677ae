"""The unit and the staff imports: checking every row against the database, then applying them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.enums import LEADERSHIP_POSITIONS, Position
from units.importing.checking import (
    ImportResult,
    Parsed,
    Preview,
    RowPlan,
    cells_for_display,
    column_of,
    parse_rows,
    start_preview,
)
from units.importing.columns import (
    DATE_FORMAT,
    STAFF_COLUMNS,
    UNIT_COLUMNS,
    Column,
    ImportFailed,
    ImportKind,
    ImportRejected,
    RowAction,
)
from units.importing.reading import Table
from units.models import Assignment, Staff, Unit
from units.services import UnitsError, assign_staff, move_unit

# --- Units ------------------------------------------------------------------------------------

UNIT_FIELDS = ("name", "short_name", "kind", "is_legal_entity", "valid_from", "valid_to")


@dataclass
class _UnitState:
    """The unit tree as the database holds it, loaded in one query."""

    by_code: dict[str, Unit]
    parent_code: dict[str, str | None]

    @classmethod
    def load(cls) -> _UnitState:
        units = list(Unit.objects.order_by("path"))
        code_of = {unit.pk: unit.code for unit in units}
        return cls(
            by_code={unit.code: unit for unit in units},
            parent_code={unit.code: code_of.get(unit.parent_id) for unit in units},
        )


def _check_units(table: Table) -> Preview:
    preview, header = start_preview(ImportKind.UNITS, table)
    if header is None:
        return preview
    columns = UNIT_COLUMNS
    errors = preview.errors
    rows = parse_rows(table, header, "code", errors)
    state = _UnitState.load()
    file_codes = {row.code for row in rows if row.code}
    parent_column = column_of(columns, "parent_code")
    final_parent = dict(state.parent_code)

    for row in rows:
        existing = state.by_code.get(row.code)
        if existing is None and "kind" not in row.values and "kind" not in row.reader.failed:
            row.reader.error(column_of(columns, "kind"), _("The kind is required for a new unit."))
        if "parent_code" in row.values:
            parent = row.values["parent_code"] or None
            if parent and parent == row.values.get("code"):
                row.reader.error(parent_column, _("A unit cannot be its own parent."))
            elif parent and parent not in file_codes and parent not in state.by_code:
                row.reader.error(
                    parent_column,
                    _("There is no unit with the code “%(code)s”, neither in the system nor in this file.")
                    % {"code": parent},
                )
            elif row.code:
                final_parent[row.code] = parent
        _check_date_range(row, existing, columns, ("valid_from", "valid_to"))

    for row in rows:
        if row.code and "parent_code" in row.values and "parent_code" not in row.reader.failed:
            chain = _ancestor_loop(row.code, final_parent)
            if chain:
                row.reader.error(
                    parent_column,
                    _("This would make the unit its own ancestor: %(chain)s.") % {"chain": " → ".join(chain)},
                )

    for row in rows:
        if row.reader.failed or not row.code:
            continue
        existing = state.by_code.get(row.code)
        action = _unit_action(row.values, existing, state)
        preview.plans.append(
            RowPlan(
                row=row.number,
                code=row.code,
                action=action,
                values=row.values,
                cells=cells_for_display(row, header),
            )
        )
    errors.sort(key=lambda error: error.row)
    if errors:
        preview.plans.clear()
    return preview


def _check_date_range(row: Parsed, existing: Any, columns: tuple[Column, ...], keys: tuple[str, str]) -> None:
    start_key, end_key = keys
    if start_key not in row.values and end_key not in row.values:
        return
    start = row.values.get(start_key, getattr(existing, start_key, None))
    end = row.values.get(end_key, getattr(existing, end_key, None))
    if start and end and end < start:
        column = column_of(columns, end_key if end_key in row.values else start_key)
        row.reader.error(
            column,
            _("The end date %(end)s is before the start date %(start)s.")
            % {"end": end.strftime(DATE_FORMAT), "start": start.strftime(DATE_FORMAT)},
        )


def _ancestor_loop(code: str, final_parent: dict[str, str | None]) -> list[str]:
    """The chain code -> parent -> ... -> code when the unit would end up above itself, else []."""
    chain = [code]
    seen = {code}
    current = final_parent.get(code)
    while current:
        chain.append(current)
        if current == code:
            return chain
        if current in seen:
            return []  # a loop further up: reported on the rows that form it
        seen.add(current)
        current = final_parent.get(current)
    return []


def _unit_action(values: dict[str, Any], existing: Unit | None, state: _UnitState) -> str:
    if existing is None:
        return RowAction.CREATE
    for name in UNIT_FIELDS:
        if name in values and values[name] != getattr(existing, name):
            return RowAction.UPDATE
    if "parent_code" in values and (values["parent_code"] or None) != state.parent_code.get(existing.code):
        return RowAction.UPDATE
    return RowAction.UNCHANGED


def _set_unit_fields(unit: Unit, values: dict[str, Any]) -> None:
    for name in UNIT_FIELDS:
        if name in values:
            setattr(unit, name, values[name])


def _placement_order(plans: list[RowPlan], final_parent: dict[str, str | None]) -> list[RowPlan]:
    """Rows sorted so that a parent in the file is saved before its children (the tree has no loop)."""
    in_file = {plan.code for plan in plans}
    depth: dict[str, int] = {}
    for plan in plans:
        chain = []
        current: str | None = plan.code
        while current in in_file and current not in depth:
            chain.append(current)
            current = final_parent.get(current)
        base = depth.get(current, -1) if current in in_file else -1
        for offset, code in enumerate(reversed(chain), start=1):
            depth[code] = base + offset
    return sorted(plans, key=lambda plan: depth[plan.code])


def _apply_units(preview: Preview) -> ImportResult:
    state = _UnitState.load()
    final_parent = dict(state.parent_code)
    for plan in preview.plans:
        if "parent_code" in plan.values:
            final_parent[plan.code] = plan.values["parent_code"] or None
    # Every unit the rows touch, locked against a concurrent edit while this transaction runs.
    touched = {plan.code for plan in preview.plans}
    codes: set[str | None] = (
        touched
        | {final_parent.get(code) for code in touched}
        | {state.parent_code.get(code) for code in touched}
    )
    cache = {unit.code: unit for unit in Unit.objects.select_for_update().filter(code__in=codes - {None})}
    created = updated = 0
    for plan in _placement_order(preview.plans, final_parent):
        if plan.action == RowAction.UNCHANGED:
            continue
        parent_code = final_parent.get(plan.code)
        parent = cache[parent_code] if parent_code else None
        unit = cache.get(plan.code)
        if unit is None:
            unit = Unit(code=plan.code)
            _set_unit_fields(unit, plan.values)
            unit.parent = parent
            unit.save()
            cache[plan.code] = unit
            created += 1
            continue
        _set_unit_fields(unit, plan.values)
        if unit.parent_id != (parent.pk if parent else None):
            move_unit(unit, new_parent=parent)
            _refresh_paths(cache)
        else:
            unit.parent = parent
            unit.save()
        updated += 1
    return ImportResult(ImportKind.UNITS, created=created, updated=updated, unchanged=preview.unchanged)


def _refresh_paths(cache: dict[str, Unit]) -> None:
    """After a move, re-read the tree paths of the units held in memory (one query)."""
    fresh = {
        pk: (path, depth)
        for pk, path, depth in Unit.objects.filter(pk__in=[unit.pk for unit in cache.values()]).values_list(
            "pk", "path", "depth"
        )
    }
    for unit in cache.values():
        unit.path, unit.depth = fresh[unit.pk]


# --- Staff ------------------------------------------------------------------------------------

STAFF_FIELDS = ("full_name", "gender", "date_of_birth", "is_party_member", "position", "email")


def _check_staff(table: Table) -> Preview:
    preview, header = start_preview(ImportKind.STAFF, table)
    if header is None:
        return preview
    columns = STAFF_COLUMNS
    errors = preview.errors
    rows = parse_rows(table, header, "staff_code", errors)
    codes = [row.code for row in rows if row.code]
    existing = {staff.staff_code: staff for staff in Staff.objects.filter(staff_code__in=codes)}
    unit_codes = {row.values.get("unit_code") for row in rows} - {None, ""}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=unit_codes)}
    open_assignments = {
        assignment.staff_id: assignment
        for assignment in Assignment.objects.filter(
            staff__in=[staff.pk for staff in existing.values()], end_date__isnull=True
        )
    }
    today = timezone.localdate()
    unit_column = column_of(columns, "unit_code")
    start_column = column_of(columns, "start_date")

    for row in rows:
        staff = existing.get(row.code)
        if staff is None and "gender" not in row.values and "gender" not in row.reader.failed:
            row.reader.error(
                column_of(columns, "gender"), _("The gender is required for a new staff member.")
            )
        birth = row.values.get("date_of_birth")
        if birth and birth > today:
            row.reader.error(column_of(columns, "date_of_birth"), _("The date of birth is in the future."))
        unit_code = row.values.get("unit_code")
        unit = units.get(unit_code) if unit_code else None
        if unit_code and unit is None:
            row.reader.error(
                unit_column,
                _("There is no unit with the code “%(code)s” in the system.") % {"code": unit_code},
            )
        start = row.values.get("start_date") or today
        current = open_assignments.get(staff.pk) if staff else None
        if unit and current and current.unit_id != unit.pk and start <= current.start_date:
            row.reader.error(
                start_column,
                _(
                    "This person moves to another unit, so the start date must be after the start of the "
                    "current posting (%(date)s)."
                )
                % {"date": current.start_date.strftime(DATE_FORMAT)},
            )
        row.values["start_date"] = start

    for row in rows:
        if row.reader.failed or not row.code:
            continue
        staff = existing.get(row.code)
        unit = units[row.values["unit_code"]]
        row.values["unit"] = unit
        preview.plans.append(
            RowPlan(
                row=row.number,
                code=row.code,
                action=_staff_action(row.values, staff, unit),
                values=row.values,
                cells=cells_for_display(row, header),
            )
        )
    errors.sort(key=lambda error: error.row)
    if errors:
        preview.plans.clear()
    return preview


def _staff_action(values: dict[str, Any], staff: Staff | None, unit: Unit) -> str:
    if staff is None:
        return RowAction.CREATE
    if staff.unit_id != unit.pk:
        return RowAction.UPDATE
    for name in STAFF_FIELDS:
        if name in values and values[name] != getattr(staff, name):
            return RowAction.UPDATE
    return RowAction.UNCHANGED


def _apply_staff(preview: Preview) -> ImportResult:
    codes = [plan.code for plan in preview.plans if plan.action != RowAction.UNCHANGED]
    existing = {
        staff.staff_code: staff for staff in Staff.objects.select_for_update().filter(staff_code__in=codes)
    }
    created = updated = 0
    for plan in preview.plans:
        if plan.action == RowAction.UNCHANGED:
            continue
        staff = existing.get(plan.code)
        is_new = staff is None
        if staff is None:
            position = plan.values.get("position") or Position.OFFICER
            staff = Staff(staff_code=plan.code, position=position, is_leader=position in LEADERSHIP_POSITIONS)
        for name in STAFF_FIELDS:
            if name in plan.values:
                setattr(staff, name, plan.values[name])
        staff.save()
        unit = plan.values["unit"]
        if staff.unit_id != unit.pk:
            assign_staff(staff, unit=unit, start_date=plan.values["start_date"])
        if is_new:
            created += 1
        else:
            updated += 1
    return ImportResult(ImportKind.STAFF, created=created, updated=updated, unchanged=preview.unchanged)


# --- Entry points -----------------------------------------------------------------------------

_CHECKS = {ImportKind.UNITS: _check_units, ImportKind.STAFF: _check_staff}
_APPLIERS = {ImportKind.UNITS: _apply_units, ImportKind.STAFF: _apply_staff}


def preview_import(kind: str, table: Table) -> Preview:
    """Check every row of the table against the database; write nothing."""
    return _CHECKS[ImportKind(kind)](table)


def run_import(kind: str, table: Table) -> ImportResult:
    """Check the table again and apply all rows in one transaction.

    Side effects: creates and updates units (tree paths kept by `Unit.save` and `move_unit`) or
    staff (new postings through `assign_staff`). Raises ImportRejected when a row has a problem
    (the database may have changed since the preview) and ImportFailed when the database refuses
    a write; in both cases nothing is written.
    """
    kind = ImportKind(kind)
    try:
        with transaction.atomic():
            preview = _CHECKS[kind](table)
            if not preview.is_clean:
                raise ImportRejected(preview)
            return _APPLIERS[kind](preview)
    except (IntegrityError, DataError, UnitsError) as exc:
        raise ImportFailed(
            _(
                "The database refused the import, probably because someone changed the same records at "
                "the same time. Nothing was imported; check the file again and retry."
            )
        ) from exc

"""Exports of units and staff in the columns the imports read, as Excel or CSV."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core import spreadsheets
from core.spreadsheets import Column, Kind, Table
from units.importing.columns import (
    DATE,
    NO,
    YES,
    ExportFormat,
    ImportKind,
    choice_word,
    columns_for,
)
from units.models import Assignment, Staff, Unit


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def unit_rows(units: Iterable[Unit]) -> Iterator[list[Any]]:
    """The export columns of each unit (the queryset must select the parent)."""
    for unit in units:
        yield [
            unit.code,
            unit.name,
            unit.short_name,
            choice_word("kind", unit.kind),
            unit.parent.code if unit.parent_id else "",
            YES if unit.is_legal_entity else NO,
            unit.valid_from,
            unit.valid_to,
        ]


def staff_rows(staff: Iterable[Staff]) -> Iterator[list[Any]]:
    """The export columns of each staff member (the queryset comes from `export_staff`)."""
    for person in staff:
        yield [
            person.staff_code,
            person.full_name,
            choice_word("gender", person.gender),
            person.date_of_birth,
            YES if person.is_party_member else NO,
            choice_word("position", person.position),
            person.unit.code if person.unit_id else "",
            person.email,
            person.current_start,
        ]


def export_units(units: models.QuerySet[Unit], *, file_format: str) -> ExportFile:
    """Write the given units (already limited to what the user may see) in the import columns."""
    queryset = units.select_related("parent").order_by("path", "pk")
    return _export(ImportKind.UNITS, unit_rows(queryset), file_format=file_format)


def export_staff(staff: models.QuerySet[Staff], *, file_format: str) -> ExportFile:
    """Write the given staff (already limited to what the user may see) in the import columns."""
    current_start = Assignment.objects.filter(staff=OuterRef("pk"), end_date__isnull=True).values(
        "start_date"
    )[:1]
    queryset = (
        staff.select_related("unit")
        .annotate(current_start=Subquery(current_start))
        .order_by("unit__path", "full_name", "pk")
    )
    return _export(ImportKind.STAFF, staff_rows(queryset), file_format=file_format)


def _export(kind: str, rows: Iterable[list[Any]], *, file_format: str) -> ExportFile:
    file_format = ExportFormat(file_format)
    stem = {ImportKind.UNITS: "don-vi", ImportKind.STAFF: "can-bo"}[kind]
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    columns = [
        Column(column.header, Kind.DATE if column.type == DATE else Kind.TEXT) for column in columns_for(kind)
    ]
    table = Table(str(ImportKind(kind).label), columns, rows)
    return ExportFile(
        spreadsheets.render(table, file_format), spreadsheets.content_type(file_format), filename
    )

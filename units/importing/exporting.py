"""Exports of units and staff in the columns the imports read, as Excel or CSV."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from units.importing.columns import (
    CSV_CONTENT_TYPE,
    DATE_FORMAT,
    FORMULA_PREFIXES,
    NO,
    XLSX_CONTENT_TYPE,
    XLSX_DATE_FORMAT,
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
    columns = columns_for(kind)
    file_format = ExportFormat(file_format)
    stem = {ImportKind.UNITS: "don-vi", ImportKind.STAFF: "can-bo"}[kind]
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    headers = [column.header for column in columns]
    if file_format == ExportFormat.CSV:
        return ExportFile(write_csv(headers, rows), CSV_CONTENT_TYPE, filename)
    title = str(ImportKind(kind).label)
    return ExportFile(write_xlsx(headers, rows, title=title), XLSX_CONTENT_TYPE, filename)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def write_csv(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel shows Vietnamese letters correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(headers: list[str], rows: Iterable[list[Any]], *, title: str) -> bytes:
    """An Excel workbook: bold frozen header, real dates shown dd/mm/yyyy, columns sized to fit."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [len(header) for header in headers]
    for row in rows:
        sheet.append(row)
        for index, value in enumerate(row):
            widths[index] = max(
                widths[index], 10 if isinstance(value, datetime.date) else len(str(value or ""))
            )
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = XLSX_DATE_FORMAT
            elif cell.data_type == "f":
                cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

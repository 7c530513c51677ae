"""Workbooks of the awards app; built from the service's results, no HTTP here.

`eligibility_workbook` is the eligibility list as the secretary filtered it: one row per staff
member or unit with the highest title it qualifies for, the next one up and why that one is not
met. Headers and sentences are in the active language (Vietnamese by default).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from awards.services.eligibility import EligibilityReport, SubjectEligibility
from emulation.enums import Title

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMN_WIDTHS = (14, 32, 36, 30, 30, 90)
SHEET_TITLE_MAX = 31  # Excel's limit


def title_name(code: str | None) -> str:
    return str(Title(code).label) if code else ""


def _why_not(row: SubjectEligibility) -> str:
    verdict = row.next_up
    if verdict is None:
        return ""
    return "\n".join([verdict.headline, *(reason.text for reason in verdict.reasons)])


def eligibility_workbook(report: EligibilityReport, rows: Iterable[SubjectEligibility]) -> bytes:
    """The rows as an .xlsx file: subject code, name, unit, highest title, next title, reasons."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = (_("Eligibility %(year)s") % {"year": report.year})[:SHEET_TITLE_MAX]
    sheet.append(
        [
            _("Code"),
            _("Staff member or unit"),
            _("Unit"),
            _("Highest title qualified for"),
            _("Next title up"),
            _("Why the next title is not met"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.code,
                row.name,
                row.unit_name,
                title_name(row.highest_code),
                title_name(row.next_code),
                _why_not(row),
            ]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                cell.data_type = "s"  # a name starting with "=" stays text, never a formula
        cells[-1].alignment = wrap
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def eligibility_filename(report: EligibilityReport) -> str:
    return f"eligibility-{report.year}.xlsx"

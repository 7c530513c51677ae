"""Workbooks of the awards app; built from the service's results, no HTTP here.

`eligibility_workbook` is the eligibility list as the secretary filtered it: one row per staff
member or unit with the highest title it qualifies for, the next one up and why that one is not
met. Headers and sentences are in the active language (Vietnamese by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from awards.services.eligibility import EligibilityReport, SubjectEligibility
from core.spreadsheets import Column, Table, write_xlsx
from emulation.enums import Title


def title_name(code: str | None) -> str:
    return str(Title(code).label) if code else ""


def _why_not(row: SubjectEligibility) -> str:
    verdict = row.next_up
    if verdict is None:
        return ""
    return "\n".join([verdict.headline, *(reason.text for reason in verdict.reasons)])


def _rows(rows: Iterable[SubjectEligibility]) -> Iterator[list[str]]:
    for row in rows:
        yield [
            row.code,
            row.name,
            row.unit_name,
            title_name(row.highest_code),
            title_name(row.next_code),
            _why_not(row),
        ]


def eligibility_workbook(report: EligibilityReport, rows: Iterable[SubjectEligibility]) -> bytes:
    """The rows as an .xlsx file: subject code, name, unit, highest title, next title, reasons.

    Rows are written as they come (the report explains them batch by batch); the reasons wrap.
    """
    columns = [
        Column(_("Code"), width=12),
        Column(_("Staff member or unit"), width=30),
        Column(_("Unit"), width=34),
        Column(_("Highest title qualified for"), width=28),
        Column(_("Next title up"), width=28),
        Column(_("Why the next title is not met"), width=90, wrap=True),
    ]
    table = Table(_("Eligibility %(year)s") % {"year": report.year}, columns, _rows(rows))
    return write_xlsx([table])


def eligibility_filename(report: EligibilityReport) -> str:
    return f"eligibility-{report.year}.xlsx"

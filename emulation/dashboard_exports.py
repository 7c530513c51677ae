"""The dashboard's tables as files: a ranking snapshot, the progress per cluster, the headline targets.

Each table is built once (`Table`: columns with their header and number format, then rows) and
written either as an .xlsx workbook (bold frozen header, number formats, column widths, the
style of `emulation.exports`) or as CSV in UTF-8 with a byte-order mark, so that Excel opens the
Vietnamese text correctly. Headers are in the active language. No HTTP here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from emulation.dashboard import Headline, PeriodProgress, ProgressRow, area_label
from emulation.enums import Measure
from emulation.models import RankingEntry, RankingSnapshot, TaskArea

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
POINTS_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0"  # VND have no decimals
PERCENT_FORMAT = "0.0"  # percentages are stored as 96.5, not 0.965
MAX_COLUMN_WIDTH = 60
# Excel refuses these in a sheet's name, which is also limited to 31 characters.
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# A text cell starting with one of these would be run as a formula by a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    number_format: str | None = None


@dataclass(frozen=True)
class Formatted:
    """A value with its own number format, for columns that mix measures (the headline targets)."""

    value: Any
    number_format: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Formatted) else value


def _sheet_name(title: str) -> str:
    return SHEET_NAME_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"


def workbook(table: Table) -> bytes:
    """The table as an .xlsx file: bold frozen header, number formats, widths to fit (within reason)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _sheet_name(table.title)
    sheet.append([column.header for column in table.columns])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [max(column.width, len(column.header)) for column in table.columns]
    for row in table.rows:
        sheet.append([_plain(value) for value in row])
        for index, value in enumerate(row):
            if isinstance(value, str):
                widths[index] = max(widths[index], len(value))
    for cells, row in zip(sheet.iter_rows(min_row=2), table.rows, strict=True):
        for cell, column, value in zip(cells, table.columns, row, strict=True):
            if cell.data_type == "f":
                cell.data_type = "s"  # a unit name starting with "=" stays text, never a formula
            number_format = value.number_format if isinstance(value, Formatted) else column.number_format
            if number_format and cell.value is not None:
                cell.number_format = number_format
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark (Excel then reads the accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def render(table: Table, export_format: str) -> bytes:
    return workbook(table) if export_format == "xlsx" else csv_bytes(table)


# --- The tables -------------------------------------------------------------------------------------


def ranking_table(snapshot: RankingSnapshot, entries: list[RankingEntry], areas: list[TaskArea]) -> Table:
    """One snapshot: rank, unit, total and its parts, points per task area, the deciding key."""
    scope = snapshot.cluster.name if snapshot.cluster else _("Whole movement")
    kind = _("provisional") if snapshot.is_provisional else _("final")
    columns = [
        Column(_("Rank"), 6, COUNT_FORMAT),
        Column(_("Unit code"), 10),
        Column(_("Unit"), 30),
        Column(_("Total points"), 10, POINTS_FORMAT),
        Column(_("Criteria points"), 10, POINTS_FORMAT),
        Column(_("Bonus minus deductions"), 10, POINTS_FORMAT),
        *(Column(area_label(area.number), 8, POINTS_FORMAT) for area in areas),
        Column(_("Place decided by"), 20),
    ]
    rows = [
        [
            entry.rank,
            entry.unit.code,
            entry.unit.name,
            entry.total,
            entry.criteria_points,
            entry.adjustment,
            *(
                Decimal(entry.area_points[str(area.number)])
                if str(area.number) in entry.area_points
                else None
                for area in areas
            ),
            str(entry.get_decided_by_display()),
        ]
        for entry in entries
    ]
    return Table(f"{snapshot.period.year} {scope} ({kind})", columns, rows)


def _progress_row(row: ProgressRow) -> list[Any]:
    return [
        row.name,
        row.units,
        row.pledges_submitted,
        row.pledges_submitted_share,
        row.pledges_accepted,
        row.pledges_accepted_share,
        row.submissions_submitted,
        row.submissions_share,
        row.assignments_done,
        row.assignments_total,
        row.scoring_share,
        row.late_units,
    ]


def progress_table(progress: PeriodProgress) -> Table:
    """The progress tiles per cluster and in total (the last row)."""
    columns = [
        Column(_("Cluster or block"), 30),
        Column(_("Units"), 8, COUNT_FORMAT),
        Column(_("Pledges submitted"), 10, COUNT_FORMAT),
        Column(_("Pledges submitted (%)"), 10, PERCENT_FORMAT),
        Column(_("Pledges accepted"), 10, COUNT_FORMAT),
        Column(_("Pledges accepted (%)"), 10, PERCENT_FORMAT),
        Column(_("Self-assessments submitted"), 10, COUNT_FORMAT),
        Column(_("Self-assessments submitted (%)"), 10, PERCENT_FORMAT),
        Column(_("Scorer assignments done"), 10, COUNT_FORMAT),
        Column(_("Scorer assignments"), 10, COUNT_FORMAT),
        Column(_("Scoring done (%)"), 10, PERCENT_FORMAT),
        Column(_("Units late"), 8, COUNT_FORMAT),
    ]
    rows = [_progress_row(row) for row in [*progress.clusters, progress.total]]
    return Table(_("Progress %(year)s") % {"year": progress.period.year}, columns, rows)


def _measure_format(measure: str) -> str:
    if measure == Measure.PERCENT:
        return PERCENT_FORMAT
    if measure in (Measure.MONEY, Measure.COUNT):
        return MONEY_FORMAT
    return POINTS_FORMAT


def headlines_table(headlines: list[Headline]) -> Table:
    """The headline targets, one row per criterion and year: pledged, achieved, goal."""
    columns = [
        Column(_("Criterion code"), 8),
        Column(_("Criterion"), 40),
        Column(_("Year"), 6),
        Column(_("Units pledging"), 8, COUNT_FORMAT),
        Column(_("Pledged"), 12),
        Column(_("Units reporting"), 8, COUNT_FORMAT),
        Column(_("Achieved"), 12),
        Column(_("Goal"), 8),
        Column(_("Achieved, percent of the goal"), 10, PERCENT_FORMAT),
    ]
    rows = [
        [
            headline.criterion.code,
            headline.criterion.title,
            year.year,
            year.pledged_units,
            Formatted(year.pledged, _measure_format(headline.criterion.measure)),
            year.achieved_units,
            Formatted(year.achieved, _measure_format(headline.criterion.measure)),
            Formatted(year.goal, _measure_format(headline.criterion.measure)),
            year.achieved_share_of_goal,
        ]
        for headline in headlines
        for year in headline.years
    ]
    return Table(_("Headline targets"), columns, rows)

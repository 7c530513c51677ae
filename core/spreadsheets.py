"""Every spreadsheet the application hands out: one table model, one .xlsx writer, one CSV writer.

An export builds `Table`s (a sheet name, `Column`s with a header and a `Kind`, then rows of
plain values) and asks `write_xlsx`, `write_csv` or `render` for the file. Nothing else in the
project writes a workbook, so every export gets the same things:

- a bold, frozen header row with an autofilter over the whole table;
- column widths that fit the header and the text (from the first `WIDTH_SAMPLE_ROWS` rows);
- a number format per kind (counts and VND `#,##0`, points `0.00`, percentages stored as 96.5
  shown `0.0`), real dates shown dd/mm/yyyy;
- sheet names Excel accepts (no `[]:*?/\\`, at most 31 characters, unique in the workbook),
  shortened in the middle so that both the start and the distinguishing end survive;
- one formula-injection guard (`is_formula_like`) on every text cell of both formats: a CSV cell
  gets a leading apostrophe (which the unit and staff imports drop again, `unguard`); an .xlsx
  cell stays the same text, stored as text with Excel's "quote prefix" so that editing it never
  turns it into a formula.

Rows may be any iterable (a generator over a queryset streams): the workbook is written in
openpyxl's write-only mode, so memory holds the width sample, not the whole sheet.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")

# A text cell starting with one of these is taken for a formula by a spreadsheet (CSV or formula
# injection): the four formula signs, tab and carriage return (OWASP's list), and the fullwidth
# signs, which Excel with an East Asian input method turns into the ASCII ones.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
GUARD = "'"

SHEET_NAME_MAX = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
ELLIPSIS = "…"
HEAD_MAX = 10  # what a shortened sheet name keeps of its start
MAX_COLUMN_WIDTH = 60
WIDTH_SAMPLE_ROWS = 1000
DATE_WIDTH = 10
DATETIME_WIDTH = 16
CSV_DATE_FORMAT = "%d/%m/%Y"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"


class Kind(enum.StrEnum):
    """What a column holds; each kind has its Excel number format (`NUMBER_FORMATS`)."""

    TEXT = "text"  # shown as given (text is guarded; a number keeps Excel's General format)
    NUMBER = "number"  # counts and ranks
    DECIMAL = "decimal"  # points
    MONEY = "money"  # VND
    PERCENT = "percent"  # stored as 96.5, not 0.965
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS: dict[Kind, str | None] = {
    Kind.TEXT: None,
    Kind.NUMBER: "#,##0",
    Kind.DECIMAL: "0.00",
    Kind.MONEY: "#,##0",  # VND have no decimals
    Kind.PERCENT: "0.0",
    Kind.DATE: "DD/MM/YYYY",
    Kind.DATETIME: "dd/mm/yyyy hh:mm",
}


@dataclass(frozen=True)
class Column:
    """A column: its header (in the active language), kind, least width and whether text wraps.

    A wrapping column keeps `width` as it is (long text breaks into lines); the others grow to fit
    their text, up to `MAX_COLUMN_WIDTH`.
    """

    header: str
    kind: Kind = Kind.TEXT
    width: int = 0
    wrap: bool = False


@dataclass(frozen=True)
class Cell:
    """A value with its own kind, for columns that mix measures (the headline targets)."""

    value: Any
    kind: Kind


@dataclass
class Table:
    """One sheet: its name (shortened by the writer when needed), columns and rows."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


# --- The guard ---------------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula."""
    return text.startswith(FORMULA_PREFIXES)


def guard_text(text: str) -> str:
    """The text as a CSV cell: an apostrophe in front when it would otherwise be a formula."""
    return GUARD + text if is_formula_like(text) else text


def unguard(text: str) -> str:
    """The text the guard was put on, for the imports that read our own exports back."""
    if len(text) > 1 and text[0] == GUARD and is_formula_like(text[1:]):
        return text[1:]
    return text


# --- Sheet names -------------------------------------------------------------------------------------


def sheet_names(names: Iterable[str]) -> list[str]:
    """Names Excel accepts, in order: forbidden characters replaced, at most 31 characters, unique.

    A long name keeps its first word and its end around an ellipsis ("2025 …khu vực XVIII
    (provisional)"), because the end is usually what tells sheets apart. Excel compares names without
    regard to case; a name already taken gets " (2)", " (3)"… within the limit.
    """
    taken: set[str] = set()
    result = []
    for raw in names:
        base = _shorten(SHEET_NAME_FORBIDDEN.sub(" ", raw).strip().strip("'").strip() or "Sheet")
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            suffix = f" ({number})"
            name = _shorten(base, SHEET_NAME_MAX - len(suffix)) + suffix
        taken.add(name.casefold())
        result.append(name)
    return result


def _shorten(name: str, limit: int = SHEET_NAME_MAX) -> str:
    """At most `limit` characters: the first word (a year, a code) and as much of the end as fits."""
    if len(name) <= limit:
        return name
    first_space = name.find(" ")
    head = name[: first_space + 1] if 0 < first_space < HEAD_MAX else name[:HEAD_MAX]
    tail = name[-(limit - len(head) - len(ELLIPSIS)) :]
    if " " in tail[1:]:
        tail = tail[tail.index(" ", 1) + 1 :]  # start the end at a whole word
    return head + ELLIPSIS + tail


# --- Values ------------------------------------------------------------------------------------------


def _split(value: Any, column: Column) -> tuple[Any, Kind]:
    if isinstance(value, Cell):
        return value.value, value.kind
    return value, column.kind


def _naive_local(moment: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: an aware moment becomes the wall-clock time of the project's zone."""
    if timezone.is_aware(moment):
        return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)
    return moment


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _naive_local(value).strftime(CSV_DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.strftime(CSV_DATE_FORMAT)
    if isinstance(value, str):
        return guard_text(value)
    return str(value)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return DATETIME_WIDTH
    if isinstance(value, datetime.date):
        return DATE_WIDTH
    if isinstance(value, int | float | Decimal):
        return len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


# --- Writers -----------------------------------------------------------------------------------------


def write_csv(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (Excel then reads Vietnamese letters right).

    Dates are dd/mm/yyyy, times dd/mm/yyyy hh:mm, decimals as stored ("40.00"), text guarded.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard_text(column.header) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_text(_split(value, column)[0]) for value, column in _cells(row, table)])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, one sheet each, in order."""
    workbook = Workbook(write_only=True)
    for table, name in zip(tables, sheet_names(table.name for table in tables), strict=True):
        _write_sheet(workbook.create_sheet(name), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, file_format: str) -> bytes:
    """One table as "xlsx" or "csv" (the caller has checked the format against `FORMATS`)."""
    if file_format == "csv":
        return write_csv(table)
    return write_xlsx([table])


def content_type(file_format: str) -> str:
    return CSV_CONTENT_TYPE if file_format == "csv" else XLSX_CONTENT_TYPE


def _cells(row: Sequence[Any], table: Table) -> Iterator[tuple[Any, Column]]:
    return zip(row, table.columns, strict=True)


def _write_sheet(sheet: WriteOnlyWorksheet, table: Table) -> None:
    rows = iter(table.rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    # Write-only sheets take their columns, panes and filter before the first row is written.
    for index, width in enumerate(_widths(table, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = _text_cell(sheet, column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in chain(sample, rows):
        sheet.append([_xlsx_cell(sheet, value, column, wrap) for value, column in _cells(row, table)])
        count += 1
    last = get_column_letter(max(len(table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"


def _widths(table: Table, sample: list[Sequence[Any]]) -> list[float]:
    widths = []
    for index, column in enumerate(table.columns):
        if column.wrap and column.width:
            widths.append(float(column.width))
            continue
        fit = max(
            [column.width, len(column.header)]
            + [_display_width(_split(row[index], column)[0]) for row in sample]
        )
        widths.append(float(min(fit + 2, max(MAX_COLUMN_WIDTH, column.width))))
    return widths


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    if is_formula_like(text):
        cell.data_type = "s"  # openpyxl takes "=…" for a formula; it stays text
        cell.quotePrefix = True  # and stays text when someone edits it in Excel
    return cell


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any, column: Column, wrap: Alignment) -> WriteOnlyCell:
    value, kind = _split(value, column)
    if isinstance(value, str):
        cell = _text_cell(sheet, value)
    else:
        if isinstance(value, datetime.datetime):
            value = _naive_local(value)
        cell = WriteOnlyCell(sheet, value=value)
        number_format = NUMBER_FORMATS[kind]
        if isinstance(value, datetime.datetime) and kind is not Kind.DATE:
            number_format = NUMBER_FORMATS[Kind.DATETIME]
        elif isinstance(value, datetime.date) and kind is not Kind.DATETIME:
            number_format = NUMBER_FORMATS[Kind.DATE]
        if number_format and value is not None:
            cell.number_format = number_format
    if column.wrap:
        cell.alignment = wrap
    return cell

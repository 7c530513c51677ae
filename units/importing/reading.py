"""Reading an Excel or CSV file into a `Table` of text cells, with the size limits of an import."""

from __future__ import annotations

import csv
import datetime
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from units.importing.columns import FORMULA_PREFIXES, ImportFileError

# A file bigger than this is split by the user: it also bounds what the session keeps between
# the preview and the confirmation.
MAX_DATA_ROWS = 10_000
MAX_COLUMNS = 60
# Rows read at most, empty ones included (a sheet can hold a million styled empty rows).
MAX_SCANNED_ROWS = 20 * MAX_DATA_ROWS
# The header row is looked for in the first rows, so that a title line above it is allowed.
HEADER_SEARCH_ROWS = 5


@dataclass
class Table:
    """The non-empty rows of a file, each with its row number as the spreadsheet shows it."""

    rows: list[tuple[int, list[str]]]

    def to_data(self) -> list[list[Any]]:
        """A JSON-serialisable copy (kept in the session between preview and confirmation)."""
        return [[number, list(cells)] for number, cells in self.rows]

    @classmethod
    def from_data(cls, data: list[list[Any]]) -> Table:
        return cls(rows=[(int(number), [str(cell) for cell in cells]) for number, cells in data])


def cell_text(value: Any) -> str:
    """One cell as text: dates as yyyy-mm-dd, whole numbers without ".0", no surrounding spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows. Split it into several files and import them one by one.")
        % {"max": MAX_DATA_ROWS}
    )


def _collect(records: Iterable[tuple[int, Iterable[Any]]]) -> Table:
    """Keep the non-empty rows, as text; stop early on a file that is far too long."""
    rows = []
    for scanned, (number, values) in enumerate(records, start=1):
        if scanned > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        cells = [cell_text(value) for value in values][:MAX_COLUMNS]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        rows.append((number, cells))
        if len(rows) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()
    if not rows:
        raise ImportFileError(_("The file is empty: it has no header row and no data."))
    return Table(rows=rows)


def read_xlsx(content: bytes) -> Table:
    """Read the sheet that opens first in an Excel workbook; raise ImportFileError if it is damaged."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about harmless things (unknown extensions, data validation).
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                # The sheet that opens first, unless it is a chart: then the first sheet of cells.
                sheet = workbook.active if workbook.active in workbook.worksheets else workbook.worksheets[0]
                return _collect(enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1))
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged workbook
        raise ImportFileError(
            _(
                "This file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again "
                "as “Excel Workbook (.xlsx)”."
            )
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The most frequent of comma, semicolon or tab in the first line.

    Excel with Vietnamese regional settings saves CSV with semicolons.
    """
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_csv(text: str) -> Table:
    """Read CSV text (already decoded); rows are numbered by record, as Excel shows them."""
    # strict: an unclosed quote is an error instead of swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        records.extend(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportFileError(
            _('The CSV file cannot be read near row %(row)s. Check that every quote mark (") is closed.')
            % {"row": len(records) + 1}
        ) from exc
    return _collect(records)

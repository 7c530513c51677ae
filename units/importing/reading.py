"""Reading an Excel or CSV file into a `Table` of text cells, with the size limits of an import."""

from __future__ import annotations

import csv
import datetime
import io
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import openpyxl
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.spreadsheets import unguard
from core.uploads import UploadRefused, ZipLimits, check_office_file, open_checked_zip, part_content_types
from units.importing.columns import ImportFileError

# A file bigger than this is split by the user: it also bounds what the session keeps between
# the preview and the confirmation.
MAX_DATA_ROWS = 10_000
MAX_COLUMNS = 60
# Rows read at most, empty ones included (a sheet can hold a million styled empty rows).
MAX_SCANNED_ROWS = 20 * MAX_DATA_ROWS
# The header row is looked for in the first rows, so that a title line above it is allowed.
HEADER_SEARCH_ROWS = 5
# Filled cells read at most: 10,000 rows of the widest import with room for unused columns.
MAX_FILLED_CELLS = 300_000
# Distinct texts of the workbook (its shared strings), which openpyxl holds in memory at once.
MAX_SHARED_STRINGS = 200_000
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedstrings+xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Every other XML part (styles, workbook, theme...) is parsed whole by openpyxl; a real one is
# far below this, even a workbook with thousands of cell styles.
OTHER_XML_PART_MAX_BYTES = 8 * 1024 * 1024
# What a workbook may unpack to before openpyxl opens it. openpyxl parses about 7 MB of sheet
# XML a second on one core, so a 32 MB part stays well inside a web worker's timeout; a real
# 10,000-row import unpacks to 10-25 MB. (A 414 KB file of 10 million shared strings unpacks
# to about 170 MB and took a minute and 980 MB before this limit.)
IMPORT_ZIP_LIMITS = ZipLimits(
    max_members=500, max_member_bytes=32 * 1024 * 1024, max_total_bytes=48 * 1024 * 1024
)


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
    return unguard(text)  # the apostrophe our own CSV exports put before formula-like text


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(max)s rows. Split it into several files and import them one by one.")
        % {"max": MAX_DATA_ROWS}
    )


def _too_many_cells() -> ImportFileError:
    return ImportFileError(
        _(
            "The file has more than %(max)s filled cells. Remove the columns the import does not use, "
            "or split the file and import the parts one by one."
        )
        % {"max": number_format(MAX_FILLED_CELLS, force_grouping=True)}
    )


def _collect(records: Iterable[tuple[int, Iterable[Any]]]) -> Table:
    """Keep the non-empty rows, as text; stop early on a file that is far too long or too full."""
    rows = []
    filled = 0
    for scanned, (number, values) in enumerate(records, start=1):
        if scanned > MAX_SCANNED_ROWS:
            raise _too_many_rows()
        cells = [cell_text(value) for value in values][:MAX_COLUMNS]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        filled += sum(1 for cell in cells if cell)
        if filled > MAX_FILLED_CELLS:
            raise _too_many_cells()
        rows.append((number, cells))
        if len(rows) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()
    if not rows:
        raise ImportFileError(_("The file is empty: it has no header row and no data."))
    return Table(rows=rows)


def _not_a_workbook() -> ImportFileError:
    return ImportFileError(
        _(
            "This file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again "
            "as “Excel Workbook (.xlsx)”."
        )
    )


def _too_many_texts() -> ImportFileError:
    return ImportFileError(
        _(
            "The file holds more than %(max)s different texts; an import of %(rows)s rows needs far "
            "fewer. Copy only the rows and columns to import into a new workbook and upload that file."
        )
        % {
            "max": number_format(MAX_SHARED_STRINGS, force_grouping=True),
            "rows": number_format(MAX_DATA_ROWS, force_grouping=True),
        }
    )


def _check_parts(content: bytes, *, name: str) -> None:
    """Refuse, before openpyxl loads them, a workbook with more distinct texts than
    MAX_SHARED_STRINGS or an XML part other than a sheet or its texts over OTHER_XML_PART_MAX_BYTES.

    Parts are found by content type, as openpyxl finds them. The texts are counted by streaming
    through their part, stopping at the limit, so the count costs little even on a hostile file.
    """
    with open_checked_zip(io.BytesIO(content), name=name, limits=IMPORT_ZIP_LIMITS) as archive:
        members = {member.filename.lstrip("/").lower(): member for member in archive.infolist()}
        for part, kind in part_content_types(archive, name=name).items():
            member = members[part]
            if kind == SHARED_STRINGS_TYPE:
                _count_texts(archive, member)
            elif (
                kind != WORKSHEET_TYPE
                and part.endswith(".xml")
                and member.file_size > OTHER_XML_PART_MAX_BYTES
            ):
                raise ImportFileError(
                    _(
                        "“%(name)s” has a part (%(part)s) of %(size)s MB; apart from its sheets and their "
                        "texts, a workbook's parts may be at most %(max)s MB. Copy the rows and columns to "
                        "import into a new workbook and upload that file."
                    )
                    % {
                        "name": name,
                        "part": part[:80],
                        "size": number_format(member.file_size / (1024 * 1024), decimal_pos=1),
                        "max": OTHER_XML_PART_MAX_BYTES // (1024 * 1024),
                    }
                )


def _count_texts(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    count = 0
    try:
        with archive.open(member) as handle:
            # expat (2.4 and later) refuses runaway entity expansion by itself
            for _event, element in ElementTree.iterparse(handle, events=("end",)):  # noqa: S314
                if element.tag.rsplit("}", 1)[-1] == "si":
                    count += 1
                    element.clear()
                if count > MAX_SHARED_STRINGS:
                    raise _too_many_texts()
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError):
        raise _not_a_workbook() from None


def read_xlsx(content: bytes, *, name: str = "") -> Table:
    """Read the sheet that opens first in an Excel workbook; raise ImportFileError if it is refused.

    Before openpyxl sees the file, the upload checks (core.uploads) apply with the import's
    limits (IMPORT_ZIP_LIMITS; macros, embedded objects and external links are refused), and the
    distinct texts are counted and the other XML parts measured; while reading, rows and filled
    cells are counted. Every refusal
    names the limit it hit.
    """
    name = name or _("the workbook")
    try:
        kind = check_office_file(io.BytesIO(content), name=name, limits=IMPORT_ZIP_LIMITS)
    except UploadRefused as refused:
        if refused.code in {"damaged", "not_office"}:
            raise _not_a_workbook() from None
        raise ImportFileError(str(refused)) from None
    if kind != "xlsx":
        raise _not_a_workbook()
    _check_parts(content, name=name)
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
        raise _not_a_workbook() from exc


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

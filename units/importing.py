"""Import units and staff from Excel (.xlsx) or CSV files, and export them in the same columns.

Nothing here knows about HTTP. The import runs in three steps:

1. `read_xlsx` / `read_csv` turn a file into a `Table` (numbered rows of text cells) or raise
   `ImportFileError` with a message for the user (damaged workbook, unreadable CSV, empty file).
2. `preview_import(kind, table)` finds the header row, checks every row against the current
   database and returns a `Preview`: every problem (row, column, message) or, when the file is
   clean, what would be created and updated. It writes nothing.
3. `run_import(kind, table)` checks the table again against the database as it is now and
   applies every row in one transaction: one bad row and nothing is written.

Rules of the file format (also explained on the import pages):

- Rows are matched by code (unit code, staff code): a new code creates a record, a known code
  updates it.
- A column left out of the file leaves that field unchanged on existing records; an empty cell in
  a column that is present clears an optional value. Fields that cannot be empty (unit kind,
  gender, position) keep their current value when the cell is empty.
- Headers are matched without case or diacritics ("ma don vi" finds "Mã đơn vị"); the English
  keys ("code", "parent_code"...) are accepted too. Unknown columns are ignored.

`export_units` / `export_staff` write the same columns, so an exported file can be edited and
imported back.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from units.enums import LEADERSHIP_POSITIONS, Gender, Position, UnitKind
from units.models import Assignment, Staff, Unit
from units.services import UnitsError, assign_staff, move_unit
from units.text import fold

# A file bigger than this is split by the user: it also bounds what the session keeps between
# the preview and the confirmation.
MAX_DATA_ROWS = 10_000
MAX_COLUMNS = 60
# Rows read at most, empty ones included (a sheet can hold a million styled empty rows).
MAX_SCANNED_ROWS = 20 * MAX_DATA_ROWS
# The header row is looked for in the first rows, so that a title line above it is allowed.
HEADER_SEARCH_ROWS = 5
# The preview shows the first rows of a clean file and at most this many problems.
SAMPLE_ROWS = 10
MAX_ERRORS_SHOWN = 1000

DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Cells starting with these are formulas for Excel: exports put a quote in front (CSV) or store
# them as plain text (xlsx), and imports drop that quote again.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ImportKind(models.TextChoices):
    UNITS = "units", gettext_lazy("Units")
    STAFF = "staff", gettext_lazy("Staff")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (UTF-8)"


class RowAction(models.TextChoices):
    CREATE = "create", gettext_lazy("New")
    UPDATE = "update", gettext_lazy("Changed")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")


class ImportFileError(Exception):
    """The file as a whole cannot be used (damaged, empty, wrong encoding); the message says why."""


class ImportRejected(Exception):
    """The rows did not pass the checks when the import was confirmed; nothing was written."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(_("The file has problems; nothing was imported."))
        self.preview = preview


class ImportFailed(Exception):
    """The database refused a row while applying (a concurrent change); nothing was written."""


# --- Columns ----------------------------------------------------------------------------------

TEXT, CODE, DATE, BOOL, CHOICE, EMAIL = "text", "code", "date", "bool", "choice", "email"


@dataclass(frozen=True)
class Column:
    """One column of the file: its key, its Vietnamese header (fixed: it is the file format)."""

    key: str
    header: str
    help: str | Promise
    type: str = TEXT
    required: bool = False
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def accepted_names(self) -> frozenset[str]:
        """Every spelling of the header that is accepted, normalised."""
        names = [self.header, self.key, *self.aliases]
        return frozenset(normalise_header(name) for name in names)


def normalise_header(text: str) -> str:
    """Lower case, no diacritics, no notes in brackets, no asterisks.

    "Ngày sinh (dd/mm/yyyy)*" -> "ngay sinh".
    """
    text = re.sub(r"\(.*?\)", " ", text or "")
    for char in "*_-:.":
        text = text.replace(char, " ")
    return fold(text)


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã đơn vị",
        gettext_lazy("Unique code of the unit. A new code creates a unit, a known code updates it."),
        type=CODE,
        required=True,
        max_length=_max_length(Unit, "code"),
    ),
    Column("name", "Tên đơn vị", gettext_lazy("Full name of the unit."), required=True, max_length=255),
    Column(
        "short_name", "Tên viết tắt", gettext_lazy("Short name."), max_length=_max_length(Unit, "short_name")
    ),
    Column(
        "kind",
        "Loại",
        gettext_lazy("Kind of unit: the name shown in the list below or its code. Required for a new unit."),
        type=CHOICE,
        aliases=("Loại đơn vị",),
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        gettext_lazy(
            "Code of the unit above it: a unit already in the system or one in this file, in any row. "
            "Empty for a top-level unit."
        ),
        type=CODE,
        max_length=_max_length(Unit, "code"),
        aliases=("parent",),
    ),
    Column(
        "is_legal_entity",
        "Pháp nhân",
        gettext_lazy("Legal entity: có or không (x or empty also work)."),
        type=BOOL,
    ),
    Column("valid_from", "Hiệu lực từ", gettext_lazy("Valid from, as dd/mm/yyyy."), type=DATE),
    Column(
        "valid_to",
        "Hiệu lực đến",
        gettext_lazy("Valid until, as dd/mm/yyyy. Empty while the unit exists."),
        type=DATE,
    ),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column(
        "staff_code",
        "Mã cán bộ",
        gettext_lazy("Unique staff code. A new code creates a staff record, a known code updates it."),
        type=CODE,
        required=True,
        max_length=_max_length(Staff, "staff_code"),
    ),
    Column(
        "full_name",
        "Họ và tên",
        gettext_lazy("Full name."),
        required=True,
        max_length=_max_length(Staff, "full_name"),
        aliases=("Họ tên",),
    ),
    Column("gender", "Giới tính", gettext_lazy("Nam or Nữ. Required for a new staff member."), type=CHOICE),
    Column("date_of_birth", "Ngày sinh", gettext_lazy("Date of birth, as dd/mm/yyyy."), type=DATE),
    Column("is_party_member", "Đảng viên", gettext_lazy("Party member: có or không."), type=BOOL),
    Column(
        "position",
        "Chức vụ",
        gettext_lazy("Position: the name shown in the list below or its code. Civil servant when empty."),
        type=CHOICE,
    ),
    Column(
        "unit_code",
        "Mã đơn vị",
        gettext_lazy("Code of the unit the person works in; it must already exist."),
        type=CODE,
        required=True,
        max_length=_max_length(Unit, "code"),
    ),
    Column(
        "email",
        "Email",
        gettext_lazy("Work email address."),
        type=EMAIL,
        max_length=254,
        aliases=("Thư điện tử",),
    ),
    Column(
        "start_date",
        "Ngày bắt đầu công tác",
        gettext_lazy(
            "First day in the unit, as dd/mm/yyyy; today when empty. "
            "Used for new staff and when a person changes unit."
        ),
        type=DATE,
    ),
)

COLUMNS = {ImportKind.UNITS: UNIT_COLUMNS, ImportKind.STAFF: STAFF_COLUMNS}


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS[ImportKind(kind)]


# Vietnamese words of the file format for the choice columns. The first word of each is what an
# export writes; imports also accept the stored value and the label in every site language, so the
# format does not depend on the translation catalogue.
UNIT_KIND_WORDS: dict[str, tuple[str, ...]] = {
    UnitKind.DEPARTMENT: ("Cục Hải quan", "Cơ quan Cục"),
    UnitKind.HQ_UNIT: ("Đơn vị thuộc cơ quan Cục", "Đơn vị cơ quan Cục"),
    UnitKind.REGIONAL_BRANCH: ("Chi cục Hải quan khu vực", "Chi cục"),
    UnitKind.OFFICE: ("Phòng/Đội", "Phòng", "Đội"),
    UnitKind.BORDER_OFFICE: ("Hải quan cửa khẩu", "Cửa khẩu"),
}
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    Gender.FEMALE: ("Nữ", "F"),
    Gender.MALE: ("Nam", "M"),
}
POSITION_WORDS: dict[str, tuple[str, ...]] = {
    Position.DIRECTOR: ("Cục trưởng", "Chi cục trưởng", "Giám đốc", "Thủ trưởng"),
    Position.DEPUTY_DIRECTOR: ("Phó Cục trưởng", "Phó Chi cục trưởng", "Phó Giám đốc", "Phó Thủ trưởng"),
    Position.HEAD: ("Trưởng phòng", "Đội trưởng", "Trưởng ban", "Trưởng đơn vị"),
    Position.DEPUTY_HEAD: ("Phó Trưởng phòng", "Phó Đội trưởng", "Phó Trưởng ban", "Phó Trưởng đơn vị"),
    Position.OFFICER: ("Công chức",),
    Position.EMPLOYEE: ("Nhân viên", "Người lao động"),
}
CHOICES: dict[str, tuple[type[models.TextChoices], dict[str, tuple[str, ...]]]] = {
    "kind": (UnitKind, UNIT_KIND_WORDS),
    "gender": (Gender, GENDER_WORDS),
    "position": (Position, POSITION_WORDS),
}
YES_WORDS = frozenset({"co", "x", "true", "1", "yes", "y", "dung"})
NO_WORDS = frozenset({"", "khong", "false", "0", "no", "n", "sai"})
YES, NO = "có", "không"


@functools.cache
def choice_lookup(key: str) -> dict[str, str]:
    """Normalised spelling -> stored value, for a choice column (labels in every site language)."""
    enum, words = CHOICES[key]
    lookup: dict[str, str] = {}
    for value, label in enum.choices:
        spellings = [value, value.replace("_", " "), *words.get(value, ())]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                spellings.append(str(label))
        for spelling in spellings:
            lookup.setdefault(fold(spelling), value)
    return lookup


def choice_word(key: str, value: str) -> str:
    """The Vietnamese word an export writes for a stored choice value."""
    _enum, words = CHOICES[key]
    return words[value][0] if value in words else value


def allowed_words(key: str) -> list[str]:
    """The preferred spelling of every choice of a column, for the help text and error messages."""
    enum, words = CHOICES[key]
    return [words[value][0] for value in enum.values]


# --- Reading files ----------------------------------------------------------------------------


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
    records = []
    try:
        records.extend(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ImportFileError(
            _('The CSV file cannot be read near row %(row)s. Check that every quote mark (") is closed.')
            % {"row": len(records) + 1}
        ) from exc
    return _collect(records)


# --- Checking ---------------------------------------------------------------------------------


@dataclass
class RowError:
    """A problem in one cell: the row number as the spreadsheet shows it and the column header."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RowPlan:
    """What one clean row will do: its action and the cleaned values of the columns in the file."""

    row: int
    code: str
    action: str
    values: dict[str, Any]
    cells: list[str]

    @property
    def action_label(self) -> str:
        return RowAction(self.action).label


@dataclass
class Preview:
    """The result of checking a file: its problems, or what importing it would do."""

    kind: str
    columns: list[Column] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.plans)

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def to_create(self) -> int:
        return self.count(RowAction.CREATE)

    @property
    def to_update(self) -> int:
        return self.count(RowAction.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(RowAction.UNCHANGED)

    @property
    def sample(self) -> list[RowPlan]:
        return self.plans[:SAMPLE_ROWS]


@dataclass
class ImportResult:
    kind: str
    created: int
    updated: int
    unchanged: int


class _Header:
    """Where each known column is in the file, found in the first rows."""

    def __init__(self, table: Table, columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.row_index = 0
        self.positions: dict[str, int] = {}
        self.duplicates: list[str] = []
        self.ignored: list[str] = []
        candidates = table.rows[:HEADER_SEARCH_ROWS]
        for index, (_number, cells) in enumerate(candidates):
            if self._match(cells)[0]:
                self.row_index = index
                break
        self.positions, self.duplicates, self.ignored = self._match(table.rows[self.row_index][1])

    def _match(self, cells: list[str]) -> tuple[dict[str, int], list[str], list[str]]:
        by_name = {name: column for column in self.columns for name in column.accepted_names}
        positions: dict[str, int] = {}
        duplicates: list[str] = []
        ignored: list[str] = []
        for position, cell in enumerate(cells):
            column = by_name.get(normalise_header(cell))
            if column is None:
                if cell:
                    ignored.append(cell)
            elif column.key in positions:
                duplicates.append(
                    _("The column “%(column)s” appears twice (columns %(first)s and %(second)s).")
                    % {
                        "column": column.header,
                        "first": get_column_letter(positions[column.key] + 1),
                        "second": get_column_letter(position + 1),
                    }
                )
            else:
                positions[column.key] = position
        return positions, duplicates, ignored

    @property
    def present(self) -> list[Column]:
        return [column for column in self.columns if column.key in self.positions]

    @property
    def missing(self) -> list[Column]:
        return [column for column in self.columns if column.required and column.key not in self.positions]


class _RowReader:
    """Reads and converts the cells of one row, collecting its problems."""

    def __init__(self, number: int, cells: list[str], header: _Header, errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.header = header
        self.errors = errors
        self.failed: set[str] = set()
        self.values: dict[str, Any] = {}

    def has(self, key: str) -> bool:
        return key in self.header.positions

    def raw(self, key: str) -> str:
        position = self.header.positions.get(key)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position]

    def error(self, column: Column, message: str) -> None:
        self.errors.append(RowError(row=self.number, column=column.header, message=message))
        self.failed.add(column.key)

    def read_all(self) -> dict[str, Any]:
        for column in self.header.present:
            value = self.convert(column, self.raw(column.key))
            if value is not _INVALID and value is not _KEEP:
                self.values[column.key] = value
        return self.values

    def convert(self, column: Column, raw: str) -> Any:
        if not raw:
            if column.required:
                self.error(column, _("This cell is required and is empty."))
                return _INVALID
            return _empty_value(column)
        if column.max_length and len(raw) > column.max_length:
            self.error(
                column,
                _("The text is too long: %(length)s characters, at most %(max)s are allowed.")
                % {"length": len(raw), "max": column.max_length},
            )
            return _INVALID
        converter = _CONVERTERS.get(column.type)
        if converter is None:
            return raw
        try:
            return converter(column, raw)
        except ValidationError as exc:
            self.error(column, exc.messages[0])
            return _INVALID


# A cell that could not be read (its problem is recorded), and an empty cell that keeps the
# current value (choice fields cannot be empty).
_INVALID = object()
_KEEP = object()


def _empty_value(column: Column) -> Any:
    if column.type == DATE:
        return None
    if column.type == BOOL:
        return False
    if column.type == CHOICE:
        return _KEEP
    return ""


DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)


def parse_date(raw: str) -> datetime.date:
    """dd/mm/yyyy (also with - or .), or yyyy-mm-dd as Excel dates are read; else ValidationError."""
    text = raw.strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise ValidationError(
        _("“%(value)s” is not a valid date. Write dates as dd/mm/yyyy, for example 25/03/2024.")
        % {"value": raw}
    )


def parse_bool(raw: str) -> bool:
    word = fold(raw)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValidationError(
        _("“%(value)s” is not understood. Write “%(yes)s” or “%(no)s”.")
        % {"value": raw, "yes": YES, "no": NO}
    )


def _convert_date(column: Column, raw: str) -> datetime.date:
    return parse_date(raw)


def _convert_bool(column: Column, raw: str) -> bool:
    return parse_bool(raw)


def _convert_choice(column: Column, raw: str) -> str:
    value = choice_lookup(column.key).get(fold(raw))
    if value is None:
        raise ValidationError(
            _("“%(value)s” is not one of the allowed values: %(allowed)s.")
            % {"value": raw, "allowed": ", ".join(allowed_words(column.key))}
        )
    return value


def _convert_email(column: Column, raw: str) -> str:
    try:
        validate_email(raw)
    except ValidationError:
        raise ValidationError(_("“%(value)s” is not a valid email address.") % {"value": raw}) from None
    return raw


_CONVERTERS = {DATE: _convert_date, BOOL: _convert_bool, CHOICE: _convert_choice, EMAIL: _convert_email}


@dataclass
class _Parsed:
    """A row after reading its cells, before the checks that need the other rows or the database."""

    number: int
    cells: list[str]
    code: str
    values: dict[str, Any]
    reader: _RowReader


def _parse_rows(table: Table, header: _Header, key: str, errors: list[RowError]) -> list[_Parsed]:
    """Read every data row; report codes used twice in the file (the first row keeps the code)."""
    parsed: list[_Parsed] = []
    first_row: dict[str, int] = {}
    code_column = next(column for column in header.columns if column.key == key)
    for number, cells in table.rows[header.row_index + 1 :]:
        reader = _RowReader(number, cells, header, errors)
        values = reader.read_all()
        code = values.get(key, "")
        if code and code in first_row:
            reader.error(
                code_column,
                _("The code “%(code)s” is already used in row %(row)s of this file.")
                % {"code": code, "row": first_row[code]},
            )
            code = ""
        elif code:
            first_row[code] = number
        parsed.append(_Parsed(number=number, cells=cells, code=code, values=values, reader=reader))
    return parsed


def _column(columns: tuple[Column, ...], key: str) -> Column:
    return next(column for column in columns if column.key == key)


def _start(kind: str, table: Table) -> tuple[Preview, _Header | None]:
    """Find the header and report problems with the file's shape (missing columns, no data rows)."""
    columns = columns_for(kind)
    header = _Header(table, columns)
    preview = Preview(kind=kind, columns=header.present, ignored_headers=header.ignored)
    preview.file_errors.extend(header.duplicates)
    if header.missing:
        preview.file_errors.append(
            _(
                "These required columns are missing: %(columns)s. The first row of the file must hold the "
                "column names, as in the example file."
            )
            % {"columns": ", ".join(f"“{column.header}”" for column in header.missing)}
        )
    if len(table.rows) <= header.row_index + 1:
        preview.file_errors.append(_("The file has a header row but no data rows below it."))
    return preview, (None if preview.file_errors else header)


def _cells_for_display(parsed: _Parsed, header: _Header) -> list[str]:
    return [parsed.reader.raw(column.key) for column in header.present]


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
    preview, header = _start(ImportKind.UNITS, table)
    if header is None:
        return preview
    columns = UNIT_COLUMNS
    errors = preview.errors
    rows = _parse_rows(table, header, "code", errors)
    state = _UnitState.load()
    file_codes = {row.code for row in rows if row.code}
    parent_column = _column(columns, "parent_code")
    final_parent = dict(state.parent_code)

    for row in rows:
        existing = state.by_code.get(row.code)
        if existing is None and "kind" not in row.values and "kind" not in row.reader.failed:
            row.reader.error(_column(columns, "kind"), _("The kind is required for a new unit."))
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
                cells=_cells_for_display(row, header),
            )
        )
    errors.sort(key=lambda error: error.row)
    if errors:
        preview.plans.clear()
    return preview


def _check_date_range(
    row: _Parsed, existing: Any, columns: tuple[Column, ...], keys: tuple[str, str]
) -> None:
    start_key, end_key = keys
    if start_key not in row.values and end_key not in row.values:
        return
    start = row.values.get(start_key, getattr(existing, start_key, None))
    end = row.values.get(end_key, getattr(existing, end_key, None))
    if start and end and end < start:
        column = _column(columns, end_key if end_key in row.values else start_key)
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
    codes = {plan.code for plan in preview.plans}
    codes |= {final_parent.get(code) for code in codes} | {state.parent_code.get(code) for code in codes}
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
    preview, header = _start(ImportKind.STAFF, table)
    if header is None:
        return preview
    columns = STAFF_COLUMNS
    errors = preview.errors
    rows = _parse_rows(table, header, "staff_code", errors)
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
    unit_column = _column(columns, "unit_code")
    start_column = _column(columns, "start_date")

    for row in rows:
        staff = existing.get(row.code)
        if staff is None and "gender" not in row.values and "gender" not in row.reader.failed:
            row.reader.error(_column(columns, "gender"), _("The gender is required for a new staff member."))
        birth = row.values.get("date_of_birth")
        if birth and birth > today:
            row.reader.error(_column(columns, "date_of_birth"), _("The date of birth is in the future."))
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
                cells=_cells_for_display(row, header),
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


# --- Export -----------------------------------------------------------------------------------


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

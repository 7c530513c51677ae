"""What every import shares: the header row, parsing and converting cells, the preview's rows and errors."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from units.importing.columns import (
    BOOL,
    CHOICE,
    DATE,
    EMAIL,
    NO,
    NO_WORDS,
    YES,
    YES_WORDS,
    Column,
    RowAction,
    allowed_words,
    choice_lookup,
    columns_for,
    normalise_header,
)
from units.importing.reading import HEADER_SEARCH_ROWS, Table
from units.text import fold

# The preview shows the first rows of a clean file and at most this many problems.
SAMPLE_ROWS = 10
MAX_ERRORS_SHOWN = 1000


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
        return str(RowAction(self.action).label)


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
class Parsed:
    """A row after reading its cells, before the checks that need the other rows or the database."""

    number: int
    cells: list[str]
    code: str
    values: dict[str, Any]
    reader: _RowReader


def parse_rows(table: Table, header: _Header, key: str, errors: list[RowError]) -> list[Parsed]:
    """Read every data row; report codes used twice in the file (the first row keeps the code)."""
    parsed: list[Parsed] = []
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
        parsed.append(Parsed(number=number, cells=cells, code=code, values=values, reader=reader))
    return parsed


def column_of(columns: tuple[Column, ...], key: str) -> Column:
    return next(column for column in columns if column.key == key)


def start_preview(kind: str, table: Table) -> tuple[Preview, _Header | None]:
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


def cells_for_display(parsed: Parsed, header: _Header) -> list[str]:
    return [parsed.reader.raw(column.key) for column in header.present]

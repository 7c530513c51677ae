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

The package: `columns` (the file format: columns, choice words, errors), `reading` (files into a
`Table`), `checking` (header, cell conversion, the preview), `records` (the unit and staff
imports) and `exporting`. Callers import from the package itself.
"""

from units.importing.checking import ImportResult, Preview, RowError, RowPlan
from units.importing.columns import (
    CHOICE,
    NO,
    YES,
    Column,
    ExportFormat,
    ImportFailed,
    ImportFileError,
    ImportKind,
    ImportRejected,
    RowAction,
    allowed_words,
    columns_for,
)
from units.importing.exporting import ExportFile, export_staff, export_units
from units.importing.reading import MAX_DATA_ROWS, Table, read_csv, read_xlsx
from units.importing.records import preview_import, run_import

__all__ = [
    "CHOICE",
    "MAX_DATA_ROWS",
    "NO",
    "YES",
    "Column",
    "ExportFile",
    "ExportFormat",
    "ImportFailed",
    "ImportFileError",
    "ImportKind",
    "ImportRejected",
    "ImportResult",
    "Preview",
    "RowAction",
    "RowError",
    "RowPlan",
    "Table",
    "allowed_words",
    "columns_for",
    "export_staff",
    "export_units",
    "preview_import",
    "read_csv",
    "read_xlsx",
    "run_import",
]

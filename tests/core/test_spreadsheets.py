"""The one spreadsheet writer (core.spreadsheets): the formula guard, formats, filter, sheet names."""

import ast
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from core.spreadsheets import (
    SHEET_NAME_MAX,
    Cell,
    Column,
    Kind,
    Table,
    render,
    sheet_names,
    unguard,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
# Written out here, not read from the module, so that dropping a prefix there fails these tests.
PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PAYLOADS = [prefix + 'HYPERLINK("http://example.test","x")' for prefix in PREFIXES]


def sheet_of(content: bytes, index: int = 0):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[index]


def csv_lines(content: bytes) -> list[str]:
    return content.decode("utf-8-sig").split("\r\n")


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def table(rows, *columns: Column, name: str = "Danh sách") -> Table:
    return Table(name, list(columns) or [Column("Tên"), Column("Điểm", Kind.DECIMAL)], rows)


# --- The formula guard -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(prefix) for prefix in PREFIXES])
def test_spreadsheets_csv_puts_an_apostrophe_before_every_formula_prefix(payload):
    content = write_csv(table([[payload, Decimal("1.50")]]))

    assert csv_rows(content)[1] == ["'" + payload, "1.50"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(prefix) for prefix in PREFIXES])
def test_spreadsheets_xlsx_keeps_every_formula_prefix_as_quoted_text(payload):
    content = write_xlsx([table([[payload, Decimal("1.50")]])])

    cell = sheet_of(content)["A2"]
    read_back = payload.replace("\r", "\n")  # XML readers turn a carriage return into a line feed
    assert (cell.value, cell.data_type, cell.quotePrefix) == (read_back, "s", True)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(prefix) for prefix in PREFIXES])
def test_spreadsheets_guard_is_undone_by_the_import_side(payload):
    written = csv_rows(write_csv(table([[payload, None]])))[1][0]

    assert unguard(written) == payload


def test_spreadsheets_guard_leaves_ordinary_text_and_numbers_alone():
    rows = [["Chi cục Hải quan khu vực I", Decimal("-2.50")], ["'đã có dấu nháy", Decimal("0")]]

    lines = csv_lines(write_csv(table(rows)))
    sheet = sheet_of(write_xlsx([table(rows)]))

    assert lines[1:3] == ["Chi cục Hải quan khu vực I,-2.50", "'đã có dấu nháy,0"]
    assert [(cell.value, cell.quotePrefix) for cell in sheet["A"][1:]] == [
        ("Chi cục Hải quan khu vực I", False),
        ("'đã có dấu nháy", False),
    ]
    assert sheet["B2"].value == -2.5  # a negative number is a number, not text
    assert unguard("'đã có dấu nháy") == "'đã có dấu nháy"


def test_spreadsheets_guard_covers_headers_too():
    content = write_csv(table([], Column("=SUM(A1)"), Column("Tên")))

    assert csv_lines(content)[0] == "'=SUM(A1),Tên"


# --- The workbook ------------------------------------------------------------------------------------


def test_spreadsheets_xlsx_has_bold_frozen_header_and_a_filter_over_the_table():
    rows = [["Cục Hải quan", Decimal("40.00")], ["Chi cục Hải quan khu vực I", Decimal("38.50")]]

    sheet = sheet_of(write_xlsx([table(rows)]))

    assert [cell.value for cell in sheet[1]] == ["Tên", "Điểm"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"


def test_spreadsheets_xlsx_filter_of_an_empty_table_is_its_header():
    sheet = sheet_of(write_xlsx([table([])]))

    assert sheet.auto_filter.ref == "A1:B1"


def test_spreadsheets_xlsx_number_formats_follow_each_kind():
    columns = [
        Column("Hạng", Kind.NUMBER),
        Column("Điểm", Kind.DECIMAL),
        Column("Số tiền", Kind.MONEY),
        Column("Tỷ lệ", Kind.PERCENT),
        Column("Ngày", Kind.DATE),
        Column("Ghi chú"),
        Column("Chỉ tiêu"),
    ]
    row = [
        3,
        Decimal("12.25"),
        Decimal("3500000000"),
        96.5,
        datetime.date(2025, 12, 31),
        "ghi chú",
        Cell(Decimal("95"), Kind.PERCENT),
    ]

    sheet = sheet_of(write_xlsx([Table("Kinds", columns, [row])]))

    assert [cell.number_format for cell in sheet[2]] == [
        "#,##0",
        "0.00",
        "#,##0",
        "0.0",
        "DD/MM/YYYY",
        "General",
        "0.0",
    ]
    assert sheet["E2"].value == datetime.datetime(2025, 12, 31)  # noqa: DTZ001 - Excel dates are naive
    assert sheet["E2"].is_date


def test_spreadsheets_aware_moments_are_written_as_vietnamese_wall_clock_time():
    moment = datetime.datetime(2025, 3, 1, 2, 30, tzinfo=datetime.UTC)
    columns = [Column("Lúc", Kind.DATETIME)]

    sheet = sheet_of(write_xlsx([Table("Times", columns, [[moment]])]))
    lines = csv_lines(write_csv(Table("Times", columns, [[moment]])))

    assert sheet["A2"].value == datetime.datetime(2025, 3, 1, 9, 30)  # noqa: DTZ001 - naive on purpose
    assert sheet["A2"].number_format == "dd/mm/yyyy hh:mm"
    assert lines[1] == "01/03/2025 09:30"


def test_spreadsheets_csv_writes_dates_dd_mm_yyyy_decimals_as_stored_and_blanks():
    columns = [Column("Ngày", Kind.DATE), Column("Điểm", Kind.DECIMAL), Column("Trống")]

    lines = csv_lines(write_csv(Table("x", columns, [[datetime.date(2024, 7, 1), Decimal("40.00"), None]])))

    assert lines[:2] == ["Ngày,Điểm,Trống", "01/07/2024,40.00,"]


def test_spreadsheets_csv_starts_with_a_byte_order_mark():
    assert render(table([["Hải quan", None]]), "csv").startswith(b"\xef\xbb\xbf")


def test_spreadsheets_columns_fit_their_text_within_limits():
    columns = [Column("A"), Column("B", width=12), Column("Lý do", width=90, wrap=True), Column("C")]
    rows = [["Chi cục Hải quan khu vực I", "x", "dòng một\ndòng hai", "y" * 200]]

    sheet = sheet_of(write_xlsx([Table("Widths", columns, rows)]))

    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert widths == [len("Chi cục Hải quan khu vực I") + 2, 14, 90, 60]
    assert sheet["C2"].alignment.wrap_text


def test_spreadsheets_rows_may_stream_from_a_generator():
    rows = ([f"Đơn vị {number}", Decimal(number)] for number in range(1, 1501))

    sheet = sheet_of(write_xlsx([table(rows)]))

    assert (sheet.max_row, sheet["A1501"].value, sheet.auto_filter.ref) == (1501, "Đơn vị 1500", "A1:B1501")


# --- Sheet names -------------------------------------------------------------------------------------


def test_spreadsheets_long_sheet_names_keep_their_start_and_distinguishing_end():
    names = sheet_names(
        [
            "2025 Chi cục Hải quan khu vực XVIII (provisional)",
            "2025 Chi cục Hải quan khu vực XVIII (final)",
            "2025 Chi cục Hải quan khu vực XVII (provisional)",
        ]
    )

    assert all(len(name) <= SHEET_NAME_MAX for name in names)
    assert [name.startswith("2025 ") for name in names] == [True, True, True]
    assert [
        name.endswith(end)
        for name, end in zip(
            names, ["XVIII (provisional)", "XVIII (final)", "XVII (provisional)"], strict=True
        )
    ] == [True, True, True]
    assert len(set(names)) == 3


def test_spreadsheets_sheet_names_are_unique_without_regard_to_case_and_within_the_limit():
    long_name = "Kết quả chấm điểm của Hội đồng Thi đua – Khen thưởng"

    names = sheet_names(["Scores", "scores", long_name, long_name, long_name])

    assert names[:2] == ["Scores", "scores (2)"]
    assert len({name.casefold() for name in names}) == 5
    assert all(len(name) <= SHEET_NAME_MAX for name in names)
    assert [name[-4:] for name in names[3:]] == [" (2)", " (3)"]


def test_spreadsheets_sheet_names_drop_characters_excel_refuses():
    assert sheet_names(["Tiến độ 01/2025 [Cụm: A*?]", "'", "\\"]) == [
        "Tiến độ 01 2025  Cụm  A",
        "Sheet",
        "Sheet (2)",
    ]


def test_spreadsheets_workbook_writes_every_sheet_under_its_shortened_name():
    tables = [
        table([["a", None]], name="Kết quả chấm điểm tạm thời năm 2025 (Cục)"),
        table([], name="Scores"),
    ]

    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(tables)))

    assert book.sheetnames == sheet_names([tables[0].name, "Scores"])
    assert [sheet.auto_filter.ref for sheet in book.worksheets] == ["A1:B2", "A1:B1"]


# --- One writer ---------------------------------------------------------------------------------------


def _application_modules() -> list[Path]:
    skipped = {".venv", "tests", "core", "node_modules", "static", "locale", "var", ".git"}
    return [
        path
        for path in REPO.rglob("*.py")
        if not skipped.intersection(path.relative_to(REPO).parts[:1]) and "migrations" not in path.parts
    ]


def _writes_workbooks(source: str) -> list[str]:
    """The openpyxl writing names a module imports or reaches (`openpyxl.Workbook`, styles...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name in {"Workbook", "WriteOnlyCell", "Font", "Alignment"}
                or node.module.startswith(("openpyxl.styles", "openpyxl.writer", "openpyxl.workbook"))
            ]
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "openpyxl"
            and node.attr in {"Workbook", "styles", "writer", "workbook"}
        ):
            found.append(f"openpyxl.{node.attr}")
    return found


def test_spreadsheets_no_module_outside_core_writes_a_workbook():
    modules = _application_modules()

    offenders = {str(path.relative_to(REPO)): _writes_workbooks(path.read_text()) for path in modules}

    assert {path for path in modules if path.parts[-2:] == ("awards", "exports.py")}  # the scan sees the apps
    assert {path: names for path, names in offenders.items() if names} == {}


def test_spreadsheets_the_scan_finds_a_workbook_written_the_old_way():
    old_ways = [
        "import openpyxl\nbook = openpyxl.Workbook()\n",
        "from openpyxl import Workbook\n",
        "from openpyxl.styles import Font\n",
    ]

    assert [bool(_writes_workbooks(source)) for source in old_ways] == [True, True, True]
    assert _writes_workbooks("import openpyxl\nopenpyxl.load_workbook\n") == []


@time_machine.travel(datetime.datetime(2025, 6, 30, 20, 0, tzinfo=datetime.UTC), tick=False)
def test_spreadsheets_local_dates_do_not_depend_on_the_server_zone():
    now = timezone.now()

    lines = csv_lines(write_csv(Table("x", [Column("Lúc", Kind.DATETIME)], [[now]])))

    assert lines[1] == "01/07/2025 03:00"

"""Import and export of units and staff (units.importing): reading, checking, applying, writing."""

import csv
import datetime
import io
import random
import zipfile

import openpyxl
import pytest
from django.db import IntegrityError, connection
from django.utils import timezone, translation
from openpyxl import Workbook

from tests.core.corpus import hostile_office_files, ten_million_shared_strings, workbook_with_shared_strings
from tests.factories import StaffFactory, UnitFactory
from tests.files import docx_bytes
from units import importing
from units.importing import ImportFailed, ImportFileError, ImportKind, ImportRejected, RowAction
from units.models import Assignment, Staff, Unit
from units.services import assign_staff

pytestmark = pytest.mark.django_db

UNIT_HEADER = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Tên viết tắt",
    "Loại",
    "Mã đơn vị cấp trên",
    "Pháp nhân",
    "Hiệu lực từ",
    "Hiệu lực đến",
]
STAFF_HEADER = [
    "Mã cán bộ",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Đảng viên",
    "Chức vụ",
    "Mã đơn vị",
    "Email",
    "Ngày bắt đầu công tác",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever the Vietnamese catalogue says later."""
    with translation.override("en"):
        yield


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows, delimiter=",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def table_of(rows) -> importing.Table:
    return importing.read_xlsx(xlsx_bytes(rows))


def problems(preview) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.message) for error in preview.errors]


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Staff.objects.count(), Assignment.objects.count()


def assert_tree_paths_consistent():
    for unit in Unit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent_id else "/"
        assert unit.path == f"{parent_path}{unit.pk}/"
        assert unit.depth == unit.path.count("/") - 2


# --- Reading ----------------------------------------------------------------------------------


def test_read_xlsx_keeps_row_numbers_and_turns_cells_into_text():
    content = xlsx_bytes(
        [
            ["Mã đơn vị", "Tên đơn vị", "Hiệu lực từ"],
            [],
            [1001, "  Đội Kiểm soát  ", datetime.date(2025, 7, 1)],
        ]
    )

    table = importing.read_xlsx(content)

    assert table.rows == [
        (1, ["Mã đơn vị", "Tên đơn vị", "Hiệu lực từ"]),
        (3, ["1001", "Đội Kiểm soát", "2025-07-01"]),
    ]


def test_read_xlsx_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "không phải Excel")

    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(buffer.getvalue())

    assert str(caught.value) == (
        "This file cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it again as "
        "“Excel Workbook (.xlsx)”."
    )


def test_read_xlsx_refuses_an_empty_sheet():
    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(xlsx_bytes([]))

    assert str(caught.value) == "The file is empty: it has no header row and no data."


def test_read_csv_finds_semicolons_and_numbers_records_like_excel():
    text = csv_text(
        [["Mã đơn vị", "Tên đơn vị"], ["KV3", "Chi cục\nkhu vực III"], ["KV4", "Chi cục IV"]], ";"
    )

    table = importing.read_csv(text)

    assert table.rows == [
        (1, ["Mã đơn vị", "Tên đơn vị"]),
        (2, ["KV3", "Chi cục\nkhu vực III"]),
        (3, ["KV4", "Chi cục IV"]),
    ]


def test_read_csv_refuses_an_unclosed_quote_with_its_row():
    text = 'Mã đơn vị,Tên đơn vị\nKV3,"Chi cục\nKV4,Chi cục IV\n'

    with pytest.raises(ImportFileError) as caught:
        importing.read_csv(text)

    assert str(caught.value).startswith("The CSV file cannot be read near row 2.")


def test_read_refuses_more_rows_than_the_limit(monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_DATA_ROWS", 3)  # the limit the reader reads
    text = csv_text([["Mã đơn vị", "Tên đơn vị"]] + [[f"U{n}", "Đơn vị"] for n in range(10)])

    with pytest.raises(ImportFileError) as caught:
        importing.read_csv(text)

    assert (
        str(caught.value)
        == "The file has more than 3 rows. Split it into several files and import them one by one."
    )


def test_read_xlsx_refuses_the_workbook_of_ten_million_texts_before_opening_it():
    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(ten_million_shared_strings(), name="don-vi.xlsx")

    assert str(caught.value).startswith(
        "“don-vi.xlsx” has a part that unpacks to 162.1 MB; one part may unpack to at most 32 MB."
    )


def test_read_xlsx_names_the_limit_on_different_texts(monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_SHARED_STRINGS", 5)
    texts = b"".join(b"<si><t>%d</t></si>" % number for number in range(6))

    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(workbook_with_shared_strings([texts]), name="don-vi.xlsx")

    assert str(caught.value).startswith("The file holds more than 5 different texts;")


def test_read_xlsx_reads_texts_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_SHARED_STRINGS", 5)
    texts = b"".join(b"<si><t>T%d</t></si>" % number for number in range(5))

    table = importing.read_xlsx(workbook_with_shared_strings([texts], cell_text="4"))

    assert table.rows == [(1, ["T4", "1250000000"])]


def test_read_xlsx_names_the_limit_on_parts_other_than_sheets(monkeypatch):
    monkeypatch.setattr(importing.reading, "OTHER_XML_PART_MAX_BYTES", 1024 * 1024)
    padding = random.Random(7).randbytes(768 * 1024).hex().encode()  # 1.5 MB that does not compress
    styles = b"<styleSheet><!-- " + padding + b" --></styleSheet>"
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Mã đơn vị"], ["KV3"]]))) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/styles.xml"] = styles
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)

    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(buffer.getvalue(), name="don-vi.xlsx")

    assert str(caught.value).startswith(
        "“don-vi.xlsx” has a part (xl/styles.xml) of 1.5 MB; apart from its sheets and their texts, a "
        "workbook's parts may be at most 1 MB."
    )


def test_read_xlsx_names_the_limit_on_filled_cells(monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_FILLED_CELLS", 10)
    rows = [["Mã đơn vị", "Tên đơn vị"]] + [[f"U{number}", "Đơn vị"] for number in range(5)]

    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(xlsx_bytes(rows))

    assert str(caught.value).startswith("The file has more than 10 filled cells.")


@pytest.mark.parametrize(
    ("corpus_name", "reason"),
    [
        ("macro-enabled-named-xlsx.xlsx", "contains macros"),
        ("external-workbook-link.xlsx", "refers to content outside the file"),
        ("ole-object.xlsx", "contains embedded objects"),
        ("zip-bomb.xlsx", "has a part that unpacks to 60.0 MB; one part may unpack to at most 32 MB"),
    ],
)
def test_read_xlsx_applies_the_upload_checks(corpus_name, reason):
    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(hostile_office_files()[corpus_name][0], name="don-vi.xlsx")

    assert reason in str(caught.value)
    assert str(caught.value).startswith("“don-vi.xlsx”")


def test_read_xlsx_refuses_a_word_document():
    with pytest.raises(ImportFileError) as caught:
        importing.read_xlsx(docx_bytes(), name="don-vi.xlsx")

    assert str(caught.value).startswith("This file cannot be read as an Excel workbook (.xlsx).")


# --- Header -----------------------------------------------------------------------------------


def test_preview_matches_headers_without_case_or_diacritics_and_english_keys(org):
    table = table_of(
        [
            ["DANH SÁCH ĐƠN VỊ"],
            ["MA DON VI", "ten don vi (day du)", "kind", "Parent_Code", "Ghi chú"],
            ["KV3", "Chi cục Hải quan khu vực III", "branch", "DEPT", "bỏ qua"],
        ]
    )

    preview = importing.preview_import(ImportKind.UNITS, table)

    assert preview.is_clean
    assert [column.key for column in preview.columns] == ["code", "name", "kind", "parent_code"]
    assert preview.ignored_headers == ["Ghi chú"]
    assert [(plan.row, plan.code, plan.action) for plan in preview.plans] == [(3, "KV3", RowAction.CREATE)]


def test_preview_names_the_missing_required_columns(org):
    table = table_of([["Mã đơn vị", "Loại"], ["KV3", "branch"]])

    preview = importing.preview_import(ImportKind.STAFF, table)

    assert preview.file_errors == [
        "These required columns are missing: “Mã cán bộ”, “Họ và tên”. The first row of the file must hold "
        "the column names, as in the example file."
    ]
    assert not preview.is_clean


def test_preview_refuses_a_file_with_only_the_header(org):
    preview = importing.preview_import(ImportKind.UNITS, table_of([UNIT_HEADER]))

    assert preview.file_errors == ["The file has a header row but no data rows below it."]


def test_preview_refuses_a_column_given_twice(org):
    table = table_of([["Mã đơn vị", "Tên đơn vị", "Tên đơn vị"], ["KV3", "A", "B"]])

    preview = importing.preview_import(ImportKind.UNITS, table)

    assert preview.file_errors == ["The column “Tên đơn vị” appears twice (columns B and C)."]


# --- Unit rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [["KV3", "", "", "branch", "DEPT"]],
            [(2, "Tên đơn vị", "This cell is required and is empty.")],
            id="missing-required",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "KV9"]],
            [
                (
                    2,
                    "Mã đơn vị cấp trên",
                    "There is no unit with the code “KV9”, neither in the system nor in this file.",
                )
            ],
            id="unknown-parent",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "DEPT"], ["KV3", "Chi cục III bis", "", "branch", "DEPT"]],
            [(3, "Mã đơn vị", "The code “KV3” is already used in row 2 of this file.")],
            id="duplicate-code",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "DEPT", "", "31/02/2025"]],
            [
                (
                    2,
                    "Hiệu lực từ",
                    "“31/02/2025” is not a valid date. Write dates as dd/mm/yyyy, for example 25/03/2024.",
                )
            ],
            id="bad-date",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "tổng cục", "DEPT"]],
            [
                (
                    2,
                    "Loại",
                    "“tổng cục” is not one of the allowed values: Cục Hải quan, Đơn vị thuộc cơ quan Cục, "
                    "Chi cục Hải quan khu vực, Phòng/Đội, Hải quan cửa khẩu.",
                )
            ],
            id="bad-choice",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "DEPT", "có", "01/07/2025", "30/06/2025"]],
            [(2, "Hiệu lực đến", "The end date 30/06/2025 is before the start date 01/07/2025.")],
            id="dates-reversed",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "DEPT", "có lẽ"]],
            [(2, "Pháp nhân", "“có lẽ” is not understood. Write “có” or “không”.")],
            id="bad-yes-no",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "x" * 101, "branch", "DEPT"]],
            [(2, "Tên viết tắt", "The text is too long: 101 characters, at most 100 are allowed.")],
            id="too-long",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "KV3"]],
            [(2, "Mã đơn vị cấp trên", "A unit cannot be its own parent.")],
            id="own-parent",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "branch", "KV4"], ["KV4", "Chi cục IV", "", "branch", "KV3"]],
            [
                (2, "Mã đơn vị cấp trên", "This would make the unit its own ancestor: KV3 → KV4 → KV3."),
                (3, "Mã đơn vị cấp trên", "This would make the unit its own ancestor: KV4 → KV3 → KV4."),
            ],
            id="loop-in-file",
        ),
        pytest.param(
            [["KV1", "Chi cục Hải quan khu vực I", "", "branch", "KV1-01"]],
            [(2, "Mã đơn vị cấp trên", "This would make the unit its own ancestor: KV1 → KV1-01 → KV1.")],
            id="below-own-sub-unit",
        ),
        pytest.param(
            [["KV3", "Chi cục III", "", "", "DEPT"]],
            [(2, "Loại", "The kind is required for a new unit.")],
            id="kind-for-new-unit",
        ),
    ],
)
def test_preview_units_reports_row_and_column_of_each_problem(org, rows, expected):
    before = counts()

    preview = importing.preview_import(ImportKind.UNITS, table_of([UNIT_HEADER, *rows]))

    assert problems(preview) == expected
    assert not preview.is_clean
    assert preview.plans == []
    assert counts() == before


def test_row_error_reads_as_a_sentence():
    error = importing.RowError(row=7, column="Ngày sinh", message="The date of birth is in the future.")

    assert str(error) == "Row 7, column “Ngày sinh”: The date of birth is in the future."


def test_preview_lists_every_problem_of_every_row(org):
    rows = [
        UNIT_HEADER,
        ["", "Không mã", "", "office", "DEPT"],
        ["KV3", "Chi cục III", "", "chi nhánh", "KV9", "", "1/13/2025"],
    ]

    preview = importing.preview_import(ImportKind.UNITS, table_of(rows))

    assert [(row, column) for row, column, _message in problems(preview)] == [
        (2, "Mã đơn vị"),
        (3, "Loại"),
        (3, "Hiệu lực từ"),
        (3, "Mã đơn vị cấp trên"),
    ]
    assert preview.error_rows == 2


def test_preview_accepts_values_labels_and_vietnamese_words(org):
    rows = [
        UNIT_HEADER,
        ["A1", "Đơn vị A1", "", "Chi cục Hải quan khu vực", "DEPT", "X", "01/01/2025", ""],
        ["A2", "Đơn vị A2", "", "border_office", "A1", "không", "2025-01-01", ""],
        ["A3", "Đơn vị A3", "", "REGIONAL BRANCH", "DEPT", "1", "1.1.2025", ""],
        ["A4", "Đơn vị A4", "", "phong", "A1", "", "", ""],
    ]

    preview = importing.preview_import(ImportKind.UNITS, table_of(rows))

    assert problems(preview) == []
    assert [(plan.values["kind"], plan.values["is_legal_entity"]) for plan in preview.plans] == [
        ("branch", True),
        ("border_office", False),
        ("branch", True),
        ("office", False),
    ]
    assert preview.plans[2].values["valid_from"] == datetime.date(2025, 1, 1)


def test_preview_writes_nothing(org):
    before = counts()
    rows = [
        UNIT_HEADER,
        ["KV3", "Chi cục III", "", "branch", "DEPT"],
        ["KV1", "Chi cục I (mới)", "", "", "DEPT"],
    ]

    preview = importing.preview_import(ImportKind.UNITS, table_of(rows))

    assert (preview.to_create, preview.to_update, preview.unchanged) == (1, 1, 0)
    assert counts() == before
    assert Unit.objects.get(code="KV1").name == "Chi cục Hải quan khu vực I"


def test_run_import_creates_and_updates_units_with_the_parent_after_the_child(org):
    rows = [
        UNIT_HEADER,
        [
            "KV3-01",
            "Hải quan cửa khẩu Lào Cai",
            "HQ Lào Cai",
            "Hải quan cửa khẩu",
            "KV3",
            "không",
            "01/07/2025",
        ],
        ["KV3", "Chi cục Hải quan khu vực III", "KV III", "branch", "DEPT", "có", "01/07/2025"],
        ["KV1", "Chi cục Hải quan khu vực I (Hà Nội)", "", "branch", "DEPT", "có", "", "31/12/2030"],
        ["KV2", "Chi cục Hải quan khu vực II", "", "branch", "DEPT", "", "", ""],
    ]

    result = importing.run_import(ImportKind.UNITS, table_of(rows))

    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    child = Unit.objects.select_related("parent").get(code="KV3-01")
    assert (child.name, child.short_name, child.kind, child.parent.code) == (
        "Hải quan cửa khẩu Lào Cai",
        "HQ Lào Cai",
        "border_office",
        "KV3",
    )
    assert child.valid_from == datetime.date(2025, 7, 1)
    branch = Unit.objects.get(code="KV1")
    assert (branch.name, branch.is_legal_entity, branch.valid_to) == (
        "Chi cục Hải quan khu vực I (Hà Nội)",
        True,
        datetime.date(2030, 12, 31),
    )
    assert_tree_paths_consistent()


def test_run_import_moves_an_existing_unit_with_its_subtree(org):
    team = UnitFactory(code="KV1-01-T1", name="Tổ kiểm tra", kind="office", parent=org.office_a)
    rows = [
        ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"],
        ["KV1-01-T2", "Tổ mới", "office", "KV1-01"],
        ["KV1", "Chi cục Hải quan khu vực I", "", "KV2"],
        ["KV2", "Chi cục Hải quan khu vực II (sáp nhập)", "", "DEPT"],
        ["KV2-01", "Đội Kiểm soát Hải quan", "", "KV2"],
        ["KV1-03-A", "Tổ A", "office", "KV1-03"],
        ["KV1-03", "Đội 3", "office", "KV1"],
    ]

    result = importing.run_import(ImportKind.UNITS, table_of(rows))

    assert (result.created, result.updated, result.unchanged) == (3, 2, 1)
    team.refresh_from_db()
    assert team.ancestor_ids == [org.dept.pk, org.branch_b.pk, org.branch_a.pk, org.office_a.pk]
    new_team = Unit.objects.get(code="KV1-01-T2")
    assert new_team.ancestor_ids == [org.dept.pk, org.branch_b.pk, org.branch_a.pk, org.office_a.pk]
    deepest = Unit.objects.get(code="KV1-03-A")
    assert deepest.ancestor_ids[:3] == [org.dept.pk, org.branch_b.pk, org.branch_a.pk]
    assert_tree_paths_consistent()


def test_run_import_leaves_out_columns_unchanged_and_clears_empty_cells(org):
    org.branch_a.short_name = "KV I"
    org.branch_a.valid_from = datetime.date(2025, 3, 1)
    org.branch_a.save()
    rows = [["Mã đơn vị", "Tên đơn vị", "Tên viết tắt"], ["KV1", "Chi cục I", ""]]

    importing.run_import(ImportKind.UNITS, table_of(rows))

    unit = Unit.objects.get(code="KV1")
    assert (unit.name, unit.short_name, unit.valid_from, unit.kind, unit.parent_id) == (
        "Chi cục I",
        "",
        datetime.date(2025, 3, 1),
        "branch",
        org.dept.pk,
    )


def test_run_import_with_one_bad_row_writes_nothing(org):
    before = counts()
    rows = [
        UNIT_HEADER,
        ["KV3", "Chi cục III", "", "branch", "DEPT"],
        ["KV4", "Chi cục IV", "", "branch", "KV9"],
    ]

    with pytest.raises(ImportRejected) as caught:
        importing.run_import(ImportKind.UNITS, table_of(rows))

    assert [(error.row, error.column) for error in caught.value.preview.errors] == [(3, "Mã đơn vị cấp trên")]
    assert counts() == before


def test_run_import_checks_again_against_the_database_as_it_is_now(org):
    table = table_of([UNIT_HEADER, ["KV3", "Chi cục III", "", "branch", "KV2"]])
    assert importing.preview_import(ImportKind.UNITS, table).is_clean
    Unit.objects.filter(code="KV2").update(code="KV2-OLD")
    before = counts()

    with pytest.raises(ImportRejected) as caught:
        importing.run_import(ImportKind.UNITS, table)

    assert problems(caught.value.preview) == [
        (
            2,
            "Mã đơn vị cấp trên",
            "There is no unit with the code “KV2”, neither in the system nor in this file.",
        )
    ]
    assert counts() == before


# --- Staff rows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            ["CB1", "", "Nam", "", "", "", "KV1"],
            [(2, "Họ và tên", "This cell is required and is empty.")],
            id="missing-name",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Nam", "", "", "", "KV7"],
            [(2, "Mã đơn vị", "There is no unit with the code “KV7” in the system.")],
            id="unknown-unit",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Nam", "", "", "", "KV1", "an@@haiquan"],
            [(2, "Email", "“an@@haiquan” is not a valid email address.")],
            id="bad-email",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Khác", "", "", "", "KV1"],
            [(2, "Giới tính", "“Khác” is not one of the allowed values: Nữ, Nam.")],
            id="bad-gender",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "", "", "", "", "KV1"],
            [(2, "Giới tính", "The gender is required for a new staff member.")],
            id="gender-for-new-staff",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Nam", "12/1990", "", "", "KV1"],
            [
                (
                    2,
                    "Ngày sinh",
                    "“12/1990” is not a valid date. Write dates as dd/mm/yyyy, for example 25/03/2024.",
                )
            ],
            id="bad-date",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Nam", "01/01/2999", "", "", "KV1"],
            [(2, "Ngày sinh", "The date of birth is in the future.")],
            id="birth-in-future",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An", "Nam", "", "", "Tổng cục trưởng", "KV1"],
            [
                (
                    2,
                    "Chức vụ",
                    "“Tổng cục trưởng” is not one of the allowed values: Cục trưởng, Phó Cục trưởng, "
                    "Trưởng phòng, Phó Trưởng phòng, Công chức, Nhân viên.",
                )
            ],
            id="bad-position",
        ),
        pytest.param(
            ["CB1", "Nguyễn Văn An" * 30, "Nam", "", "", "", "KV1"],
            [(2, "Họ và tên", "The text is too long: 390 characters, at most 255 are allowed.")],
            id="too-long",
        ),
    ],
)
def test_preview_staff_reports_row_and_column_of_each_problem(org, row, expected):
    before = counts()

    preview = importing.preview_import(ImportKind.STAFF, table_of([STAFF_HEADER, row]))

    assert problems(preview) == expected
    assert counts() == before


def test_preview_staff_reports_a_staff_code_used_twice(org):
    rows = [
        STAFF_HEADER,
        ["CB1", "Nguyễn Văn An", "Nam", "", "", "", "KV1"],
        ["CB1", "Lê Thị Bình", "Nữ", "", "", "", "KV2"],
    ]

    preview = importing.preview_import(ImportKind.STAFF, table_of(rows))

    assert problems(preview) == [(3, "Mã cán bộ", "The code “CB1” is already used in row 2 of this file.")]


def test_preview_staff_refuses_a_move_that_starts_before_the_current_posting(org):
    person = StaffFactory(staff_code="CB1", unit=None)
    assign_staff(person, unit=org.branch_a, start_date=datetime.date(2024, 5, 1))
    rows = [STAFF_HEADER, ["CB1", person.full_name, "", "", "", "", "KV2", "", "01/05/2024"]]

    preview = importing.preview_import(ImportKind.STAFF, table_of(rows))

    assert problems(preview) == [
        (
            2,
            "Ngày bắt đầu công tác",
            "This person moves to another unit, so the start date must be after the start of the current "
            "posting (01/05/2024).",
        )
    ]


def test_run_import_creates_staff_with_a_posting_from_today_by_default(org):
    rows = [
        STAFF_HEADER,
        [
            "CB1",
            "Nguyễn Văn An",
            "Nam",
            "15/08/1985",
            "có",
            "Trưởng phòng",
            "KV1-01",
            "an@customs.gov.vn",
            "",
        ],
        ["CB2", "Lê Thị Bình", "nu", "", "không", "", "KV2", "", "01/03/2025"],
    ]

    result = importing.run_import(ImportKind.STAFF, table_of(rows))

    assert (result.created, result.updated) == (2, 0)
    an = Staff.objects.get(staff_code="CB1")
    assert (an.full_name, an.gender, an.date_of_birth, an.is_party_member, an.position, an.is_leader) == (
        "Nguyễn Văn An",
        "male",
        datetime.date(1985, 8, 15),
        True,
        "head",
        True,
    )
    assert (an.unit, an.email) == (org.office_a, "an@customs.gov.vn")
    assert list(an.assignments.values_list("unit__code", "start_date", "end_date")) == [
        ("KV1-01", timezone.localdate(), None)
    ]
    binh = Staff.objects.get(staff_code="CB2")
    assert (binh.gender, binh.position, binh.unit) == ("female", "officer", org.branch_b)
    assert list(binh.assignments.values_list("start_date", flat=True)) == [datetime.date(2025, 3, 1)]


def test_run_import_moves_existing_staff_with_a_new_posting(org):
    person = StaffFactory(staff_code="CB1", full_name="Nguyễn Văn An", gender="male", unit=None)
    assign_staff(person, unit=org.branch_a, start_date=datetime.date(2024, 1, 1))
    rows = [
        ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Ngày bắt đầu công tác"],
        ["CB1", "Nguyễn Văn An", "KV2", "01/07/2025"],
    ]

    result = importing.run_import(ImportKind.STAFF, table_of(rows))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.unit == org.branch_b
    assert list(
        person.assignments.order_by("start_date").values_list("unit__code", "start_date", "end_date")
    ) == [
        ("KV1", datetime.date(2024, 1, 1), datetime.date(2025, 6, 30)),
        ("KV2", datetime.date(2025, 7, 1), None),
    ]


def test_run_import_rolls_back_everything_when_the_database_refuses_a_row_midway(org):
    rows = [STAFF_HEADER] + [[f"CB{n}", f"Cán bộ {n}", "Nam", "", "", "", "KV1"] for n in range(1, 6)]
    table = table_of(rows)
    before = counts()
    inserts = []

    def refuse_third_staff(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "units_staff"'):
            inserts.append(sql)
            if len(inserts) == 3:
                raise IntegrityError("simulated: duplicate key value")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_third_staff), pytest.raises(ImportFailed):
        importing.run_import(ImportKind.STAFF, table)

    assert len(inserts) == 3
    assert counts() == before


# --- Export -----------------------------------------------------------------------------------


def test_export_units_xlsx_has_bold_header_real_dates_and_widths(org):
    org.branch_a.valid_from = datetime.date(2025, 7, 1)
    org.branch_a.save()

    export = importing.export_units(Unit.objects.filter(code__in=["DEPT", "KV1"]), file_format="xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(UNIT_HEADER)
    assert rows[1] == ("DEPT", "Cục Hải quan", None, "Cục Hải quan", None, "có", None, None)
    assert rows[2] == (
        "KV1",
        "Chi cục Hải quan khu vực I",
        None,
        "Chi cục Hải quan khu vực",
        "DEPT",
        "không",
        datetime.datetime(2025, 7, 1),  # noqa: DTZ001 - openpyxl reads Excel dates as naive datetimes
        None,
    )
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["G3"].number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["B"].width == len("Chi cục Hải quan khu vực I") + 2
    assert export.filename.endswith(".xlsx")


def test_export_staff_csv_has_bom_vietnamese_text_and_the_posting_date(org):
    person = StaffFactory(
        staff_code="CB1", full_name="Đặng Thị Hương", gender="female", position="deputy_head", unit=None
    )
    assign_staff(person, unit=org.office_a, start_date=datetime.date(2023, 2, 1))

    export = importing.export_staff(Staff.objects.all(), file_format="csv")

    assert export.content.startswith(b"\xef\xbb\xbf")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines == [
        ",".join(STAFF_HEADER),
        "CB1,Đặng Thị Hương,Nữ,,có,Phó Trưởng phòng,KV1-01,,01/02/2023",
    ]


def test_export_then_import_changes_nothing(org):
    person = StaffFactory(staff_code="CB1", full_name="Trần Văn Cường", gender="male", unit=None)
    assign_staff(person, unit=org.branch_b, start_date=datetime.date(2022, 1, 1))
    units_csv = importing.export_units(Unit.objects.all(), file_format="csv").content.decode("utf-8-sig")
    staff_xlsx = importing.export_staff(Staff.objects.all(), file_format="xlsx").content

    units_result = importing.run_import(ImportKind.UNITS, importing.read_csv(units_csv))
    staff_result = importing.run_import(ImportKind.STAFF, importing.read_xlsx(staff_xlsx))

    assert (units_result.created, units_result.updated, units_result.unchanged) == (0, 0, 5)
    assert (staff_result.created, staff_result.updated, staff_result.unchanged) == (0, 0, 1)


def test_export_keeps_text_that_looks_like_a_formula_as_text(org):
    UnitFactory(code="F1", name='=HYPERLINK("http://example.test")', kind="office", parent=org.dept)
    units = Unit.objects.filter(code="F1")

    xlsx = importing.export_units(units, file_format="xlsx").content
    text = importing.export_units(units, file_format="csv").content.decode("utf-8-sig")

    cell = openpyxl.load_workbook(io.BytesIO(xlsx)).active["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.test")', "s")
    assert text.splitlines()[1].startswith("F1,\"'=HYPERLINK(")
    plan = importing.preview_import(ImportKind.UNITS, importing.read_csv(text)).plans[0]
    assert (plan.values["name"], plan.action) == ('=HYPERLINK("http://example.test")', RowAction.UNCHANGED)


def test_export_guards_every_formula_prefix_and_reads_its_own_file_back(org):
    names = ["\tBan kiểm tra", "＝SUM(1)", "@Đội kiểm soát", "-Phòng tổng hợp"]
    for number, name in enumerate(names, start=1):
        UnitFactory(code=f"G{number}", name=name, kind="office", parent=org.dept)
    units = Unit.objects.filter(code__startswith="G")

    text = importing.export_units(units, file_format="csv").content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(
        io.BytesIO(importing.export_units(units, file_format="xlsx").content)
    ).active

    assert [row[1] for row in csv.reader(io.StringIO(text))][1:] == ["'" + name for name in names]
    assert [(cell.value, cell.quotePrefix) for cell in sheet["B"][1:]] == [(name, True) for name in names]
    assert sheet.auto_filter.ref == "A1:H5"
    plans = importing.preview_import(ImportKind.UNITS, importing.read_csv(text)).plans
    assert [(plan.values["name"], plan.action) for plan in plans] == [
        (name, RowAction.UNCHANGED) for name in names
    ]

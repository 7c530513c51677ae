"""Import and export pages (units.views.transfer): permissions, preview, confirmation, downloads."""

import codecs
import datetime
import io
import re
import unicodedata

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from tests.core.corpus import hostile_office_files, ten_million_shared_strings
from tests.factories import StaffFactory
from units.models import Assignment, Staff, Unit
from units.services import assign_staff

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên", "Pháp nhân"]
STAFF_HEADER = ["Mã cán bộ", "Họ và tên", "Giới tính", "Chức vụ", "Mã đơn vị", "Ngày bắt đầu công tác"]


def xlsx_file(rows, name="don-vi.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text: str, name="don-vi.csv", encoding="utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


LETTER_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: precomposed letters in Windows-1258


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes, as old Vietnamese Windows software writes them: tones as combining marks."""
    encoded = b""
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", base + "".join(mark for mark in marks if mark in LETTER_MARKS))
        tones = "".join(mark for mark in marks if mark not in LETTER_MARKS)
        encoded += letter.encode("cp1258") + tones.encode("cp1258")
    return encoded


def english_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Staff.objects.count(), Assignment.objects.count()


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def upload(client, url_name, uploaded):
    return client.post(reverse(url_name), {"file": uploaded})


def confirm_token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def secretary_client(secretary):
    return english_client(secretary)


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["units:unit-import", "units:staff-import", "units:unit-export", "units:staff-export"]
)
def test_transfer_pages_send_anonymous_users_to_login(client, url_name):
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url_name", ["units:unit-import", "units:staff-import"])
@pytest.mark.parametrize("persona", ["unit_officer", "leader"])
def test_import_pages_are_forbidden_to_other_roles(request, org, url_name, persona):
    client = english_client(request.getfixturevalue(persona))
    before = counts()

    get_response = client.get(reverse(url_name))
    post_response = upload(
        client, url_name, xlsx_file([UNIT_HEADER, ["KV3", "Chi cục III", "", "branch", "DEPT"]])
    )

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert counts() == before


@pytest.mark.parametrize("url_name", ["units:unit-import", "units:staff-import"])
def test_import_pages_open_for_the_secretary_and_superusers(secretary_client, superuser, url_name):
    response = secretary_client.get(reverse(url_name))
    admin_response = english_client(superuser).get(reverse(url_name))

    assert (response.status_code, admin_response.status_code) == (200, 200)
    assert 'data-testid="import-upload-form"' in response.content.decode()
    assert "Rows are matched by" in page_text(response)


# --- Preview and confirmation -----------------------------------------------------------------


def test_unit_import_preview_lists_every_problem_and_imports_nothing(secretary_client, org):
    before = counts()
    rows = [
        UNIT_HEADER,
        ["KV3", "Chi cục III", "", "branch", "KV9", "có"],
        ["KV4", "", "", "chi nhánh", "DEPT", "không"],
        ["KV3", "Chi cục III bis", "", "branch", "DEPT", ""],
    ]

    response = upload(secretary_client, "units:unit-import", xlsx_file(rows))

    text = page_text(response)
    assert response.status_code == 200
    assert "4 problems found in 3 rows. Nothing has been imported" in text
    found = re.findall(r'<tr data-row="(\d+)"> <td>\d+</td> <td>([^<]+)</td>', text)
    assert found == [("2", "Mã đơn vị cấp trên"), ("3", "Tên đơn vị"), ("3", "Loại"), ("4", "Mã đơn vị")]
    assert "There is no unit with the code “KV9”, neither in the system nor in this file." in text
    assert 'name="token"' not in text
    assert counts() == before


def test_unit_import_reports_rows_and_columns_in_the_default_language(client, secretary, org):
    client.force_login(secretary)

    response = upload(
        client, "units:unit-import", xlsx_file([UNIT_HEADER, ["KV3", "", "", "branch", "DEPT"]])
    )

    text = page_text(response)
    assert '<html lang="vi">' in text
    assert re.findall(r'<tr data-row="(\d+)"> <td>\d+</td> <td>([^<]+)</td>', text) == [("2", "Tên đơn vị")]


def test_unit_import_clean_file_previews_then_imports_on_confirm(secretary_client, org):
    rows = [
        UNIT_HEADER,
        ["KV3-01", "Hải quan cửa khẩu Lào Cai", "", "Hải quan cửa khẩu", "KV3", "không"],
        ["KV3", "Chi cục Hải quan khu vực III", "KV III", "Chi cục Hải quan khu vực", "DEPT", "có"],
        ["KV1", "Chi cục Hải quan khu vực I (Hà Nội)", "", "", "DEPT", "không"],
    ]
    before = counts()

    preview = upload(secretary_client, "units:unit-import", xlsx_file(rows))

    assert "The file is correct: 2 new, 1 changed, 0 unchanged. Nothing has been imported yet." in page_text(
        preview
    )
    assert counts() == before

    response = secretary_client.post(
        reverse("units:unit-import"), {"token": confirm_token(preview)}, follow=True
    )

    assert response.redirect_chain == [(reverse("units:unit-import"), 302)]
    assert "Import finished: 2 new, 1 changed, 0 unchanged." in page_text(response)
    assert Unit.objects.get(code="KV3-01").parent == Unit.objects.get(code="KV3")
    assert Unit.objects.get(code="KV1").name == "Chi cục Hải quan khu vực I (Hà Nội)"
    assert Unit.objects.count() == before[0] + 2


def test_confirm_runs_once_and_refuses_a_forged_token(secretary_client, org):
    preview = upload(
        secretary_client,
        "units:unit-import",
        xlsx_file([UNIT_HEADER, ["KV3", "Chi cục III", "", "branch", "DEPT"]]),
    )
    token = confirm_token(preview)

    forged = secretary_client.post(reverse("units:unit-import"), {"token": "x" * len(token)}, follow=True)
    first = secretary_client.post(reverse("units:unit-import"), {"token": token})
    again = secretary_client.post(reverse("units:unit-import"), {"token": token}, follow=True)

    assert "This check is no longer available" in page_text(forged)
    assert first.status_code == 302
    assert "This check is no longer available" in page_text(again)
    assert Unit.objects.filter(code="KV3").count() == 1


def test_a_new_upload_replaces_the_checked_file(secretary_client, org):
    clean = upload(
        secretary_client,
        "units:unit-import",
        xlsx_file([UNIT_HEADER, ["KV3", "Chi cục III", "", "branch", "DEPT"]]),
    )
    token = confirm_token(clean)
    upload(
        secretary_client,
        "units:unit-import",
        xlsx_file([UNIT_HEADER, ["KV4", "Chi cục IV", "", "branch", "KV9"]]),
    )
    before = counts()

    response = secretary_client.post(reverse("units:unit-import"), {"token": token}, follow=True)

    assert "This check is no longer available" in page_text(response)
    assert counts() == before


def test_confirm_imports_nothing_when_the_database_changed_since_the_preview(secretary_client, org):
    rows = [
        STAFF_HEADER,
        ["CB1", "Nguyễn Văn An", "Nam", "Công chức", "KV1", ""],
        ["CB2", "Lê Thị Bình", "Nữ", "Trưởng phòng", "KV2-01", ""],
    ]
    preview = upload(secretary_client, "units:staff-import", xlsx_file(rows, name="can-bo.xlsx"))
    Unit.objects.filter(code="KV2-01").update(code="KV2-02")
    before = counts()

    response = secretary_client.post(reverse("units:staff-import"), {"token": confirm_token(preview)})

    text = page_text(response)
    assert response.status_code == 200
    assert "The data changed after the file was checked" in text
    assert re.findall(r'<tr data-row="(\d+)"> <td>\d+</td> <td>([^<]+)</td>', text) == [("3", "Mã đơn vị")]
    assert counts() == before


def test_staff_import_creates_staff_with_their_postings(secretary_client, org):
    rows = [
        STAFF_HEADER,
        ["CB1", "Nguyễn Văn An", "Nam", "Trưởng phòng", "KV1-01", "01/03/2025"],
        ["CB2", "Lê Thị Bình", "Nữ", "", "KV2", ""],
    ]
    preview = upload(
        secretary_client, "units:staff-import", csv_file("\n".join(",".join(row) for row in rows))
    )

    secretary_client.post(reverse("units:staff-import"), {"token": confirm_token(preview)})

    an = Staff.objects.get(staff_code="CB1")
    assert (an.unit, an.position) == (org.office_a, "head")
    assert list(an.assignments.values_list("start_date", "end_date")) == [(datetime.date(2025, 3, 1), None)]
    assert Staff.objects.get(staff_code="CB2").unit == org.branch_b


# --- Files that cannot be read ----------------------------------------------------------------


def test_a_renamed_text_file_is_refused_as_not_excel(secretary_client, org):
    before = counts()

    response = upload(
        secretary_client, "units:unit-import", SimpleUploadedFile("don-vi.xlsx", b"Ma don vi\tTen\nKV3\tA\n")
    )

    text = page_text(response)
    assert response.status_code == 400
    assert (
        "The file name ends in .xlsx but the file is not an Excel workbook (perhaps a renamed text file)."
        in text
    )
    assert counts() == before


def test_a_damaged_workbook_is_refused(secretary_client, org):
    response = upload(
        secretary_client, "units:unit-import", SimpleUploadedFile("don-vi.xlsx", b"PK\x03\x04garbage")
    )

    assert "This file cannot be read as an Excel workbook (.xlsx)." in page_text(response)


def test_an_old_xls_file_is_refused(secretary_client, org):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100

    response = upload(secretary_client, "units:unit-import", SimpleUploadedFile("don-vi.xls", content))

    assert "This is an old Excel 97-2003 file (.xls)." in page_text(response)


def test_a_csv_in_a_legacy_vietnamese_encoding_is_refused(secretary_client, org):
    content = cp1258("Mã đơn vị,Tên đơn vị,Loại\nKV3,Chi cục Hải quan khu vực III,branch\n")
    before = counts()

    response = upload(secretary_client, "units:unit-import", SimpleUploadedFile("don-vi.csv", content))

    text = page_text(response)
    assert unicodedata.normalize("NFC", content.decode("cp1258")).startswith("Mã đơn vị,Tên đơn vị")
    assert "nor a CSV file in UTF-8" in text
    assert "CSV UTF-8 (Comma delimited)" in text
    assert counts() == before


def test_a_csv_with_or_without_bom_is_read(secretary_client, org):
    text = "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên\nKV3;Chi cục III;branch;DEPT\n"

    with_bom = upload(secretary_client, "units:unit-import", csv_file(text))
    without_bom = upload(secretary_client, "units:unit-import", csv_file(text, encoding="utf-8"))

    assert text.encode("utf-8-sig").startswith(codecs.BOM_UTF8)
    for response in (with_bom, without_bom):
        assert "The file is correct: 1 new, 0 changed, 0 unchanged." in page_text(response)


def test_a_file_over_the_size_limit_is_refused(secretary_client, org, settings):
    settings.UPLOAD_MAX_MB = 1
    content = "Mã đơn vị,Tên đơn vị\n".encode().ljust(3 * 1024 * 1024 // 2, b"x")

    response = upload(secretary_client, "units:unit-import", SimpleUploadedFile("don-vi.csv", content))

    assert len(content) > 1024 * 1024
    assert "The file is 1.5 MB, more than the limit of 1 MB. Split it into smaller files." in page_text(
        response
    )


@pytest.mark.parametrize(
    ("uploaded", "status", "message"),
    [
        pytest.param(
            SimpleUploadedFile("don-vi.csv", b""), 400, "The submitted file is empty.", id="empty-file"
        ),
        pytest.param(
            SimpleUploadedFile("don-vi.csv", b"\n\n ,,\n"),
            400,
            "The file is empty: it has no header row and no data.",
            id="blank-lines",
        ),
        # A file that reads but whose rows are wrong is a preview listing the problems.
        pytest.param(
            xlsx_file([UNIT_HEADER]),
            200,
            "The file has a header row but no data rows below it.",
            id="header-only",
        ),
        pytest.param(
            xlsx_file([["Mã đơn vị", "Loại"], ["KV3", "branch"]]),
            200,
            "These required columns are missing: “Tên đơn vị”.",
            id="missing-column",
        ),
        # The workbook of the review: 414 KB, 10 million shared strings; a worker timeout before.
        pytest.param(
            SimpleUploadedFile("don-vi.xlsx", ten_million_shared_strings()),
            400,
            "“don-vi.xlsx” has a part that unpacks to 162.1 MB; one part may unpack to at most 32 MB.",
            id="ten-million-texts",
        ),
        pytest.param(
            SimpleUploadedFile("don-vi.xlsx", hostile_office_files()["macro-enabled-named-xlsx.xlsx"][0]),
            400,
            "“don-vi.xlsx” contains macros.",
            id="macros",
        ),
        pytest.param(
            SimpleUploadedFile("don-vi.xlsx", hostile_office_files()["external-workbook-link.xlsx"][0]),
            400,
            "“don-vi.xlsx” refers to content outside the file",
            id="external-link",
        ),
    ],
)
def test_bad_files_get_a_clear_message_and_never_an_error_page(
    secretary_client, org, uploaded, status, message
):
    before = counts()

    response = upload(secretary_client, "units:unit-import", uploaded)

    assert response.status_code == status
    assert message in page_text(response)
    assert 'name="token"' not in page_text(response)
    assert counts() == before


def test_a_refused_workbook_shows_its_message_in_vietnamese(client, secretary, org):
    client.force_login(secretary)

    response = upload(
        client, "units:unit-import", SimpleUploadedFile("don-vi.xlsx", ten_million_shared_strings())
    )

    assert response.status_code == 400
    assert "“don-vi.xlsx” có một thành phần" in page_text(response)


# --- Export -----------------------------------------------------------------------------------


def test_unit_export_xlsx_opens_with_the_header_and_rows(secretary_client, org):
    response = secretary_client.get(reverse("units:unit-export"), {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="don-vi-')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên")
    assert [row[0] for row in rows[1:]] == ["DEPT", "KV1", "KV1-01", "KV2", "KV2-01"]


def test_unit_export_csv_has_bom_and_vietnamese_text(secretary_client, org):
    response = secretary_client.get(reverse("units:unit-export"), {"format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "Mã đơn vị,Tên đơn vị,Tên viết tắt,Loại,Mã đơn vị cấp trên,Pháp nhân,Hiệu lực từ,Hiệu lực đến"
    )
    assert lines[3] == "KV1-01,Hải quan cửa khẩu Nội Bài,,Hải quan cửa khẩu,KV1,không,,"


def test_export_template_has_only_the_header(secretary_client, org):
    response = secretary_client.get(reverse("units:staff-export"), {"format": "csv", "template": "1"})

    assert response.content.decode("utf-8-sig").splitlines() == [
        "Mã cán bộ,Họ và tên,Giới tính,Ngày sinh,Đảng viên,Chức vụ,Mã đơn vị,Email,Ngày bắt đầu công tác"
    ]


def test_export_refuses_an_unknown_format(secretary_client, org):
    response = secretary_client.get(reverse("units:unit-export"), {"format": "pdf"})

    assert response.status_code == 404


def test_unit_officer_exports_only_its_subtree(org, unit_officer):
    client = english_client(unit_officer)
    StaffFactory(staff_code="LEAK-B", full_name="Người chi cục B", unit=org.office_b)
    StaffFactory(staff_code="LEAK-DEPT", full_name="Người cơ quan Cục", unit=org.dept)
    StaffFactory(staff_code="MINE", full_name="Người đội A", unit=org.office_a)

    staff_csv = client.get(reverse("units:staff-export"), {"format": "csv"}).content.decode("utf-8-sig")
    units_csv = client.get(reverse("units:unit-export"), {"format": "csv"}).content.decode("utf-8-sig")

    staff_codes = sorted(line.split(",")[0] for line in staff_csv.splitlines()[1:])
    unit_codes = [line.split(",")[0] for line in units_csv.splitlines()[1:]]
    assert staff_codes == sorted(["MINE", unit_officer.staff.staff_code])
    assert unit_codes == ["KV1", "KV1-01"]


def test_staff_export_applies_the_list_filters(secretary_client, org):
    StaffFactory(staff_code="A1", full_name="Nguyễn Văn An", unit=org.office_a)
    StaffFactory(staff_code="A2", full_name="Trần Thị Ánh", unit=org.branch_a)
    StaffFactory(staff_code="B1", full_name="Nguyễn Văn Bảo", unit=org.office_b)

    by_unit = secretary_client.get(reverse("units:staff-export"), {"format": "csv", "unit": org.branch_a.pk})
    by_name = secretary_client.get(reverse("units:staff-export"), {"format": "csv", "q": "nguyen van"})

    def codes(response):
        return sorted(line.split(",")[0] for line in response.content.decode("utf-8-sig").splitlines()[1:])

    assert codes(by_unit) == ["A1", "A2"]
    assert codes(by_name) == ["A1", "B1"]


@pytest.mark.parametrize("size", [1, 3])
def test_staff_export_query_count_does_not_grow_with_rows(
    secretary_client, org, django_assert_num_queries, size
):
    for number in range(size):
        person = StaffFactory(staff_code=f"Q{number}", unit=None)
        assign_staff(person, unit=org.office_a, start_date=datetime.date(2024, 1, 1))

    # session, user, the secretary's groups, then the staff with their units and posting dates
    with django_assert_num_queries(4):
        response = secretary_client.get(reverse("units:staff-export"), {"format": "xlsx"})

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 3])
def test_unit_export_query_count_does_not_grow_with_rows(
    secretary_client, org, django_assert_num_queries, size
):
    for number in range(size):
        Unit.objects.create(code=f"N{number}", name=f"Đội {number}", kind="office", parent=org.branch_b)

    with django_assert_num_queries(4):
        response = secretary_client.get(reverse("units:unit-export"), {"format": "csv"})

    assert response.status_code == 200

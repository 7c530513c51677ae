"""The upload checks (core.uploads): kinds by content, the hostile-file corpus, ZIP limits, PDFs."""

import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.uploads import (
    DOCX,
    XLSX,
    UploadRefused,
    ZipLimits,
    check_office_file,
    check_pdf,
    check_uploaded_file,
    clean_display_name,
)
from tests.core.corpus import hostile_office_files, hostile_pdfs
from tests.files import (
    build_pdf,
    docx_bytes,
    docx_members,
    page_objects,
    pdf_bytes,
    relationships,
    stream,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.unit

MB = 1024 * 1024
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes, *, max_bytes: int = 20 * MB) -> str:
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_uploaded_file(upload(name, content), max_bytes=max_bytes)
    return str(refused.value)


def test_corpus_size_is_what_the_security_page_says():
    assert (len(hostile_pdfs()), len(hostile_office_files())) == (29, 24)


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("bao-cao.pdf", pdf_bytes(), "pdf", "application/pdf"),
        ("anh.png", PNG, "png", "image/png"),
        ("anh.JPG", JPEG, "jpeg", "image/jpeg"),
        ("so-lieu.xlsx", xlsx_bytes(), "xlsx", XLSX),
        ("bao-cao.docx", docx_bytes(), "docx", DOCX),
    ],
)
def test_check_accepts_each_allowed_type_by_content(name, content, kind, content_type):
    checked = check_uploaded_file(upload(name, content), max_bytes=MB)

    assert (checked.kind, checked.content_type, checked.name) == (kind, content_type, name)
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("name", sorted(hostile_pdfs()))
def test_every_hostile_pdf_of_the_corpus_is_refused_for_its_reason(name):
    content, reason = hostile_pdfs()[name]

    message = refusal(name, content)

    assert reason in message
    assert message.startswith(f"“{name}”")


@pytest.mark.parametrize("name", sorted(hostile_office_files()))
def test_every_hostile_office_file_of_the_corpus_is_refused_for_its_reason(name):
    content, reason = hostile_office_files()[name]

    message = refusal(name, content)

    assert reason in message
    assert message.startswith(f"“{name}”")


@pytest.mark.parametrize("name", ["open-action-javascript.pdf", "object-stream-after-bare-cr.pdf"])
def test_a_hostile_file_renamed_to_an_image_is_still_refused(name):
    content, reason = hostile_pdfs()[name]

    assert reason in refusal("anh.png", content)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            build_pdf(page_objects(catalog_extra=b"/OpenAction [3 0 R /Fit]")),
            id="open-action-that-only-zooms",
        ),
        pytest.param(
            build_pdf(
                {
                    **page_objects(page_extra=b"/Annots [6 0 R]"),
                    6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoTo /D [3 0 R /Fit] >> >>",
                }
            ),
            id="link-inside-the-document",
        ),
        pytest.param(
            build_pdf(
                page_objects(catalog_extra=b"/OpenAction 6 0 R"),
                compressed={6: b"<< /S /GoTo /D [3 0 R /Fit] >>"},
            ),
            id="object-stream",
        ),
        pytest.param(
            build_pdf(
                page_objects(catalog_extra=b"/Outlines 6 0 R"),
                compressed={6: b"<< /Type /Outlines /Count 0 >>"},
                stream_eol=b"\r",
            ),
            id="object-stream-after-bare-cr",
        ),
    ],
)
def test_check_accepts_a_pdf_whose_actions_stay_inside_the_document(content):
    checked = check_uploaded_file(upload("bao-cao.pdf", content), max_bytes=MB)

    assert (checked.kind, checked.size) == ("pdf", len(content))


def test_check_accepts_a_word_document_with_pictures_and_links_inside_the_document():
    members = docx_members()
    members["word/_rels/document.xml.rels"] = relationships(
        ("image", "media/image1.png"), ("styles", "styles.xml")
    )
    members["word/media/image1.png"] = PNG
    members["word/styles.xml"] = b"<w:styles/>"

    checked = check_uploaded_file(upload("bao-cao.docx", zip_bytes(members)), max_bytes=MB)

    assert checked.kind == "docx"


def test_office_check_names_the_limit_on_one_part():
    limits = ZipLimits(max_member_bytes=MB, max_total_bytes=10 * MB)
    members = {
        **docx_members(),
        "word/media/big.bin": bytes(range(256)) * 8 * 1024,
    }  # 2 MB, incompressible-ish

    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_office_file(io.BytesIO(zip_bytes(members)), name="lon.docx", limits=limits)

    assert str(refused.value).startswith(
        "“lon.docx” has a part that unpacks to 2.0 MB; one part may unpack to at most 1 MB."
    )


def test_office_check_names_the_limit_on_the_whole_file():
    limits = ZipLimits(max_member_bytes=MB, max_total_bytes=2 * MB)
    part = bytes(range(250)) * 4096  # 1,024,000 bytes each
    members = {**docx_members(), **{f"word/media/p{number}.bin": part for number in range(3)}}

    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_office_file(io.BytesIO(zip_bytes(members)), name="lon.docx", limits=limits)

    assert str(refused.value).startswith(
        "“lon.docx” would unpack to 2.9 MB; files accepted here unpack to at most 2 MB."
    )


def test_pdf_check_refuses_a_document_of_too_many_objects(monkeypatch):
    monkeypatch.setattr("core.uploads.pdf.MAX_OBJECTS", 10)
    content = build_pdf({**page_objects(), **{number: b"<< /N %d >>" % number for number in range(6, 20)}})

    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_pdf(io.BytesIO(content), name="lon.pdf")

    assert str(refused.value).startswith("“lon.pdf” is built from more than 10 objects")


def with_offsets_rotated(content: bytes, *, shift: int) -> bytes:
    """The same file with each cross-reference entry pointing at the object `shift` entries on."""
    table = content.index(b"xref\n")
    rows = re.findall(rb"(\d{10}) 00000 n ", content[table:])
    rotated = iter(rows[shift:] + rows[:shift])
    return content[:table] + re.sub(
        rb"\d{10} 00000 n ", lambda _row: next(rotated) + b" 00000 n ", content[table:]
    )


def test_pdf_check_refuses_a_file_whose_objects_are_listed_at_each_others_places():
    content = build_pdf({**page_objects(), **{number: b"<< /N %d >>" % number for number in range(6, 80)}})

    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        check_pdf(io.BytesIO(with_offsets_rotated(content, shift=1)), name="hong.pdf")

    assert str(refused.value).startswith("“hong.pdf” cannot be read as a PDF")


def test_pdf_check_accepts_a_file_with_a_few_objects_listed_at_each_others_places():
    check_pdf(io.BytesIO(with_offsets_rotated(pdf_bytes(), shift=1)), name="bao-cao.pdf")


def test_pdf_check_accepts_references_to_missing_objects_without_searching_for_each():
    # Thousands of references to objects that are nowhere, in a padded file: pypdf searches the
    # whole file for each one it is asked to resolve (minutes for this file); the check asks
    # only for listed objects, so this is read at once and accepted like any clean file.
    references = b" ".join(b"%d 0 R" % number for number in range(100, 3100))
    content = build_pdf(
        {**page_objects(catalog_extra=b"/Extra [" + references + b"]"), 6: stream(b"", b"0" * MB)}
    )

    check_pdf(io.BytesIO(content), name="bao-cao.pdf")


def test_refusals_are_translated_into_vietnamese():
    content, _reason = hostile_pdfs()["open-action-javascript.pdf"]

    with translation.override("vi"), pytest.raises(UploadRefused) as refused:
        check_uploaded_file(upload("a.pdf", content), max_bytes=MB)

    assert "JavaScript" in str(refused.value)
    assert "chứa" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bao-cao.pdf", b"Day la van ban thuong, khong phai PDF\n", "is not a PDF"),
        ("bao-cao.pdf", b"", "is empty"),
        ("trang.html", b"<html><script>alert(1)</script></html>", "is not a PDF"),
    ],
)
def test_check_refuses_what_is_not_an_allowed_file(name, content, reason):
    message = refusal(name, content)

    assert reason in message
    assert name in message


def test_check_refuses_a_file_over_the_limit():
    assert refusal("lon.pdf", pdf_bytes() + b"0" * (2 * MB), max_bytes=MB) == (
        "“lon.pdf” is 2.0 MB; files may be at most 1 MB."
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        ("C:\\Users\\can bo\\Bao cao quy 4.pdf", "Bao cao quy 4.pdf"),
        ("bao\x00cao\r\n.pdf", "baocao.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("..", ""),
        ("   ", ""),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_display_name_keeps_only_the_files_own_name(raw, clean):
    assert clean_display_name(raw) == clean


def test_check_adds_the_real_extension_to_a_name_without_one():
    checked = check_uploaded_file(upload("scan", pdf_bytes()), max_bytes=MB)

    assert checked.name == "scan.pdf"

"""Builders of real files for upload tests: PDFs with a correct cross-reference, Office packages.

The upload checks parse what they receive (pypdf, the ZIP directory, the package's XML parts), so
test files must be built as the formats require: a PDF needs its xref table and trailer, a .docx
its content types and relationships. Hostile variants are built from the same pieces
(tests/core/corpus.py).
"""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

import openpyxl

PAGE_TEXT = b"BT /F1 12 Tf 72 760 Td (Bao cao quy 4 /JSC) Tj ET"


def stream(entries: bytes, data: bytes, *, eol: bytes = b"\n", compress: bool = False) -> bytes:
    """The body of a stream object; `eol` is what follows the `stream` keyword."""
    if compress:
        data = zlib.compress(data)
        entries += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream%s%s\nendstream" % (entries, len(data), eol, data)


def page_objects(*, catalog_extra: bytes = b"", page_extra: bytes = b"") -> dict[int, bytes]:
    """Objects 1-5 of a one-page document: catalog, pages, page, its content, a font."""
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R %s>>" % page_extra,
        4: stream(b"", PAGE_TEXT, compress=True),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }


def build_pdf(
    objects: dict[int, bytes],
    *,
    compressed: dict[int, bytes] | None = None,
    stream_eol: bytes = b"\n",
    unlisted: dict[int, bytes] | None = None,
) -> bytes:
    """A PDF of `objects` (number -> body) with a correct cross-reference.

    With `compressed`, those objects go into one object stream (whose `stream` keyword is
    followed by `stream_eol`) and the cross-reference is an xref stream. `unlisted` objects are
    written into the file but left out of the cross-reference.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for number, body in sorted((unlisted or {}).items()):
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if not compressed:
        size = max(objects) + 1
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)
    object_stream = max([*objects, *compressed]) + 1
    xref_stream = object_stream + 1
    header, bodies = b"", b""
    for number, body in sorted(compressed.items()):
        header += b"%d %d " % (number, len(bodies))
        bodies += body + b"\n"
    packed = zlib.compress(header + bodies)
    offsets[object_stream] = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream%s%s\nendstream\nendobj\n"
        % (
            object_stream,
            len(compressed),
            len(header),
            len(packed),
            stream_eol,
            packed,
        )
    )
    offsets[xref_stream] = len(out)
    rows = b"\x00\x00\x00\x00\x00\xff\xff"
    index = {number: position for position, number in enumerate(sorted(compressed))}
    for number in range(1, xref_stream + 1):
        if number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00"
        elif number in index:
            rows += b"\x02" + object_stream.to_bytes(4, "big") + index[number].to_bytes(2, "big")
        else:
            rows += b"\x00\x00\x00\x00\x00\xff\xff"
    out += b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (
        xref_stream,
        stream(b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref_stream + 1), rows),
        offsets[xref_stream],
    )
    return bytes(out)


@functools.cache
def pdf_bytes() -> bytes:
    """A clean one-page PDF."""
    return build_pdf(page_objects())


# --- Office packages -------------------------------------------------------------------------------

CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> bytes:
    defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **(defaults or {}),
    }
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CONTENT_TYPES_NS}">'
        + "".join(f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults.items())
        + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides.items())
        + "</Types>"
    ).encode()


def relationships(*items: tuple[str, str] | tuple[str, str, str]) -> bytes:
    """Relationships (type, target[, target mode]); a type without "/" is an Office one."""
    rows = []
    for number, item in enumerate(items, start=1):
        kind, target, *mode = item
        kind = kind if "/" in kind else OFFICE_RELATIONSHIP + kind
        mode_attribute = f' TargetMode="{mode[0]}"' if mode else ""
        rows.append(f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"{mode_attribute}/>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS_NS}">'
        + "".join(rows)
        + "</Relationships>"
    ).encode()


def docx_members(*, main_type: str = WORD_MAIN) -> dict[str, bytes]:
    """The parts of a minimal Word document, as Word writes them."""
    return {
        "[Content_Types].xml": content_types({"/word/document.xml": main_type}),
        "_rels/.rels": relationships(("officeDocument", "word/document.xml")),
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>B\xc3\xa1o c\xc3\xa1o</w:t></w:r></w:p></w:body>'
        b"</w:document>",
    }


def docx_bytes() -> bytes:
    return zip_bytes(docx_members())


@functools.cache
def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Số thu"
    workbook.active["B1"] = 1_250_000_000
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

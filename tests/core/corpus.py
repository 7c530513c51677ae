"""The hostile-file corpus: every file here must be refused by the upload checks, for the reason named.

Built in code from the pieces in tests/files.py, so each file shows exactly what makes it hostile.
Each entry: name -> (bytes, the English phrase the refusal must contain).
"""

from __future__ import annotations

import functools
import io
import zipfile

from pypdf import PdfWriter
from pypdf.actions import JavaScript

from tests.files import (
    WORD_MAIN,
    build_pdf,
    content_types,
    docx_members,
    page_objects,
    relationships,
    stream,
    xlsx_bytes,
    zip_bytes,
)

JAVASCRIPT = "contains JavaScript"
LAUNCH = "contains an action that starts a program"
LINK = "contains a link to a web address"
FORM_DATA = "contains a form that sends or imports data"
OTHER_FILE = "contains a link that opens another file"
EMBEDDED_PDF = "contains files embedded in it"
XFA = "contains an XFA form"
ENCRYPTED = "is encrypted or protected with a password"
UNREADABLE = "cannot be read as a PDF"

MACROS = "contains macros"
EMBEDDED = "contains embedded objects"
EXTERNAL = "refers to content outside the file"
DAMAGED = "is damaged and cannot be opened"
NOT_OFFICE = "not a Word (.docx) or Excel (.xlsx) file"
BOMB = "archives built like this are used to harm servers"
PASSWORD = "is protected with a password"
TOO_MANY_PARTS = "files accepted here have at most 2000"
PART_TOO_LARGE = "has a part that unpacks to"
UNUSUAL_PACKAGE = "is built unusually"

SCRIPT = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
WIDGET = b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (f) /Rect [0 0 10 10] /P 3 0 R %s >>"


def _with_catalog(extra: bytes, *more: tuple[int, bytes], **options) -> bytes:
    return build_pdf({**page_objects(catalog_extra=extra), **dict(more)}, **options)


def _with_page(extra: bytes, *more: tuple[int, bytes]) -> bytes:
    return build_pdf({**page_objects(page_extra=extra), **dict(more)})


def _annotation(body: bytes) -> bytes:
    return _with_page(b"/Annots [6 0 R]", (6, body))


def _encrypted(*, with_script: bool) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if with_script:
        writer.add_open_action(JavaScript("app.alert(1);"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _incremental_update() -> bytes:
    """A clean file followed by an update whose new catalog opens with a script (a /Prev chain)."""
    clean = build_pdf(page_objects())
    first_xref = int(clean.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    update = bytearray(clean)
    offset_catalog = len(update)
    update += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>\nendobj\n"
    offset_script = len(update)
    update += b"6 0 obj\n%s\nendobj\n" % SCRIPT
    xref = len(update)
    update += b"xref\n1 1\n%010d 00000 n \n6 1\n%010d 00000 n \n" % (offset_catalog, offset_script)
    update += b"trailer\n<< /Size 7 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (first_xref, xref)
    return bytes(update)


@functools.cache
def hostile_pdfs() -> dict[str, tuple[bytes, str]]:
    open_script = b"/OpenAction 6 0 R"
    return {
        "open-action-javascript.pdf": (_with_catalog(open_script, (6, SCRIPT)), JAVASCRIPT),
        "open-action-escaped-names.pdf": (
            _with_catalog(open_script, (6, b"<< /S /J#61va#53cript /J#53 (go\\(\\)) >>")),
            JAVASCRIPT,
        ),
        "open-action-js-entry-only.pdf": (
            _with_catalog(open_script, (6, b"<< /JS 7 0 R >>"), (7, b"(x)")),
            JAVASCRIPT,
        ),
        # The two files of the review: a script in an object stream after a bare CR, and an
        # encrypted file with an empty user password.
        "object-stream-after-bare-cr.pdf": (
            _with_catalog(open_script, compressed={6: SCRIPT}, stream_eol=b"\r"),
            JAVASCRIPT,
        ),
        "object-stream-after-crlf.pdf": (
            _with_catalog(open_script, compressed={6: SCRIPT}, stream_eol=b"\r\n"),
            JAVASCRIPT,
        ),
        "encrypted-empty-password-with-script.pdf": (_encrypted(with_script=True), ENCRYPTED),
        "encrypted-empty-password.pdf": (_encrypted(with_script=False), ENCRYPTED),
        "open-action-launch.pdf": (_with_catalog(open_script, (6, b"<< /S /Launch /F (cmd.exe) >>")), LAUNCH),
        "catalog-additional-action.pdf": (_with_catalog(b"/AA << /WC 6 0 R >>", (6, SCRIPT)), JAVASCRIPT),
        "page-additional-action.pdf": (_with_page(b"/AA << /O 6 0 R >>", (6, SCRIPT)), JAVASCRIPT),
        "link-uri.pdf": (
            _annotation(
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (http://x.example) >> >>"
            ),
            LINK,
        ),
        "link-launch.pdf": (
            _annotation(b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /F (a.exe) >> >>"),
            LAUNCH,
        ),
        "link-go-to-other-file.pdf": (
            _annotation(
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToR /F (b.pdf) /D [0 /Fit] >> >>"
            ),
            OTHER_FILE,
        ),
        "link-go-to-embedded.pdf": (
            _annotation(
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToE /T << /R /C /N (a) >> >> >>"
            ),
            EMBEDDED_PDF,
        ),
        "form-field-keystroke-script.pdf": (
            build_pdf(
                {
                    **page_objects(
                        catalog_extra=b"/AcroForm << /Fields [6 0 R] >>", page_extra=b"/Annots [6 0 R]"
                    ),
                    6: WIDGET % b"/AA << /K 7 0 R >>",
                    7: SCRIPT,
                }
            ),
            JAVASCRIPT,
        ),
        "form-field-submit.pdf": (
            build_pdf(
                {
                    **page_objects(
                        catalog_extra=b"/AcroForm << /Fields [6 0 R] >>", page_extra=b"/Annots [6 0 R]"
                    ),
                    6: WIDGET % b"/A << /S /SubmitForm /F << /FS /URL /F (http://x.example) >> >>",
                }
            ),
            FORM_DATA,
        ),
        "import-data.pdf": (_with_catalog(open_script, (6, b"<< /S /ImportData /F (d.fdf) >>")), FORM_DATA),
        "xfa-form.pdf": (
            _with_catalog(b"/AcroForm << /Fields [] /XFA 6 0 R >>", (6, stream(b"", b"<xdp:xdp/>"))),
            XFA,
        ),
        "names-javascript.pdf": (
            _with_catalog(b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>", (6, SCRIPT)),
            JAVASCRIPT,
        ),
        "names-embedded-files.pdf": (
            _with_catalog(
                b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
                (6, b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>"),
                (7, stream(b"/Type /EmbeddedFile", b"MZ")),
            ),
            EMBEDDED_PDF,
        ),
        "file-attachment-annotation.pdf": (
            _annotation(b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>"),
            EMBEDDED_PDF,
        ),
        "rich-media-annotation.pdf": (
            _annotation(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"),
            EMBEDDED_PDF,
        ),
        "next-chain.pdf": (
            _with_catalog(open_script, (6, b"<< /S /GoTo /D [3 0 R /Fit] /Next 7 0 R >>"), (7, SCRIPT)),
            JAVASCRIPT,
        ),
        "rendition-with-script.pdf": (
            _with_catalog(open_script, (6, b"<< /S /Rendition /OP 0 /JS (go\\(\\)) >>")),
            JAVASCRIPT,
        ),
        "orphan-listed-object.pdf": (_with_catalog(b"", (6, b"<< /S /URI /URI (http://x.example) >>")), LINK),
        "orphan-unlisted-object.pdf": (_with_catalog(b"", unlisted={9: SCRIPT}), JAVASCRIPT),
        "incremental-update.pdf": (_incremental_update(), JAVASCRIPT),
        "truncated.pdf": (build_pdf(page_objects())[:200], UNREADABLE),
        "header-only.pdf": (b"%PDF-1.7\n" + b"\x00" * 64, UNREADABLE),
    }


# --- Office packages -------------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _docx(extra_parts: dict[str, bytes], *, document_rels=(), overrides=None, defaults=None, main=WORD_MAIN):
    members = docx_members(main_type=main)
    members["[Content_Types].xml"] = content_types(
        {"/word/document.xml": main, **(overrides or {})}, defaults
    )
    if document_rels:
        members["word/_rels/document.xml.rels"] = relationships(*document_rels)
    members.update(extra_parts)
    return zip_bytes(members)


def _xlsx(extra_parts: dict[str, bytes], *, replace_types: tuple[str, str] | None = None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    if replace_types:
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            replace_types[0].encode(), replace_types[1].encode()
        )
    members.update(extra_parts)
    return zip_bytes(members)


def _encrypted_member() -> bytes:
    """A Word document whose parts carry the "encrypted" flag, in local headers and the directory."""
    data = bytearray(zip_bytes(docx_members()))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)


def _duplicate_member() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in docx_members().items():
            archive.writestr(name, content)
        archive.writestr("WORD/document.xml", b"<other/>")
    return buffer.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """A workbook-looking archive whose one member unpacks to 60 MB of zeros (about 60 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(60):
                member.write(block)
    return buffer.getvalue()


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_OPEN = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def workbook_with_shared_strings(texts, *, cell_text: str = "0") -> bytes:
    """A workbook whose shared-strings part holds `texts` (an iterable of bytes chunks of <si>
    elements) and whose sheet's A1 shows shared string `cell_text`. Written in chunks, so that a
    part of hundreds of megabytes never sits in memory."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s" /></Types>' % SHARED_STRINGS.encode(),
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml" Id="rId9" /></Relationships>',
    )
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b'<c r="A1" t="inlineStr"><is><t>S\xe1\xbb\x91 thu</t></is></c>',
        b'<c r="A1" t="s"><v>%s</v></c>' % cell_text.encode(),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(SST_OPEN)
            for chunk in texts:
                part.write(chunk)
            part.write(b"</sst>")
    return buffer.getvalue()


@functools.cache
def ten_million_shared_strings() -> bytes:
    """The workbook of the review: about 414 KB, 10 million shared strings (170 MB unpacked)."""
    return workbook_with_shared_strings(b"<si><t>x</t></si>" * 100_000 for _ in range(100))


@functools.cache
def hostile_office_files() -> dict[str, tuple[bytes, str]]:
    ole_default = {"bin": "application/vnd.openxmlformats-officedocument.oleObject"}
    ole_relationship = ("oleObject", "embeddings/oleObject1.bin")
    template = ("attachedTemplate", "http://x.example/t.dotm", "External")
    laughs = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    return {
        # The file of the review: a remote template in the settings' relationships and an OLE object.
        "remote-template-with-ole.docx": (
            _docx(
                {
                    "word/_rels/settings.xml.rels": relationships(template),
                    "word/embeddings/oleObject1.bin": OLE,
                },
                document_rels=[ole_relationship],
                defaults=ole_default,
            ),
            EMBEDDED,
        ),
        "remote-template.docx": (_docx({"word/_rels/settings.xml.rels": relationships(template)}), EXTERNAL),
        "external-hyperlink.docx": (
            _docx({}, document_rels=[("hyperlink", "http://x.example", "External")]),
            EXTERNAL,
        ),
        "external-picture-unc.docx": (
            _docx({}, document_rels=[("image", "file://server/share/a.png", " external ")]),
            EXTERNAL,
        ),
        "ole-object.docx": (
            _docx(
                {"word/embeddings/oleObject1.bin": OLE},
                document_rels=[ole_relationship],
                defaults=ole_default,
            ),
            EMBEDDED,
        ),
        "ole-object-renamed-as-picture.docx": (
            _docx({"word/media/image1.png": OLE}, document_rels=[("image", "media/image1.png")]),
            EMBEDDED,
        ),
        "embedded-package.docx": (
            _docx(
                {"word/embeddings/Sheet1.xlsx": xlsx_bytes()},
                document_rels=[("package", "embeddings/Sheet1.xlsx")],
            ),
            EMBEDDED,
        ),
        "activex-control.docx": (
            _docx(
                {"word/activeX/activeX1.xml": b"<ax/>"},
                document_rels=[("control", "activeX/activeX1.xml")],
                overrides={"/word/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml"},
            ),
            EMBEDDED,
        ),
        "alt-chunk.docx": (
            _docx({"word/afchunk.mht": b"MIME-Version: 1.0"}, document_rels=[("aFChunk", "afchunk.mht")]),
            EMBEDDED,
        ),
        "macro-enabled-named-docx.docx": (_docx({}, main=DOCM_MAIN), MACROS),
        "vba-project.docx": (
            _docx(
                {"word/vbaProject.bin": OLE},
                document_rels=[
                    ("http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin")
                ],
            ),
            MACROS,
        ),
        "macro-enabled-named-xlsx.xlsx": (
            _xlsx(
                {"xl/vbaProject.bin": OLE},
                replace_types=("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml"),
            ),
            MACROS,
        ),
        "external-workbook-link.xlsx": (
            _xlsx(
                {
                    "xl/externalLinks/_rels/externalLink1.xml.rels": relationships(
                        ("externalLinkPath", "file:///C:/secret.xlsx", "External")
                    )
                }
            ),
            EXTERNAL,
        ),
        "ole-object.xlsx": (_xlsx({"xl/embeddings/oleObject1.bin": OLE}), EMBEDDED),
        "entity-expansion.docx": (_docx({"[Content_Types].xml": laughs}), DAMAGED),
        "no-package-parts.xlsx": (zip_bytes({"readme.txt": b"hello"}), NOT_OFFICE),
        "no-main-document.docx": (
            zip_bytes({"[Content_Types].xml": content_types({}), "_rels/.rels": relationships()}),
            NOT_OFFICE,
        ),
        "not-a-zip.xlsx": (b"PK\x03\x04 not really a zip", DAMAGED),
        "encrypted-member.docx": (_encrypted_member(), PASSWORD),
        "duplicate-part.docx": (_duplicate_member(), DAMAGED),
        "zip-bomb.xlsx": (zip_bomb(), BOMB),
        "ten-million-shared-strings.xlsx": (ten_million_shared_strings(), PART_TOO_LARGE),
        "thousands-of-relationship-parts.docx": (
            zip_bytes(
                {
                    **docx_members(),
                    **{
                        f"word/_rels/p{number}.xml.rels": b"<Relationships>"
                        + b" " * 9_000
                        + b"</Relationships>"
                        for number in range(1000)
                    },
                }
            ),
            UNUSUAL_PACKAGE,
        ),
        "too-many-parts.docx": (
            zip_bytes({**docx_members(), **{f"word/media/p{number}.txt": b"" for number in range(2000)}}),
            TOO_MANY_PARTS,
        ),
    }

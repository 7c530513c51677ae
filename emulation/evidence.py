"""Checking evidence files by their content, before anything is stored.

Nothing here touches HTTP or the database: `check_evidence_file` reads an uploaded file once,
decides what it really is from its first bytes (and, for Office files, from the ZIP's central
directory), computes its SHA-256 and returns the cleaned facts the service stores. The name the
browser sent is only ever used as a display name: it never becomes a path.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NAME_MAX_LENGTH = 200
CHUNK_SIZE = 64 * 1024
# A ZIP whose members would unpack to more than this many times its own size, and to more than
# ZIP_BOMB_MIN_BYTES, is refused as a zip bomb. Real workbooks and documents compress 3-20x.
ZIP_BOMB_RATIO = 100
ZIP_BOMB_MIN_BYTES = 50 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000

# PDF names that make a viewer run code or start a program. Evidence is a scan or a printed
# report: none of it needs them. Names are compared after decoding #xx escapes (/J#61vaScript),
# in the file and inside its Flate-compressed streams (object streams hide names there).
PDF_ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch"})
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_INFLATE_LIMIT = 64 * 1024 * 1024  # inflated bytes scanned per file, at most

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    label: object
    inline: bool  # shown in the browser (PDF, images) rather than downloaded


KINDS = {
    "pdf": FileKind("application/pdf", (".pdf",), gettext_lazy("PDF document"), True),
    "png": FileKind("image/png", (".png",), gettext_lazy("PNG image"), True),
    "jpeg": FileKind("image/jpeg", (".jpg", ".jpeg"), gettext_lazy("JPEG image"), True),
    "gif": FileKind("image/gif", (".gif",), gettext_lazy("GIF image"), True),
    "webp": FileKind("image/webp", (".webp",), gettext_lazy("WebP image"), True),
    "xlsx": FileKind(XLSX, (".xlsx",), gettext_lazy("Excel workbook"), False),
    "docx": FileKind(DOCX, (".docx",), gettext_lazy("Word document"), False),
}
INLINE_CONTENT_TYPES = frozenset(kind.content_type for kind in KINDS.values() if kind.inline)
# What the upload control offers; the server decides by content whatever the browser sends.
ACCEPT_ATTRIBUTE = ",".join(ext for kind in KINDS.values() for ext in kind.extensions)
ACCEPTED_DESCRIPTION = "PDF, PNG, JPEG, GIF, WebP, XLSX, DOCX"


class EvidenceFileError(ValueError):
    """The file cannot be accepted; the message names the file and says why, for the user."""


@dataclass(frozen=True)
class CheckedFile:
    """What the checker found: the display name to store and the facts read from the content."""

    name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def clean_display_name(raw: str) -> str:
    """The file's own name without any folder part or control character, at most 200 characters.

    "../../etc/passwd.pdf" becomes "passwd.pdf" and "C:\\scan\\a.pdf" becomes "a.pdf". The
    extension survives shortening. Returns "" when nothing usable is left.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX_LENGTH:
        stem, ext = posixpath.splitext(name)
        if len(ext) > 10:
            stem, ext = name, ""
        name = stem[: NAME_MAX_LENGTH - len(ext)].rstrip(" .") + ext
    return name


def detect_kind(head: bytes) -> str | None:
    """The kind of file its first bytes announce ("zip" for any ZIP archive), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _office_kind(upload, name: str, size: int) -> str:
    """Tell a Word document from an Excel workbook by the ZIP's members; refuse anything else."""
    not_office = _(
        "“%(name)s” is a ZIP archive but not a Word (.docx) or Excel (.xlsx) file. "
        "Upload PDF, images, .xlsx or .docx files."
    ) % {"name": name}
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise EvidenceFileError(
            _("“%(name)s” looks like an Office file but is damaged and cannot be opened.") % {"name": name}
        ) from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise EvidenceFileError(not_office)
    unpacked = sum(member.file_size for member in members)
    if unpacked > ZIP_BOMB_MIN_BYTES and unpacked > ZIP_BOMB_RATIO * max(size, 1):
        raise EvidenceFileError(
            _(
                "“%(name)s” would unpack to %(mb)s MB, far more than any real Excel or Word file: "
                "archives built like this are used to harm servers. Save it again from Excel or Word "
                "and upload that copy."
            )
            % {"name": name, "mb": unpacked // (1024 * 1024)}
        )
    names = {member.filename for member in members}
    if any(member.lower().endswith("vbaproject.bin") for member in names):
        raise EvidenceFileError(
            _("“%(name)s” contains macros. Save it as a plain .xlsx or .docx file and upload that copy.")
            % {"name": name}
        )
    if "[Content_Types].xml" in names:
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    raise EvidenceFileError(not_office)


def _pdf_names(data: bytes) -> set[bytes]:
    return {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda escape: bytes([int(escape[1], 16)]), match[1])
        for match in PDF_NAME.finditer(data)
    }


def _refuse_active_pdf(upload, name: str) -> None:
    """Refuse a PDF that declares JavaScript or a launch action, in clear or in a Flate stream."""
    upload.seek(0)
    data = b"".join(upload.chunks(CHUNK_SIZE))
    found = _pdf_names(data) & PDF_ACTIVE_NAMES
    budget = PDF_INFLATE_LIMIT
    for stream in PDF_STREAM.finditer(data):
        if found or budget <= 0:
            break
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(stream[1], budget)
        except zlib.error:
            continue  # not a Flate stream (an image, say): nothing to read names from
        budget -= len(inflated)
        found = _pdf_names(inflated) & PDF_ACTIVE_NAMES
    if found:
        raise EvidenceFileError(
            _(
                "“%(name)s” contains scripts or actions that start programs. Print it to PDF again "
                "(or scan the paper copy) and upload that file."
            )
            % {"name": name}
        )


def _with_extension(name: str, kind: FileKind) -> str:
    """Keep the user's name, adding the right extension when the name does not carry one."""
    if posixpath.splitext(name)[1].lower() in kind.extensions:
        return name
    suffix = kind.extensions[0]
    return name[: NAME_MAX_LENGTH - len(suffix)] + suffix


def check_evidence_file(upload, *, max_bytes: int) -> CheckedFile:
    """Check an uploaded file (a Django UploadedFile) and return its cleaned facts.

    Raises EvidenceFileError, with a message naming the file, when the file is empty, larger than
    `max_bytes`, has no usable name, is not a PDF, an image, an .xlsx or a .docx by content, is
    a PDF with scripts or launch actions, or an Office file with macros.
    Reads the file once in chunks and leaves it rewound.
    """
    name = clean_display_name(getattr(upload, "name", ""))
    if not name:
        raise EvidenceFileError(_("The file has no usable name. Rename it and upload it again."))
    size = upload.size
    if not size:
        raise EvidenceFileError(_("“%(name)s” is empty.") % {"name": name})
    if size > max_bytes:
        raise EvidenceFileError(
            _("“%(name)s” is %(size)s MB; files may be at most %(max)s MB.")
            % {
                "name": name,
                "size": number_format(size / (1024 * 1024), decimal_pos=1),
                "max": max_bytes // (1024 * 1024),
            }
        )
    digest = hashlib.sha256()
    head = b""
    counted = 0
    upload.seek(0)
    for chunk in upload.chunks(CHUNK_SIZE):
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        counted += len(chunk)
        if counted > max_bytes:  # the declared size is the browser's word; the bytes are ours
            raise EvidenceFileError(
                _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": max_bytes // (1024 * 1024)}
            )
    if not counted:
        raise EvidenceFileError(_("“%(name)s” is empty.") % {"name": name})
    kind = detect_kind(head)
    if kind == "zip":
        kind = _office_kind(upload, name, counted)
    if kind == "pdf":
        _refuse_active_pdf(upload, name)
    if kind is None:
        raise EvidenceFileError(
            _(
                "“%(name)s” is not a PDF, an image (PNG, JPEG), an Excel .xlsx or a Word .docx file, "
                "whatever its name says. Save or scan it as PDF and upload it again."
            )
            % {"name": name}
        )
    upload.seek(0)
    return CheckedFile(
        name=_with_extension(name, KINDS[kind]),
        kind=kind,
        content_type=KINDS[kind].content_type,
        size=counted,
        sha256=digest.hexdigest(),
    )

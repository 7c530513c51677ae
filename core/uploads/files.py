"""Checking uploaded files by their content, before anything is stored.

Nothing here touches HTTP or the database: `check_uploaded_file` reads an uploaded file once,
decides what it really is from its first bytes, hands a ZIP to `core.uploads.archives` (limits,
macros, embedded objects, external links; Word or Excel by the main part's content type) and a
PDF to `core.uploads.pdf` (parsed with pypdf: encryption, scripts and actions), computes its
SHA-256 and returns the cleaned facts the caller stores. The name the browser sent is only ever
used as a display name: it never becomes a path.
"""

from __future__ import annotations

import hashlib
import posixpath
import unicodedata
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.uploads.archives import UPLOAD_ZIP_LIMITS, check_office_file
from core.uploads.errors import UploadRefused
from core.uploads.pdf import check_pdf

NAME_MAX_LENGTH = 200
CHUNK_SIZE = 64 * 1024
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


def _with_extension(name: str, kind: FileKind) -> str:
    """Keep the user's name, adding the right extension when the name does not carry one."""
    if posixpath.splitext(name)[1].lower() in kind.extensions:
        return name
    suffix = kind.extensions[0]
    return name[: NAME_MAX_LENGTH - len(suffix)] + suffix


def check_uploaded_file(upload, *, max_bytes: int) -> CheckedFile:
    """Check an uploaded file (a Django UploadedFile) and return its cleaned facts.

    Raises UploadRefused, with a message naming the file, when the file is empty, larger than
    `max_bytes`, has no usable name, is not a PDF, an image, an .xlsx or a .docx by content, is
    a PDF refused by `core.uploads.pdf` (damaged, encrypted, scripts, actions, embedded files) or
    an Office file refused by `core.uploads.archives` (ZIP limits, macros, embedded objects,
    external relationships). Leaves the file rewound.
    """
    name = clean_display_name(getattr(upload, "name", ""))
    if not name:
        raise UploadRefused(_("The file has no usable name. Rename it and upload it again."))
    size = upload.size
    if not size:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    if size > max_bytes:
        raise UploadRefused(
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
            raise UploadRefused(
                _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": max_bytes // (1024 * 1024)}
            )
    if not counted:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    kind = detect_kind(head)
    if kind == "zip":
        kind = check_office_file(upload, name=name, limits=UPLOAD_ZIP_LIMITS)
    if kind == "pdf":
        check_pdf(upload, name=name)
    if kind is None:
        raise UploadRefused(
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

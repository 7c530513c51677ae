"""The one place every uploaded file is checked: evidence, dossier documents, signed decisions, imports.

- `files`: the entry point for stored uploads (`check_uploaded_file`): name, size, kind by
  content, SHA-256; the kinds accepted and how each is served.
- `archives`: ZIP limits (members, size and compression ratio of each member, total) and the
  Office checks (macros, embedded objects, external relationships, Word or Excel by content).
  The import reads workbooks through `open_checked_zip` / `check_office_file` with its own limits.
- `pdf`: the PDF checks, with pypdf (damaged, encrypted, scripts and actions anywhere, embedded
  files, XFA).
- `serving`: the one policy for serving a stored upload (imported from there: it needs HTTP).

Every refusal is an `UploadRefused` whose message names the file and says what was wrong.
"""

from core.uploads.archives import (
    UPLOAD_ZIP_LIMITS,
    ZipLimits,
    check_office_file,
    open_checked_zip,
    part_content_types,
)
from core.uploads.errors import UploadRefused
from core.uploads.files import (
    ACCEPT_ATTRIBUTE,
    ACCEPTED_DESCRIPTION,
    DOCX,
    INLINE_CONTENT_TYPES,
    KINDS,
    XLSX,
    CheckedFile,
    check_uploaded_file,
    clean_display_name,
    detect_kind,
)
from core.uploads.pdf import check_pdf

__all__ = [
    "ACCEPTED_DESCRIPTION",
    "ACCEPT_ATTRIBUTE",
    "DOCX",
    "INLINE_CONTENT_TYPES",
    "KINDS",
    "UPLOAD_ZIP_LIMITS",
    "XLSX",
    "CheckedFile",
    "UploadRefused",
    "ZipLimits",
    "check_office_file",
    "check_pdf",
    "check_uploaded_file",
    "clean_display_name",
    "detect_kind",
    "open_checked_zip",
    "part_content_types",
]

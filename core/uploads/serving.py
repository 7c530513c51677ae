"""Serving uploaded files (evidence, dossier documents, signed decisions), never as pages of this site.

One policy for every stored upload: the content type decided by the file's content at upload, sent
with nosniff; PDF and images open in the browser, Office files download; images and Office files
get a `sandbox` policy that keeps anything active inside them away from this site's pages. A PDF
gets no policy at all: Chromium's PDF viewer is a plugin, which a sandboxed or `object-src 'none'`
document is not allowed to load, so any policy would turn "opens inline" into a blank page.
Callers (evidence, dossier documents, signed decisions) check who may read the file first.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from core.uploads.files import INLINE_CONTENT_TYPES

PDF = "application/pdf"


def serve_stored_file(stored: FieldFile, *, content_type: str, filename: str, missing: str) -> FileResponse:
    """The stored file as a response; 404 with the `missing` message when storage has lost it."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(missing) from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in INLINE_CONTENT_TYPES,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if content_type == PDF:
        response._csp_exempt = True  # type: ignore[attr-defined]  # read by django-csp's middleware
    else:
        response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response

"""PDF files checked with a real parser (pypdf) before they are stored and shown in the browser.

Evidence, dossier documents and signed decisions are scans or printed reports: none of them needs
anything that runs, opens another file or reaches the network. `check_pdf` refuses:

- a file pypdf cannot parse, one too large a graph of objects to walk (`MAX_OBJECTS`), one
  with many objects listed at the wrong place (`MAX_REPAIRS`: pypdf searches the whole file for
  each) or with more than `MAX_OBJECT_STREAM_BYTES` of object streams;
- an encrypted file, even with an empty user password (a viewer opens it silently, and what is
  inside can only be read after decryption);
- wherever it sits, an action dictionary of a refused type (`REFUSED_ACTIONS`: JavaScript,
  Launch, URI, SubmitForm, ImportData, GoToR, GoToE, RichMediaExecute) or a `/JS` entry: the
  catalog's OpenAction, `/AA` additional actions of the document, pages, annotations and form
  fields, link annotations, `/Next` chains, the Names tree;
- a `/JavaScript` name tree, embedded files (`/EmbeddedFiles`, `/EF`, `/Type /EmbeddedFile`,
  file-attachment and rich-media annotations) and XFA forms (`/XFA`, which carry scripts).

"Wherever it sits" means every object the cross-reference lists (compressed ones included) and
every object reachable from the trailer, not only what a viewer would open first. As a second
line, the names inside every object stream, and the whole file's bytes, are searched for the
long refused names (`/JavaScript`, `/Launch`, `/EmbeddedFile(s)`) with `#xx` escapes decoded,
so an object a damaged cross-reference leaves out is still seen.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from core.uploads.errors import UploadRefused

# Objects (dictionaries and arrays) walked at most; a 300-page printed report has a few thousand.
MAX_OBJECTS = 200_000
# Objects listed at a wrong offset that pypdf may look for (each look reads the whole file).
MAX_REPAIRS = 50
# Decoded bytes of object streams in all; pypdf caps one stream at 75 MB.
MAX_OBJECT_STREAM_BYTES = 128 * 1024 * 1024
OBJECT_HEADER = re.compile(rb"[\x00\t\n\f\r ]*(\d+)[\x00\t\n\f\r ]+(\d+)[\x00\t\n\f\r ]+obj")

JAVASCRIPT = "javascript"
LAUNCH = "launch"
LINK = "link"
FORM_DATA = "form-data"
OTHER_FILE = "other-file"
EMBEDDED = "embedded"
XFA = "xfa"

REFUSED_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/URI": LINK,
    "/SubmitForm": FORM_DATA,
    "/ImportData": FORM_DATA,
    "/GoToR": OTHER_FILE,
    "/GoToE": EMBEDDED,
    "/RichMediaExecute": JAVASCRIPT,
}
REFUSED_KEYS = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/EmbeddedFiles": EMBEDDED,
    "/EF": EMBEDDED,
    "/XFA": XFA,
}
REFUSED_TYPES = {"/EmbeddedFile": EMBEDDED}
REFUSED_ANNOTATIONS = {"/FileAttachment": EMBEDDED, "/RichMedia": EMBEDDED}
# Names searched for in raw bytes: long enough never to turn up by chance in compressed data.
RAW_NAMES = {
    b"JavaScript": JAVASCRIPT,
    b"Launch": LAUNCH,
    b"EmbeddedFile": EMBEDDED,
    b"EmbeddedFiles": EMBEDDED,
}
RAW_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]{6,60})(?=[\s/<>\[\]()%{}]|$)")

WHAT = {
    JAVASCRIPT: gettext_lazy("JavaScript"),
    LAUNCH: gettext_lazy("an action that starts a program"),
    LINK: gettext_lazy("a link to a web address"),
    FORM_DATA: gettext_lazy("a form that sends or imports data"),
    OTHER_FILE: gettext_lazy("a link that opens another file"),
    EMBEDDED: gettext_lazy("files embedded in it"),
    XFA: gettext_lazy("an XFA form (forms of this kind run scripts)"),
}

# pypdf reports every repair it makes on a damaged file; one refused upload is not worth a log line each.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _unescape(name: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda escape: bytes([int(escape[1], 16)]), name)


def _raw_finding(data: bytes) -> str | None:
    for match in RAW_NAME.finditer(data):
        finding = RAW_NAMES.get(_unescape(match[1]))
        if finding:
            return finding
    return None


class _TooComplex(Exception):
    pass


class _Unreadable(Exception):
    pass


class _Walker:
    """Resolves references the cheap way only, and walks every object once.

    pypdf, asked for an object the cross-reference does not list or lists at the wrong offset,
    searches the whole file for it: a few thousand such references in a padded 8 MB file kept
    it busy for minutes. So only listed objects are resolved (an unlisted one is what a viewer
    reads as null; the byte scan still sees it), an offset is checked before pypdf reads there,
    and a file with more than MAX_REPAIRS misplaced objects is refused as damaged. Object streams
    are decoded at most MAX_OBJECT_STREAM_BYTES in all.
    """

    def __init__(self, reader: PdfReader, data: bytes) -> None:
        self.reader = reader
        self.data = data
        self.offsets = {
            (number, generation): offset
            for generation, numbers in reader.xref.items()
            for number, offset in numbers.items()
        }
        self.compressed = {(number, 0) for number in reader.xref_objStm}
        self.repairs = 0
        self.decoded = 0
        self.counted: set[int] = set()  # object streams already counted (pypdf caches each one)

    def resolve(self, reference: IndirectObject):
        key = (reference.idnum, reference.generation)
        if key in self.compressed:
            stream_number = self.reader.xref_objStm[reference.idnum][0]
            self.object_stream(self.resolve(IndirectObject(stream_number, 0, self.reader)))
            return reference.get_object()
        if key not in self.offsets:
            return None
        header = OBJECT_HEADER.match(self.data, self.offsets[key] or 0)
        if header is None or (int(header[1]), int(header[2])) != key:
            self.repairs += 1
            if self.repairs > MAX_REPAIRS:
                raise _Unreadable
        return reference.get_object()

    def object_stream(self, stream) -> bytes:
        """The decoded content of an object stream, counted against the budget (once per stream)."""
        if not isinstance(stream, StreamObject):
            raise _Unreadable
        if id(stream) not in self.counted:
            self.counted.add(id(stream))
            self.decoded += len(stream.get_data())
            if self.decoded > MAX_OBJECT_STREAM_BYTES:
                raise _TooComplex
        return stream.get_data()

    def value(self, dictionary: DictionaryObject, key: str):
        item = dict.get(dictionary, key)
        return self.resolve(item) if isinstance(item, IndirectObject) else item

    def judge(self, dictionary: DictionaryObject) -> str | None:
        """What this one dictionary carries that is refused, or None."""
        for key, finding in REFUSED_KEYS.items():
            if key in dictionary:
                return finding
        for key, refused in (
            ("/S", REFUSED_ACTIONS),
            ("/Type", REFUSED_TYPES),
            ("/Subtype", REFUSED_ANNOTATIONS),
        ):
            value = self.value(dictionary, key)
            if isinstance(value, str) and value in refused:
                return refused[value]
        return None

    def walk(self) -> str | None:
        """Every listed and every reachable object, each once; the first finding or None."""
        pending: list = [self.reader.trailer]
        pending.extend(IndirectObject(number, generation, self.reader) for number, generation in self.offsets)
        pending.extend(
            IndirectObject(number, generation, self.reader) for number, generation in self.compressed
        )
        resolved: set[tuple[int, int]] = set()
        walked = 0
        while pending:
            item = pending.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in resolved:
                    continue
                resolved.add(key)
                item = self.resolve(item)
            if isinstance(item, DictionaryObject):
                finding = self.judge(item)
                if not finding and isinstance(item, StreamObject) and self.value(item, "/Type") == "/ObjStm":
                    finding = _raw_finding(self.object_stream(item))
                if finding:
                    return finding
                pending.extend(dict.values(item))
            elif isinstance(item, ArrayObject):
                pending.extend(list.__iter__(item))
            else:
                continue
            walked += 1
            if walked > MAX_OBJECTS:
                raise _TooComplex
        return None


def check_pdf(upload, *, name: str) -> None:
    """Refuse a PDF that is damaged, encrypted, or carries anything active (see the module docstring).

    Raises UploadRefused naming the file and what was found. Leaves `upload` rewound.
    """
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        finding = _parse_and_walk(data, name=name) or _raw_finding(data)
    except _Unreadable:
        # A damaged file that names a script in clear says so rather than "damaged".
        finding = _raw_finding(data)
        if not finding:
            raise UploadRefused(
                _(
                    "“%(name)s” cannot be read as a PDF: the file is damaged or not built as the PDF "
                    "format requires. Open it and save or print it to PDF again, then upload that copy."
                )
                % {"name": name},
                code="pdf_unreadable",
            ) from None
    if finding:
        raise UploadRefused(
            _(
                "“%(name)s” contains %(what)s, which files uploaded here may not carry. Print it to PDF "
                "again (or scan the paper copy) and upload that file."
            )
            % {"name": name, "what": WHAT[finding]},
            code="pdf_active",
        )


def _parse_and_walk(data: bytes, *, name: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every repair it makes
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise UploadRefused(
                    _(
                        "“%(name)s” is encrypted or protected with a password. Remove the protection "
                        "(or print it to PDF again) and upload that copy."
                    )
                    % {"name": name},
                    code="pdf_encrypted",
                )
            return _Walker(reader, data).walk()
    except UploadRefused:
        raise
    except _TooComplex:
        raise UploadRefused(
            _(
                "“%(name)s” is built from more than %(max)s objects, far more than a scanned or printed "
                "document. Print it to PDF again and upload that copy."
            )
            % {"name": name, "max": MAX_OBJECTS},
            code="pdf_too_complex",
        ) from None
    except (Exception, RecursionError):  # noqa: BLE001 - pypdf raises many kinds of error for a damaged file
        raise _Unreadable from None

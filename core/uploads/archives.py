"""ZIP archives, and the Office files (.docx, .xlsx) built on them, checked before anything parses them.

Two layers, both reading the archive's central directory and a few small XML parts only:

- `open_checked_zip` refuses an archive that would cost the server more than it is worth: too
  many members, one member unpacking past a size or a compression-ratio limit, or all of them
  together past a total. Python's zipfile never inflates a member past the size the directory
  declares (it stops there and reports a CRC error), so checking the declared sizes bounds the
  work of every later reader, openpyxl included.
- `check_office_file` then reads `[Content_Types].xml` and every `.rels` part and refuses, by
  content and never by the file's name: macros (a VBA project part, a macro-enabled content type),
  embedded objects (OLE objects, embedded packages, ActiveX controls, alternative-format chunks,
  an OLE compound file hidden under any name) and every relationship with `TargetMode="External"`
  (a remote template, a linked picture or frame, a web link). What is left must be a Word
  document or an Excel workbook by the content type of its main part.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.uploads.errors import UploadRefused

MEGABYTE = 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The .rels and [Content_Types].xml parts are parsed whole; real ones are a few kilobytes (a
# document with thousands of links: a few hundred). Together they may not pass the second figure,
# so that thousands of small parts cannot make the check itself expensive.
XML_PART_MAX_BYTES = 4 * MEGABYTE
XML_PARTS_MAX_TOTAL_BYTES = 8 * MEGABYTE

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAIN_PART_KINDS = {WORD_MAIN: "docx", EXCEL_MAIN: "xlsx"}

# Lower-cased pieces of content types and the last segment of relationship types. Transitional
# and Strict OOXML spell relationship types with different prefixes and the same last segment.
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata")
MACRO_RELATIONSHIPS = frozenset({"vbaproject", "wordvbadata"})
MACRO_PART_NAMES = frozenset({"vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml"})
EMBEDDED_CONTENT_TYPES = ("oleobject", "activex")
EMBEDDED_RELATIONSHIPS = frozenset({"oleobject", "package", "control", "activexcontrolbinary", "afchunk"})
EMBEDDED_FOLDERS = frozenset({"embeddings", "activex"})
OFFICE_DOCUMENT_RELATIONSHIP = "officedocument"


@dataclass(frozen=True)
class ZipLimits:
    """What one archive may unpack to. A member smaller than `ratio_floor_bytes` is never a bomb:
    styles and shared formulas compress very well and are small."""

    max_members: int = 2_000
    max_member_bytes: int = 100 * MEGABYTE
    max_total_bytes: int = 200 * MEGABYTE
    max_ratio: int = 100
    ratio_floor_bytes: int = MEGABYTE


# Evidence, dossier documents: a real .docx or .xlsx has tens of members and compresses 3-20x.
UPLOAD_ZIP_LIMITS = ZipLimits()


def _damaged(name: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” looks like an Office file but is damaged and cannot be opened.") % {"name": name},
        code="damaged",
    )


def _megabytes(size: int) -> str:
    return number_format(size / MEGABYTE, decimal_pos=1)


def open_checked_zip(upload, *, name: str, limits: ZipLimits = UPLOAD_ZIP_LIMITS) -> zipfile.ZipFile:
    """Open `upload` (a seekable binary file) as a ZIP archive whose members stay within `limits`.

    Raises UploadRefused naming the file and the limit it passed. The caller closes the archive.
    """
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _damaged(name) from None
    try:
        _check_members(archive.infolist(), name=name, limits=limits)
    except UploadRefused:
        archive.close()
        raise
    return archive


def _check_members(members: list[zipfile.ZipInfo], *, name: str, limits: ZipLimits) -> None:
    if len(members) > limits.max_members:
        raise UploadRefused(
            _(
                "“%(name)s” is made of %(count)s parts; files accepted here have at most %(max)s. "
                "Save it again from Excel or Word and upload that copy."
            )
            % {"name": name, "count": len(members), "max": limits.max_members},
            code="zip_limit",
        )
    seen: set[str] = set()
    total = 0
    for member in members:
        key = member.filename.lower()
        if key in seen:  # two parts of one name: readers would disagree on which one counts
            raise _damaged(name)
        seen.add(key)
        if member.flag_bits & 0x1:
            raise UploadRefused(
                _("“%(name)s” is protected with a password. Remove the protection and upload it again.")
                % {"name": name},
                code="encrypted",
            )
        if member.file_size > limits.max_member_bytes:
            raise UploadRefused(
                _(
                    "“%(name)s” has a part that unpacks to %(size)s MB; one part may unpack to at most "
                    "%(max)s MB. Split the file or save it again, and upload that copy."
                )
                % {
                    "name": name,
                    "size": _megabytes(member.file_size),
                    "max": limits.max_member_bytes // MEGABYTE,
                },
                code="zip_limit",
            )
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise UploadRefused(
                _(
                    "“%(name)s” has a part packed %(ratio)s times smaller than its content (at most "
                    "%(max)s times is accepted): archives built like this are used to harm servers. "
                    "Save it again from Excel or Word and upload that copy."
                )
                % {"name": name, "ratio": ratio, "max": limits.max_ratio},
                code="zip_limit",
            )
        total += member.file_size
    if total > limits.max_total_bytes:
        raise UploadRefused(
            _(
                "“%(name)s” would unpack to %(size)s MB; files accepted here unpack to at most %(max)s MB. "
                "Save it again from Excel or Word and upload that copy."
            )
            % {"name": name, "size": _megabytes(total), "max": limits.max_total_bytes // MEGABYTE},
            code="zip_limit",
        )


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, name: str, size: int) -> bytes:
    """Up to `size` bytes of a member; a damaged or unreadable member refuses the file."""
    try:
        with archive.open(member) as handle:
            return handle.read(size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise _damaged(name) from None


def _parse_xml_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, name: str) -> ElementTree.Element:
    """A package part we read ourselves. OOXML parts never declare a DTD: one that does is refused."""
    if member.file_size > XML_PART_MAX_BYTES:
        raise _damaged(name)
    data = _read_member(archive, member, name=name, size=XML_PART_MAX_BYTES + 1)
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise _damaged(name)
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DTD (refused above), so no entity tricks
    except ElementTree.ParseError:
        raise _damaged(name) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _part_key(part_name: str) -> str:
    """Part names compare without case and without the leading slash ("/word/document.xml")."""
    return part_name.lstrip("/").lower()


def _content_types(root: ElementTree.Element) -> tuple[dict[str, str], dict[str, str]]:
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in root:
        content_type = (element.get("ContentType") or "").lower()
        if _local(element.tag) == "Default":
            defaults[(element.get("Extension") or "").lower()] = content_type
        elif _local(element.tag) == "Override":
            overrides[_part_key(element.get("PartName") or "")] = content_type
    return defaults, overrides


def part_content_types(archive: zipfile.ZipFile, *, name: str) -> dict[str, str]:
    """Each member's content type (lower-cased), by part name without case or leading slash.

    Readers find parts by content type, not by name (openpyxl does), so a limit on one kind of
    part has to find them the same way.
    """
    members = {_part_key(member.filename): member for member in archive.infolist() if not member.is_dir()}
    if "[content_types].xml" not in members:
        return {}
    defaults, overrides = _content_types(_parse_xml_part(archive, members["[content_types].xml"], name=name))
    return {key: _content_type_of(key, defaults, overrides) for key in members}


def _content_type_of(key: str, defaults: dict[str, str], overrides: dict[str, str]) -> str:
    if key in overrides:
        return overrides[key]
    return defaults.get(posixpath.splitext(key)[1].lstrip("."), "")


def _refuse_macros(name: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” contains macros. Save it as a plain .xlsx or .docx file and upload that copy.")
        % {"name": name},
        code="macros",
    )


def _refuse_embedded(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” contains embedded objects (OLE objects, ActiveX controls or other files inside "
            "it). Remove them, or save the document as PDF, and upload that copy."
        )
        % {"name": name},
        code="embedded",
    )


def _refuse_external(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "“%(name)s” refers to content outside the file (a remote template, a linked picture or a "
            "web link), which opens a connection when the file is opened. Remove the links, or save "
            "the document as PDF, and upload that copy."
        )
        % {"name": name},
        code="external",
    )


@dataclass
class _Relationship:
    source: str  # the .rels part it was read from
    kind: str  # last segment of the type, lower-cased
    target: str
    is_external: bool


def _relationships(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, name: str) -> list[_Relationship]:
    return [
        _Relationship(
            source=member.filename,
            kind=(element.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower(),
            target=element.get("Target") or "",
            is_external=(element.get("TargetMode") or "").strip().lower() == "external",
        )
        for element in _parse_xml_part(archive, member, name=name)
        if _local(element.tag) == "Relationship"
    ]


def _judge_parts(archive: zipfile.ZipFile, defaults, overrides, *, name: str) -> None:
    """Macros, then embedded objects, found by part name, content type or first bytes."""
    embedded = False
    for member in archive.infolist():
        if member.is_dir():
            continue
        key = _part_key(member.filename)
        content_type = _content_type_of(key, defaults, overrides)
        if posixpath.basename(key) in MACRO_PART_NAMES or any(
            marker in content_type for marker in MACRO_CONTENT_TYPES
        ):
            raise _refuse_macros(name)
        folders = set(posixpath.dirname(key).split("/"))
        if folders & EMBEDDED_FOLDERS or any(marker in content_type for marker in EMBEDDED_CONTENT_TYPES):
            embedded = True
        elif not key.endswith((".xml", ".rels")) and member.file_size >= len(OLE_SIGNATURE):
            # An OLE compound file is an embedded object (or a macro store) whatever it is called.
            embedded = embedded or _read_member(archive, member, name=name, size=8) == OLE_SIGNATURE
    if embedded:
        raise _refuse_embedded(name)


def _check_package_size(members: dict[str, zipfile.ZipInfo], *, name: str) -> None:
    package = sum(
        member.file_size
        for key, member in members.items()
        if key.endswith(".rels") or key == "[content_types].xml"
    )
    if package > XML_PARTS_MAX_TOTAL_BYTES:
        raise UploadRefused(
            _(
                "“%(name)s” is built unusually: the links between its parts take %(size)s MB, where a "
                "real Word or Excel file needs a few kilobytes. Save it again from Excel or Word and "
                "upload that copy."
            )
            % {"name": name, "size": _megabytes(package)},
            code="zip_limit",
        )


def check_office_file(upload, *, name: str, limits: ZipLimits = UPLOAD_ZIP_LIMITS) -> str:
    """The kind ("docx" or "xlsx") of an Office file, after every check of this module.

    Raises UploadRefused naming the file and what was wrong: a limit of `limits`, macros,
    embedded objects, external relationships, damage, or a ZIP that is no Word or Excel file.
    Leaves `upload` rewound.
    """
    not_office = UploadRefused(
        _(
            "“%(name)s” is a ZIP archive but not a Word (.docx) or Excel (.xlsx) file. "
            "Upload PDF, images, .xlsx or .docx files."
        )
        % {"name": name},
        code="not_office",
    )
    with open_checked_zip(upload, name=name, limits=limits) as archive:
        members = {_part_key(member.filename): member for member in archive.infolist()}
        _check_package_size(members, name=name)
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        if "[content_types].xml" in members:
            types = _parse_xml_part(archive, members["[content_types].xml"], name=name)
            defaults, overrides = _content_types(types)
        _judge_parts(archive, defaults, overrides, name=name)
        if "[content_types].xml" not in members or "_rels/.rels" not in members:
            raise not_office
        relationships = [
            relationship
            for key, member in members.items()
            if key.endswith(".rels")
            for relationship in _relationships(archive, member, name=name)
        ]
    upload.seek(0)
    if any(relationship.kind in MACRO_RELATIONSHIPS for relationship in relationships):
        raise _refuse_macros(name)
    if any(relationship.kind in EMBEDDED_RELATIONSHIPS for relationship in relationships):
        raise _refuse_embedded(name)
    if any(relationship.is_external for relationship in relationships):
        raise _refuse_external(name)
    main_parts = [
        _part_key(posixpath.normpath(relationship.target.lstrip("/")))
        for relationship in relationships
        if relationship.source.lower() == "_rels/.rels" and relationship.kind == OFFICE_DOCUMENT_RELATIONSHIP
    ]
    if len(main_parts) != 1 or main_parts[0] not in members:
        raise not_office
    content_type = _content_type_of(main_parts[0], defaults, overrides)
    if any(marker in content_type for marker in MACRO_CONTENT_TYPES):
        raise _refuse_macros(name)
    if content_type not in MAIN_PART_KINDS:
        raise not_office
    return MAIN_PART_KINDS[content_type]

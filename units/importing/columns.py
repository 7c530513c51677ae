"""The file format of the unit and staff imports: columns, Vietnamese choice words, limits, errors."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.enums import Gender, Position, UnitKind
from units.models import Staff, Unit
from units.text import fold

if TYPE_CHECKING:
    from units.importing.checking import Preview

DATE_FORMAT = "%d/%m/%Y"


class ImportKind(models.TextChoices):
    UNITS = "units", gettext_lazy("Units")
    STAFF = "staff", gettext_lazy("Staff")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (UTF-8)"


class RowAction(models.TextChoices):
    CREATE = "create", gettext_lazy("New")
    UPDATE = "update", gettext_lazy("Changed")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")


class ImportFileError(Exception):
    """The file as a whole cannot be used (damaged, empty, wrong encoding); the message says why."""


class ImportRejected(Exception):
    """The rows did not pass the checks when the import was confirmed; nothing was written."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(_("The file has problems; nothing was imported."))
        self.preview = preview


class ImportFailed(Exception):
    """The database refused a row while applying (a concurrent change); nothing was written."""


# --- Columns ----------------------------------------------------------------------------------

TEXT, CODE, DATE, BOOL, CHOICE, EMAIL = "text", "code", "date", "bool", "choice", "email"


@dataclass(frozen=True)
class Column:
    """One column of the file: its key, its Vietnamese header (fixed: it is the file format)."""

    key: str
    header: str
    help: str | Promise
    type: str = TEXT
    required: bool = False
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def accepted_names(self) -> frozenset[str]:
        """Every spelling of the header that is accepted, normalised."""
        names = [self.header, self.key, *self.aliases]
        return frozenset(normalise_header(name) for name in names)


def normalise_header(text: str) -> str:
    """Lower case, no diacritics, no notes in brackets, no asterisks.

    "Ngày sinh (dd/mm/yyyy)*" -> "ngay sinh".
    """
    text = re.sub(r"\(.*?\)", " ", text or "")
    for char in "*_-:.":
        text = text.replace(char, " ")
    return fold(text)


def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã đơn vị",
        gettext_lazy("Unique code of the unit. A new code creates a unit, a known code updates it."),
        type=CODE,
        required=True,
        max_length=_max_length(Unit, "code"),
    ),
    Column("name", "Tên đơn vị", gettext_lazy("Full name of the unit."), required=True, max_length=255),
    Column(
        "short_name", "Tên viết tắt", gettext_lazy("Short name."), max_length=_max_length(Unit, "short_name")
    ),
    Column(
        "kind",
        "Loại",
        gettext_lazy("Kind of unit: the name shown in the list below or its code. Required for a new unit."),
        type=CHOICE,
        aliases=("Loại đơn vị",),
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        gettext_lazy(
            "Code of the unit above it: a unit already in the system or one in this file, in any row. "
            "Empty for a top-level unit."
        ),
        type=CODE,
        max_length=_max_length(Unit, "code"),
        aliases=("parent",),
    ),
    Column(
        "is_legal_entity",
        "Pháp nhân",
        gettext_lazy("Legal entity: có or không (x or empty also work)."),
        type=BOOL,
    ),
    Column("valid_from", "Hiệu lực từ", gettext_lazy("Valid from, as dd/mm/yyyy."), type=DATE),
    Column(
        "valid_to",
        "Hiệu lực đến",
        gettext_lazy("Valid until, as dd/mm/yyyy. Empty while the unit exists."),
        type=DATE,
    ),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column(
        "staff_code",
        "Mã cán bộ",
        gettext_lazy("Unique staff code. A new code creates a staff record, a known code updates it."),
        type=CODE,
        required=True,
        max_length=_max_length(Staff, "staff_code"),
    ),
    Column(
        "full_name",
        "Họ và tên",
        gettext_lazy("Full name."),
        required=True,
        max_length=_max_length(Staff, "full_name"),
        aliases=("Họ tên",),
    ),
    Column("gender", "Giới tính", gettext_lazy("Nam or Nữ. Required for a new staff member."), type=CHOICE),
    Column("date_of_birth", "Ngày sinh", gettext_lazy("Date of birth, as dd/mm/yyyy."), type=DATE),
    Column("is_party_member", "Đảng viên", gettext_lazy("Party member: có or không."), type=BOOL),
    Column(
        "position",
        "Chức vụ",
        gettext_lazy("Position: the name shown in the list below or its code. Civil servant when empty."),
        type=CHOICE,
    ),
    Column(
        "unit_code",
        "Mã đơn vị",
        gettext_lazy("Code of the unit the person works in; it must already exist."),
        type=CODE,
        required=True,
        max_length=_max_length(Unit, "code"),
    ),
    Column(
        "email",
        "Email",
        gettext_lazy("Work email address."),
        type=EMAIL,
        max_length=254,
        aliases=("Thư điện tử",),
    ),
    Column(
        "start_date",
        "Ngày bắt đầu công tác",
        gettext_lazy(
            "First day in the unit, as dd/mm/yyyy; today when empty. "
            "Used for new staff and when a person changes unit."
        ),
        type=DATE,
    ),
)

COLUMNS = {ImportKind.UNITS: UNIT_COLUMNS, ImportKind.STAFF: STAFF_COLUMNS}


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS[ImportKind(kind)]


# Vietnamese words of the file format for the choice columns. The first word of each is what an
# export writes; imports also accept the stored value and the label in every site language, so the
# format does not depend on the translation catalogue.
UNIT_KIND_WORDS: dict[str, tuple[str, ...]] = {
    UnitKind.DEPARTMENT: ("Cục Hải quan", "Cơ quan Cục"),
    UnitKind.HQ_UNIT: ("Đơn vị thuộc cơ quan Cục", "Đơn vị cơ quan Cục"),
    UnitKind.REGIONAL_BRANCH: ("Chi cục Hải quan khu vực", "Chi cục"),
    UnitKind.OFFICE: ("Phòng/Đội", "Phòng", "Đội"),
    UnitKind.BORDER_OFFICE: ("Hải quan cửa khẩu", "Cửa khẩu"),
}
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    Gender.FEMALE: ("Nữ", "F"),
    Gender.MALE: ("Nam", "M"),
}
POSITION_WORDS: dict[str, tuple[str, ...]] = {
    Position.DIRECTOR: ("Cục trưởng", "Chi cục trưởng", "Giám đốc", "Thủ trưởng"),
    Position.DEPUTY_DIRECTOR: ("Phó Cục trưởng", "Phó Chi cục trưởng", "Phó Giám đốc", "Phó Thủ trưởng"),
    Position.HEAD: ("Trưởng phòng", "Đội trưởng", "Trưởng ban", "Trưởng đơn vị"),
    Position.DEPUTY_HEAD: ("Phó Trưởng phòng", "Phó Đội trưởng", "Phó Trưởng ban", "Phó Trưởng đơn vị"),
    Position.OFFICER: ("Công chức",),
    Position.EMPLOYEE: ("Nhân viên", "Người lao động"),
}
CHOICES: dict[str, tuple[type[models.TextChoices], dict[str, tuple[str, ...]]]] = {
    "kind": (UnitKind, UNIT_KIND_WORDS),
    "gender": (Gender, GENDER_WORDS),
    "position": (Position, POSITION_WORDS),
}
YES_WORDS = frozenset({"co", "x", "true", "1", "yes", "y", "dung"})
NO_WORDS = frozenset({"", "khong", "false", "0", "no", "n", "sai"})
YES, NO = "có", "không"


@functools.cache
def choice_lookup(key: str) -> dict[str, str]:
    """Normalised spelling -> stored value, for a choice column (labels in every site language)."""
    enum, words = CHOICES[key]
    lookup: dict[str, str] = {}
    for value, label in enum.choices:
        spellings = [value, value.replace("_", " "), *words.get(value, ())]
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                spellings.append(str(label))
        for spelling in spellings:
            lookup.setdefault(fold(spelling), value)
    return lookup


def choice_word(key: str, value: str) -> str:
    """The Vietnamese word an export writes for a stored choice value."""
    _enum, words = CHOICES[key]
    return words[value][0] if value in words else value


def allowed_words(key: str) -> list[str]:
    """The preferred spelling of every choice of a column, for the help text and error messages."""
    enum, words = CHOICES[key]
    return [words[value][0] for value in enum.values]

"""The facts the eligibility engine reads: frozen dataclasses, no database, no Django models.

A loader service turns database rows into these objects; the engine (awards.eligibility.engine) turns
them into verdicts. Every value is a plain string, number or date, so the facts are easy to build in
tests and cheap to build for thousands of staff.

Vocabulary (the values equal those of awards.enums and emulation.enums.Title, checked by a test):

- ratings: "excellent" > "good" > "completed" > "not_completed" (Decree 90/2020 as amended);
- discipline levels, mildest first: "reprimand" < "warning" < "demotion" < "dismissal";
- initiative levels, lowest first: "unit" < "ministry" < "national";
- open reviews: "discipline_review", "investigation", "inspection", "complaint";
- award codes: see `Code` below.

Conventions the loader must follow (each is a decision documented here once):

- A `PersonYear` or `UnitYear` describes one calendar year. A year with no record is treated as a
  year with no rating, no titles and no months worked.
- `PersonYear.months_worked` counts the months actually worked and does NOT include maternity leave;
  maternity leave goes in `maternity_leave_months` and always counts as worked (Decree 152/2025
  Art. 4(5)). Short training that the Ministry of Finance counts as working time (Circular 79/2023)
  belongs in `months_worked`.
- Disciplines live on the history, not on a year, because one measure can span several years. A
  discipline "is in" year Y when its period (start to end, or open-ended) overlaps Y.
- Open reviews are the matters open at the time of judgement (not per year): while one is open no
  award can be given or proposed (rule 13).
- `HeldTitle` lists the titles and forms actually conferred for that year (award records, not
  eligibility). `used_for` names awards that already counted this title as a prerequisite (rule 3:
  "a run used for one award does not count again"); the engine also derives this from higher
  awards held, so the loader only fills it for cases it cannot see (for example a paper record).
- Unit member counts (`members_with_ldtt`, `members_with_cstdcs`, …) are the members who hold or
  qualify for the title in that year; the loader may compute them by running the engine on the
  unit's staff first.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

RATINGS = ("excellent", "good", "completed", "not_completed")
RATING_RANK = {"not_completed": 0, "completed": 1, "good": 2, "excellent": 3}
NOT_COMPLETED = "not_completed"
EXCELLENT = "excellent"

DISCIPLINE_LEVELS = ("reprimand", "warning", "demotion", "dismissal")
DISCIPLINE_RANK = {level: rank for rank, level in enumerate(DISCIPLINE_LEVELS)}

INITIATIVE_LEVELS = ("unit", "ministry", "national")
INITIATIVE_RANK = {level: rank for rank, level in enumerate(INITIATIVE_LEVELS)}

REVIEW_KINDS = ("discipline_review", "investigation", "inspection", "complaint")

GENDERS = ("female", "male")

DOCUMENTS = (
    "proposal",
    "achievement_report",
    "minutes",
    "vote_result",
    "initiative_proof",
    "rating_proof",
)


class Code(StrEnum):
    """Award codes: the emulation titles (shared with emulation.enums.Title) and the forms."""

    # Individual emulation titles, lowest first.
    LDTT = "LDTT"
    CSTDCS = "CSTDCS"
    CSTD_BO = "CSTD_BO"
    CSTD_TQ = "CSTD_TQ"
    # Collective emulation titles, lowest first.
    TTLDTT = "TTLDTT"
    TTLDXS = "TTLDXS"
    CO_BO = "CO_BO"
    CO_CP = "CO_CP"
    # Commendation forms (for a person or a unit).
    GK = "GK"  # Giấy khen, certificate of commendation of a unit head
    BK_BO = "BK_BO"  # Bằng khen of the Minister of Finance
    BK_TTG = "BK_TTG"  # Bằng khen of the Prime Minister
    HCLD3 = "HCLD3"  # Labour Order, third class
    HCLD2 = "HCLD2"  # Labour Order, second class
    HCLD1 = "HCLD1"  # Labour Order, first class
    KNC = "KNC"  # Kỷ niệm chương, commemorative medal


INDIVIDUAL_TITLES = (Code.LDTT, Code.CSTDCS, Code.CSTD_BO, Code.CSTD_TQ)
COLLECTIVE_TITLES = (Code.TTLDTT, Code.TTLDXS, Code.CO_BO, Code.CO_CP)
EMULATION_TITLES = INDIVIDUAL_TITLES + COLLECTIVE_TITLES
COMMENDATION_FORMS = (Code.GK, Code.BK_BO, Code.BK_TTG, Code.HCLD3, Code.HCLD2, Code.HCLD1, Code.KNC)
ALL_CODES = EMULATION_TITLES + COMMENDATION_FORMS
# Each ladder, lowest first: registering for a title also registers for the ones below it (rule 20).
LADDERS = (INDIVIDUAL_TITLES, COLLECTIVE_TITLES)


def _check_choice(value: str | None, choices: tuple[str, ...], what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(choices)}")


def _check_count(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a whole number ≥ 0, not {value!r}")


def _frozen_years(owner: object, years: Mapping[int, object]) -> None:
    for key, item in years.items():
        if key != item.year:  # type: ignore[attr-defined]
            raise ValueError(f"year {key} holds the record of {item.year}")  # type: ignore[attr-defined]
    object.__setattr__(owner, "years", MappingProxyType(dict(years)))


@dataclass(frozen=True)
class DisciplineFact:
    """A disciplinary measure in force from `start` to `end` (None: not ended yet)."""

    level: str
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        _check_choice(self.level, DISCIPLINE_LEVELS, "discipline level")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"discipline ends ({self.end}) before it starts ({self.start})")

    def overlaps(self, year: int) -> bool:
        """True when the measure was in force on at least one day of `year`."""
        return self.start <= date(year, 12, 31) and (self.end is None or self.end >= date(year, 1, 1))


@dataclass(frozen=True)
class InitiativeFact:
    """A recognised initiative, or an accepted science work when `is_science_work` is set."""

    level: str
    recognised_on: date
    has_nationwide_effect: bool = False
    is_science_work: bool = False

    def __post_init__(self) -> None:
        _check_choice(self.level, INITIATIVE_LEVELS, "initiative level")

    def at_least(self, level: str) -> bool:
        return INITIATIVE_RANK[self.level] >= INITIATIVE_RANK[level]

    @property
    def is_nationwide(self) -> bool:
        """Nationwide effect: flagged so, or recognised at national level."""
        return self.has_nationwide_effect or self.level == "national"


@dataclass(frozen=True)
class HeldTitle:
    """A title or form conferred for a year.

    `ad_hoc` (đột xuất) and `thematic` (chuyên đề) awards never count as prerequisites (rule 14).
    `used_for` lists award codes that already counted this title as a prerequisite (rule 3).
    """

    code: str
    ad_hoc: bool = False
    thematic: bool = False
    used_for: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_choice(self.code, ALL_CODES, "award code")
        object.__setattr__(self, "used_for", frozenset(self.used_for))


@dataclass(frozen=True)
class PersonYear:
    """What is known about a staff member for one calendar year.

    `months_worked` excludes maternity leave, which goes in `maternity_leave_months` (both 0–12).
    `initiatives` are those recognised in this year (their dates must fall in it).
    `registered_titles` are the codes the person registered (pledged) for this year (rule 20).
    """

    year: int
    rating: str | None = None
    months_worked: int = 12
    maternity_leave_months: int = 0
    initiatives: tuple[InitiativeFact, ...] = ()
    titles: tuple[HeldTitle, ...] = ()
    registered_titles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_choice(self.rating, RATINGS, "rating", optional=True)
        for value, what in (
            (self.months_worked, "months worked"),
            (self.maternity_leave_months, "maternity"),
        ):
            _check_count(value, what)
            if value > 12:
                raise ValueError(f"{what} cannot exceed 12, not {value}")
        for initiative in self.initiatives:
            if initiative.recognised_on.year != self.year:
                raise ValueError(
                    f"an initiative recognised on {initiative.recognised_on} is not in {self.year}"
                )
        object.__setattr__(self, "initiatives", tuple(self.initiatives))
        object.__setattr__(self, "titles", tuple(self.titles))
        object.__setattr__(self, "registered_titles", frozenset(self.registered_titles))

    @property
    def months_counted(self) -> int:
        """Months worked, maternity leave included, at most 12."""
        return min(12, self.months_worked + self.maternity_leave_months)


@dataclass(frozen=True)
class PersonHistory:
    """A staff member: the yearly records, every discipline, and the reviews open now."""

    staff_id: Hashable
    gender: str | None = None
    unit_id: Hashable | None = None
    years: Mapping[int, PersonYear] = field(default_factory=dict)
    disciplines: tuple[DisciplineFact, ...] = ()
    open_reviews: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_choice(self.gender, GENDERS, "gender", optional=True)
        for kind in self.open_reviews:
            _check_choice(kind, REVIEW_KINDS, "review kind")
        _frozen_years(self, self.years)
        object.__setattr__(self, "disciplines", tuple(self.disciplines))
        object.__setattr__(self, "open_reviews", frozenset(self.open_reviews))

    def year(self, year: int) -> PersonYear:
        """The record of `year`, or an empty one (no rating, nothing held, no months worked)."""
        return self.years.get(year) or PersonYear(year=year, months_worked=0)


@dataclass(frozen=True)
class UnitYear:
    """What is known about a unit for one calendar year.

    `disciplined_member_levels` holds, for each member disciplined in the year, that member's most
    severe level (so the engine can apply the level thresholds of rules 6 and 7).
    `ranking_position` is the final position in its cluster or block (1 = first), `cluster_id` the
    cluster of that ranking; `all_targets_met` says every task-area target was met or exceeded.
    """

    year: int
    rating: str | None = None
    members: int = 0
    members_at_least_completed: int = 0
    members_with_ldtt: int = 0
    members_with_cstdcs: int = 0
    women_members: int = 0
    disciplined_member_levels: tuple[str, ...] = ()
    cluster_id: Hashable | None = None
    ranking_position: int | None = None
    all_targets_met: bool = False
    titles: tuple[HeldTitle, ...] = ()
    registered_titles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_choice(self.rating, RATINGS, "rating", optional=True)
        _check_count(self.members, "members")
        for name in (
            "members_at_least_completed",
            "members_with_ldtt",
            "members_with_cstdcs",
            "women_members",
        ):
            value = getattr(self, name)
            _check_count(value, name)
            if value > self.members:
                raise ValueError(f"{name} ({value}) exceeds the {self.members} members")
        if len(self.disciplined_member_levels) > self.members:
            raise ValueError("more disciplined members than members")
        for level in self.disciplined_member_levels:
            _check_choice(level, DISCIPLINE_LEVELS, "discipline level")
        if self.ranking_position is not None and self.ranking_position < 1:
            raise ValueError(f"ranking position starts at 1, not {self.ranking_position}")
        object.__setattr__(self, "disciplined_member_levels", tuple(self.disciplined_member_levels))
        object.__setattr__(self, "titles", tuple(self.titles))
        object.__setattr__(self, "registered_titles", frozenset(self.registered_titles))


@dataclass(frozen=True)
class UnitHistory:
    """A unit: the yearly records, the reviews open now, and whether it was dissolved (rule 15)."""

    unit_id: Hashable
    years: Mapping[int, UnitYear] = field(default_factory=dict)
    open_reviews: frozenset[str] = frozenset()
    dissolved_on: date | None = None
    has_successor: bool = False

    def __post_init__(self) -> None:
        for kind in self.open_reviews:
            _check_choice(kind, REVIEW_KINDS, "review kind")
        _frozen_years(self, self.years)
        object.__setattr__(self, "open_reviews", frozenset(self.open_reviews))

    def year(self, year: int) -> UnitYear:
        """The record of `year`, or an empty one."""
        return self.years.get(year) or UnitYear(year=year)


@dataclass(frozen=True)
class AwardClaim:
    """An award given or proposed, for rule 12 (one achievement, one award).

    `achievement` names what is rewarded: "annual" for the year's regular emulation, or a key of the
    caller's choosing for an ad-hoc or thematic achievement (for example "adhoc:<nomination id>").
    """

    subject: Hashable
    code: str
    year: int
    achievement: str = "annual"

    def __post_init__(self) -> None:
        _check_choice(self.code, ALL_CODES, "award code")

"""Read pipelines of the awards app: the facts the eligibility engine reads, from the database.

`load_people_facts` and `load_unit_facts` each run a fixed number of queries whatever the number
of staff and units (the fact tables are filtered by a subquery on the staff or units judged, never
by a list of ids), and build the engine's frozen facts in Python. The readings they follow are
documented once, in awards.services.eligibility; the service runs the engine on them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from awards.eligibility import (
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    PersonHistory,
    PersonYear,
    UnitHistory,
    UnitYear,
)
from awards.eligibility.facts import ALL_CODES, DISCIPLINE_RANK, NOT_COMPLETED, RATING_RANK
from awards.models import AwardRecord, Discipline, Initiative, Rating, ReviewFlag
from emulation.enums import Direction, PledgeState, RankingScope, SubmissionState
from emulation.models import IndividualRegistration, Period, Pledge, PledgeTarget, RankingEntry, SelfScore
from units.enums import Gender
from units.models import Assignment, Staff, Unit, UnitLineage

HISTORY_YEARS = 6
_ENGINE_CODES = frozenset(str(code) for code in ALL_CODES)
_SUFFIXES = ("_CN", "_TT")
_COMPLETED = RATING_RANK["completed"]
_GENDERS = frozenset(Gender.values)
_HELD: dict[tuple[str, bool], HeldTitle] = {}  # frozen and few: one instance per code and kind
_NO_UNIT = "/0/"  # a path no unit has (no primary key 0): an unknown unit id judges nothing


def engine_code(catalogue_code: str) -> str:
    """The engine's code of a catalogue award: "BK_BO_CN" -> "BK_BO", "CSTDCS" -> "CSTDCS"."""
    for suffix in _SUFFIXES:
        if catalogue_code.endswith(suffix):
            return catalogue_code.removesuffix(suffix)
    return catalogue_code


# --- scope ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The subtrees judged, by the paths of their roots; no paths: the whole organisation."""

    paths: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.paths

    def q(self, prefix: str = "") -> Q:
        """The filter "in one of the subtrees" on a unit reached through `prefix` ("unit__")."""
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def contains(self, path: str | None) -> bool:
        return path is not None and (self.everything or path.startswith(self.paths))


def subtree_scope(unit_ids: Iterable[int] | None) -> Scope:
    """The subtrees of the given units (one query); None: the whole organisation (no query)."""
    if unit_ids is None:
        return Scope()
    paths = sorted(Unit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:  # sorted, so the root of a subtree comes before the units below it
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return Scope(tuple(roots) or (_NO_UNIT,))


# --- postings and months ----------------------------------------------------------------------------------


def merge_postings(
    postings: Iterable[tuple[datetime.date, datetime.date | None]],
) -> list[tuple[datetime.date, datetime.date]]:
    """Postings as disjoint date ranges, touching ones joined (an open end becomes date.max)."""
    merged: list[tuple[datetime.date, datetime.date]] = []
    for start, end in sorted(postings, key=lambda posting: posting[0]):
        end = end or datetime.date.max
        if merged and (
            merged[-1][1] == datetime.date.max or start <= merged[-1][1] + datetime.timedelta(days=1)
        ):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def months_covered(ranges: Iterable[tuple[datetime.date, datetime.date]], year: int) -> int:
    """The calendar months of `year` covered from their first to their last day by the ranges
    (disjoint and not touching, as `merge_postings` gives them)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    months = 0
    for start, end in ranges:
        start, end = max(start, first), min(end, last)
        if start > end:
            continue
        first_month = start.month if start.day == 1 else start.month + 1
        last_month = end.month if (end + datetime.timedelta(days=1)).day == 1 else end.month - 1
        months += max(0, last_month - first_month + 1)
    return months


def _days_in(start: datetime.date, end: datetime.date | None, year: int) -> int:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start, end = max(start, first), min(end or last, last)
    return (end - start).days + 1 if start <= end else 0


# --- the staff --------------------------------------------------------------------------------------------


@dataclass
class PeopleFacts:
    """The staff judged for a year: their histories, and per staff member its code and name and
    its unit of the year (id and tree path)."""

    histories: dict[int, PersonHistory] = field(default_factory=dict)
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    unit_of: dict[int, int | None] = field(default_factory=dict)
    path_of: dict[int, str | None] = field(default_factory=dict)


def _staff_queryset(year: int, scope: Scope, staff_ids: list[int] | None) -> QuerySet[Staff]:
    if staff_ids is not None:
        return Staff.objects.filter(pk__in=staff_ids)
    if scope.everything:
        return Staff.objects.all()
    posted_in_year = Assignment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
        scope.q("unit__"),
        staff=OuterRef("pk"),
        start_date__lte=datetime.date(year, 12, 31),
    )
    return Staff.objects.filter(scope.q("unit__") | Q(Exists(posted_in_year)))


def open_reviews_on(on: datetime.date) -> QuerySet[ReviewFlag]:
    """Review flags open on a day (opened on or before it, not closed by then): rule 13."""
    return ReviewFlag.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on), opened_on__lte=on)


def _held_titles(records: QuerySet[AwardRecord], subject: str, first_year: int, year: int):
    """(subject id, year, HeldTitle) of the award records that count: not revoked, in the window."""
    for subject_id, held_year, code, ad_hoc in (
        records.filter(year__gte=first_year, year__lte=year, is_revoked=False)
        .order_by("year", "award_type__rank_order", "pk")
        .values_list(subject, "year", "award_type__code", "award_type__is_ad_hoc")
    ):
        title = _HELD.get((code, ad_hoc))
        if title is None:
            short = engine_code(code)
            if short not in _ENGINE_CODES:
                continue
            title = _HELD[(code, ad_hoc)] = HeldTitle(code=short, ad_hoc=ad_hoc)
        yield subject_id, held_year, title


class _Year:
    """The facts of one subject and year while they are collected (lists made when first needed)."""

    __slots__ = ("initiatives", "rating", "registered", "titles")

    def __init__(self) -> None:
        self.rating: str | None = None
        self.initiatives: list[InitiativeFact] | None = None
        self.titles: list[HeldTitle] | None = None
        self.registered: set[str] | None = None

    def add_initiative(self, initiative: InitiativeFact) -> None:
        if self.initiatives is None:
            self.initiatives = []
        self.initiatives.append(initiative)

    def add_title(self, title: HeldTitle) -> None:
        if self.titles is None:
            self.titles = []
        self.titles.append(title)

    def add_registration(self, code: str) -> None:
        if self.registered is None:
            self.registered = set()
        self.registered.add(code)


class _Collected(defaultdict):
    """subject id -> year -> _Year."""

    def __init__(self) -> None:
        super().__init__(dict)

    def at(self, subject_id: int, year: int) -> _Year:
        years = self[subject_id]
        found = years.get(year)
        if found is None:
            found = years[year] = _Year()
        return found


def load_people_facts(
    year: int,
    *,
    scope: Scope,
    on: datetime.date,
    staff_ids: Iterable[int] | None = None,
    history_years: int = HISTORY_YEARS,
) -> PeopleFacts:
    """The facts about the staff judged for `year` and the `history_years` before it: those whose
    unit of the year is in the scope or, with `staff_ids`, exactly those (whatever their unit).
    Open reviews as on `on`. Eight queries, whatever the number of staff."""
    first_year = year - history_years
    window_start, year_end = datetime.date(first_year, 1, 1), datetime.date(year, 12, 31)
    chosen = list(staff_ids) if staff_ids is not None else None
    staff = _staff_queryset(year, scope, chosen)
    by_staff = (
        {"staff__isnull": False} if chosen is None and scope.everything else {"staff__in": staff.values("pk")}
    )
    rows = list(staff.values_list("pk", "staff_code", "full_name", "gender", "unit_id", "unit__path"))

    postings: dict[int, list[tuple[datetime.date, datetime.date | None, int, str]]] = defaultdict(list)
    for staff_id, unit_id, path, start, end in (
        Assignment.objects.filter(**by_staff)
        .order_by("start_date", "pk")
        .values_list("staff_id", "unit_id", "unit__path", "start_date", "end_date")
    ):
        postings[staff_id].append((start, end, unit_id, path))
    collected = _Collected()
    for staff_id, rated_year, grade in Rating.objects.filter(
        **by_staff, year__gte=first_year, year__lte=year
    ).values_list("staff_id", "year", "grade"):
        collected.at(staff_id, rated_year).rating = grade
    disciplines: dict[int, list[DisciplineFact]] = defaultdict(list)
    for staff_id, level, start, end in (
        Discipline.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=window_start), **by_staff)
        .filter(starts_on__lte=year_end)
        .order_by("starts_on", "pk")
        .values_list("staff_id", "level", "starts_on", "ends_on")
    ):
        disciplines[staff_id].append(DisciplineFact(level=level, start=start, end=end))
    for staff_id, level, recognised_on, nationwide, science in (
        Initiative.authors.through.objects.filter(
            **by_staff, initiative__recognised_on__gte=window_start, initiative__recognised_on__lte=year_end
        )
        .order_by("initiative__recognised_on", "initiative_id")
        .values_list(
            "staff_id",
            "initiative__level",
            "initiative__recognised_on",
            "initiative__has_nationwide_effect",
            "initiative__is_science_work",
        )
    ):
        collected.at(staff_id, recognised_on.year).add_initiative(
            InitiativeFact(
                level=level,
                recognised_on=recognised_on,
                has_nationwide_effect=nationwide,
                is_science_work=science,
            )
        )
    reviews: dict[int, set[str]] = defaultdict(set)
    for staff_id, kind in open_reviews_on(on).filter(**by_staff).values_list("staff_id", "kind"):
        reviews[staff_id].add(kind)
    for staff_id, held_year, title in _held_titles(
        AwardRecord.objects.filter(**by_staff), "staff_id", first_year, year
    ):
        collected.at(staff_id, held_year).add_title(title)
    for staff_id, registered_year, title in (
        IndividualRegistration.objects.filter(
            **by_staff, pledge__period__year__gte=first_year, pledge__period__year__lte=year
        )
        .exclude(pledge__state=PledgeState.DRAFT)
        .values_list("staff_id", "pledge__period__year", "title")
    ):
        collected.at(staff_id, registered_year).add_registration(title)

    facts = PeopleFacts()
    window = (window_start, year_end)
    for staff_id, staff_code, full_name, gender, current_unit, current_path in rows:
        own = postings.get(staff_id)
        if own:
            ranges = merge_postings((start, end) for start, end, _unit, _path in own)
            start, end, unit_id, path = max(
                own, key=lambda posting: (_days_in(posting[0], posting[1], year), posting[0])
            )
            if not _days_in(start, end, year):
                unit_id, path = None, None
            if len(ranges) == 1 and ranges[0][0] <= window[0] and ranges[0][1] >= window[1]:
                ranges = None  # posted throughout the window: 12 months every year
        else:  # no posting recorded: the current unit, every year
            ranges = None
            unit_id, path = current_unit, current_path
        if chosen is None and (unit_id is None or not scope.contains(path)):
            continue
        known = collected.get(staff_id, {})
        records = {}
        for each in sorted({*known, year}):
            found = known.get(each) or _Year()
            records[each] = PersonYear(
                year=each,
                rating=found.rating,
                months_worked=12 if ranges is None else months_covered(ranges, each),
                initiatives=tuple(found.initiatives or ()),
                titles=tuple(found.titles or ()),
                registered_titles=frozenset(found.registered or ()),
            )
        facts.histories[staff_id] = PersonHistory(
            staff_id=staff_id,
            gender=gender if gender in _GENDERS else None,
            unit_id=unit_id,
            years=records,
            disciplines=tuple(disciplines.get(staff_id, ())),
            open_reviews=frozenset(reviews.get(staff_id, ())),
        )
        facts.labels[staff_id] = (staff_code, full_name)
        facts.unit_of[staff_id] = unit_id
        facts.path_of[staff_id] = path
    return facts


def holders(people: PeopleFacts, year: int, code: str, eligible: Iterable[int]) -> set[int]:
    """The staff who hold the title `code` for the year (one that counts: not ad hoc) or are
    among `eligible` (found eligible for it by the engine)."""
    result = set(eligible)
    for staff_id, history in people.histories.items():
        record = history.years.get(year)
        if record is not None and any(held.code == code and not held.ad_hoc for held in record.titles):
            result.add(staff_id)
    return result


# --- the units --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    """The columns of a unit the eligibility list shows and judges."""

    pk: int
    code: str
    name: str
    path: str
    parent_name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def exists_in(self, year: int) -> bool:
        """Valid on at least one day of the year."""
        return (self.valid_from is None or self.valid_from <= datetime.date(year, 12, 31)) and (
            self.valid_to is None or self.valid_to >= datetime.date(year, 1, 1)
        )


@dataclass
class _Members:
    count: int = 0
    completed: int = 0
    ldtt: int = 0
    cstdcs: int = 0
    women: int = 0
    disciplined: list[str] = field(default_factory=list)


def _member_counts(
    year: int, people: PeopleFacts, units: dict[int, UnitRow], ldtt: set[int], cstdcs: set[int]
) -> dict[int, _Members]:
    """Each unit's rated staff of the year, units below it included (in Python, from the paths)."""
    counts: dict[int, _Members] = defaultdict(_Members)
    for staff_id, history in people.histories.items():
        path = people.path_of.get(staff_id)
        record = history.years.get(year)
        if path is None or record is None or record.rating is None:
            continue
        in_year = [discipline.level for discipline in history.disciplines if discipline.overlaps(year)]
        rating = NOT_COMPLETED if in_year else record.rating  # rule 17
        worst = max(in_year, key=DISCIPLINE_RANK.__getitem__) if in_year else None
        for part in path.strip("/").split("/"):
            if int(part) not in units:
                continue
            members = counts[int(part)]
            members.count += 1
            members.completed += RATING_RANK[rating] >= _COMPLETED
            members.ldtt += staff_id in ldtt
            members.cstdcs += staff_id in cstdcs
            members.women += history.gender == Gender.FEMALE
            if worst is not None:
                members.disciplined.append(worst)
    return counts


def _targets_met(year: int, by_unit: dict) -> dict[int, bool]:
    """Every valued target of the unit's pledge of the year met by its finalised self-assessment."""
    submission_filter = {f"submission__{key}": value for key, value in by_unit.items()}
    achieved = {
        (unit_id, period_id, criterion_id): value
        for unit_id, period_id, criterion_id, value in SelfScore.objects.filter(
            **submission_filter,
            submission__period__year=year,
            submission__state=SubmissionState.FINALISED,
            achieved_value__isnull=False,
        ).values_list("submission__unit_id", "submission__period_id", "criterion_id", "achieved_value")
    }
    met: dict[int, bool] = {}
    for unit_id, period_id, criterion_id, target, direction in PledgeTarget.objects.filter(
        **{f"pledge__{key}": value for key, value in by_unit.items()},
        pledge__period__year=year,
        value__isnull=False,
    ).values_list("pledge__unit_id", "pledge__period_id", "criterion_id", "value", "criterion__direction"):
        value = achieved.get((unit_id, period_id, criterion_id))
        if value is None:
            reached = False
        elif direction == Direction.LOWER:
            reached = value <= target
        else:
            reached = value >= target
        met[unit_id] = met.get(unit_id, True) and reached
    return met


def load_unit_facts(
    year: int,
    *,
    scope: Scope,
    on: datetime.date,
    people: PeopleFacts,
    ldtt: set[int],
    cstdcs: set[int],
    history_years: int = HISTORY_YEARS,
) -> tuple[dict[int, UnitHistory], dict[int, UnitRow]]:
    """The facts about every unit of the scope for `year` and the `history_years` before it, and
    the units' rows. The member counts of the year come from `people` (the staff of the same
    scope) and the staff holding or qualifying for LĐTT (`ldtt`) and CSTĐCS (`cstdcs`). Open
    reviews and dissolution as on `on`. Eight queries, whatever the number of units."""
    first_year = year - history_years
    units_qs = Unit.objects.all() if scope.everything else Unit.objects.filter(scope.q())
    by_unit = {"unit__isnull": False} if scope.everything else {"unit__in": units_qs.values("pk")}
    successor = UnitLineage.objects.filter(predecessor=OuterRef("pk"))
    units: dict[int, UnitRow] = {}
    has_successor: dict[int, bool] = {}
    for pk, code, name, path, parent_name, valid_from, valid_to, succeeded in (
        units_qs.annotate(succeeded=Exists(successor))
        .order_by("path")
        .values_list("pk", "code", "name", "path", "parent__name", "valid_from", "valid_to", "succeeded")
    ):
        units[pk] = UnitRow(pk, code, name, path, parent_name or "", valid_from, valid_to)
        has_successor[pk] = succeeded

    collected = _Collected()
    for unit_id, rated_year, grade in Rating.objects.filter(
        **by_unit, year__gte=first_year, year__lte=year
    ).values_list("unit_id", "year", "grade"):
        collected.at(unit_id, rated_year).rating = grade
    reviews: dict[int, set[str]] = defaultdict(set)
    for unit_id, kind in open_reviews_on(on).filter(**by_unit).values_list("unit_id", "kind"):
        reviews[unit_id].add(kind)
    for unit_id, held_year, title in _held_titles(
        AwardRecord.objects.filter(**by_unit), "unit_id", first_year, year
    ):
        collected.at(unit_id, held_year).add_title(title)
    for unit_id, pledged_year, title in (
        Pledge.objects.filter(**by_unit, period__year__gte=first_year, period__year__lte=year)
        .exclude(state=PledgeState.DRAFT)
        .exclude(collective_title="")
        .values_list("unit_id", "period__year", "collective_title")
    ):
        collected.at(unit_id, pledged_year).add_registration(title)
    ranking: dict[int, tuple[int, int | None]] = {}
    for unit_id, rank, cluster_id in (
        RankingEntry.objects.filter(
            **by_unit,
            snapshot__period__year=year,
            snapshot__scope=RankingScope.CLUSTER,
            snapshot__is_provisional=False,
            snapshot__is_current=True,
        )
        .order_by("rank", "snapshot_id")
        .values_list("unit_id", "rank", "snapshot__cluster_id")
    ):
        ranking.setdefault(unit_id, (rank, cluster_id))
    targets_met = _targets_met(year, by_unit)
    counts = _member_counts(year, people, units, ldtt, cstdcs)

    histories: dict[int, UnitHistory] = {}
    nobody, nothing = _Members(), _Year()
    for unit_id, row in units.items():
        known = collected.get(unit_id, {})
        records = {
            each: UnitYear(
                year=each,
                rating=found.rating,
                titles=tuple(found.titles or ()),
                registered_titles=frozenset(found.registered or ()),
            )
            for each, found in sorted(known.items())
            if each != year
        }
        this_year = known.get(year, nothing)
        members = counts.get(unit_id, nobody)
        rank, cluster_id = ranking.get(unit_id, (None, None))
        records[year] = UnitYear(
            year=year,
            rating=this_year.rating,
            members=members.count,
            members_at_least_completed=members.completed,
            members_with_ldtt=members.ldtt,
            members_with_cstdcs=members.cstdcs,
            women_members=members.women,
            disciplined_member_levels=tuple(members.disciplined),
            cluster_id=cluster_id,
            ranking_position=rank,
            all_targets_met=targets_met.get(unit_id, False),
            titles=tuple(this_year.titles or ()),
            registered_titles=frozenset(this_year.registered or ()),
        )
        histories[unit_id] = UnitHistory(
            unit_id=unit_id,
            years=records,
            open_reviews=frozenset(reviews.get(unit_id, ())),
            dissolved_on=row.valid_to,
            has_successor=has_successor[unit_id],
        )
    return histories, units


# --- the eligibility list ---------------------------------------------------------------------------------


def eligibility_years(today: datetime.date) -> list[int]:
    """The years the eligibility list offers, latest first: the movement's periods, the year
    before `today` and its year (one query)."""
    years = set(Period.objects.values_list("year", flat=True).distinct())
    years.update({today.year - 1, today.year})
    return sorted((year for year in years if year <= today.year), reverse=True)

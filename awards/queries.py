"""Read pipelines of the awards app: the facts the eligibility engine reads, from the database.

`iter_people` and `iter_units` each run a fixed number of queries whatever the number of staff
and units (the fact tables are filtered by a subquery on the staff or units judged, never by a
list of ids). Each query is ordered by subject and read in chunks (a server-side cursor on
PostgreSQL); the rows of one subject are merged into the engine's frozen facts, which are handed
on one subject at a time, so the memory needed does not grow with the number of subjects.
`load_people_facts` gathers them for a few staff. The readings they follow are documented once,
in awards.services.eligibility; the service runs the engine on them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

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
from awards.enums import LeaveKind
from awards.models import AwardRecord, Discipline, Initiative, Leave, Rating, ReviewFlag
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


# --- streams ----------------------------------------------------------------------------------------------

CHUNK_SIZE = 2000  # rows fetched at a time (a server-side cursor on PostgreSQL)


class _Stream:
    """The rows of one query ordered by subject id (the first column), read in chunks and taken
    subject by subject as the subjects come by in the same order: one query, bounded memory."""

    __slots__ = ("_next", "_rows")

    def __init__(self, rows: QuerySet) -> None:
        self._rows = rows.iterator(chunk_size=CHUNK_SIZE)
        self._next = next(self._rows, None)

    def peek(self) -> int | None:
        """The subject id of the next row (None at the end)."""
        return None if self._next is None else self._next[0]

    def take(self, subject_id: int) -> list[tuple]:
        taken = []
        row = self._next
        while row is not None and row[0] < subject_id:
            row = next(self._rows, None)
        while row is not None and row[0] == subject_id:
            taken.append(row)
            row = next(self._rows, None)
        self._next = row
        return taken


def open_reviews_on(on: datetime.date) -> QuerySet[ReviewFlag]:
    """Review flags open on a day (opened on or before it, not closed by then): rule 13."""
    return ReviewFlag.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on), opened_on__lte=on)


def _held_title(code: str, ad_hoc: bool) -> HeldTitle | None:
    """The engine's HeldTitle of a catalogue award (None: not an engine code); one instance each."""
    title = _HELD.get((code, ad_hoc))
    if title is None:
        short = engine_code(code)
        if short not in _ENGINE_CODES:
            return None
        title = _HELD[(code, ad_hoc)] = HeldTitle(code=short, ad_hoc=ad_hoc)
    return title


def _held_titles(records: QuerySet[AwardRecord], subject: str, first_year: int, year: int) -> _Stream:
    """(subject id, year, catalogue code, ad hoc) of the award records that count: not revoked, in
    the window, by subject and year."""
    return _Stream(
        records.filter(year__gte=first_year, year__lte=year, is_revoked=False)
        .order_by(subject, "year", "award_type__rank_order", "pk")
        .values_list(subject, "year", "award_type__code", "award_type__is_ad_hoc")
    )


class _Years(dict):
    """year -> [rating, initiatives, titles, registered] of one subject while its rows are read."""

    def at(self, year: int) -> list:
        found = self.get(year)
        if found is None:
            found = self[year] = [None, [], [], set()]
        return found

    def titles(self, rows: list[tuple]) -> None:
        for _subject, held_year, code, ad_hoc in rows:
            title = _held_title(code, ad_hoc)
            if title is not None:
                self.at(held_year)[2].append(title)


# --- the staff --------------------------------------------------------------------------------------------


@dataclass
class PeopleFacts:
    """The staff judged for a year: their histories, and per staff member its code and name and
    its unit of the year (id and tree path)."""

    histories: dict[int, PersonHistory] = field(default_factory=dict)
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    unit_of: dict[int, int | None] = field(default_factory=dict)
    path_of: dict[int, str | None] = field(default_factory=dict)


class Person(NamedTuple):
    """One staff member judged for a year: its code, name, unit of the year and facts."""

    staff_id: int
    staff_code: str
    full_name: str
    unit_id: int | None
    path: str | None
    history: PersonHistory


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


def iter_people(
    year: int,
    *,
    scope: Scope,
    on: datetime.date,
    staff_ids: Iterable[int] | None = None,
    history_years: int = HISTORY_YEARS,
) -> Iterator[Person]:
    """The staff judged for `year`, with their facts of the year and the `history_years` before
    it, one at a time by id: those whose unit of the year is in the scope or, with `staff_ids`,
    exactly those (whatever their unit). Open reviews as on `on`. Nine queries whatever the number
    of staff, each read in chunks as the staff come by: the memory does not grow with them."""
    first_year = year - history_years
    window_start, year_end = datetime.date(first_year, 1, 1), datetime.date(year, 12, 31)
    chosen = list(staff_ids) if staff_ids is not None else None
    staff = _staff_queryset(year, scope, chosen)
    by_staff = (
        {"staff__isnull": False} if chosen is None and scope.everything else {"staff__in": staff.values("pk")}
    )
    people = staff.order_by("pk").values_list(
        "pk", "staff_code", "full_name", "gender", "unit_id", "unit__path"
    )
    postings = _Stream(
        Assignment.objects.filter(**by_staff)
        .order_by("staff_id", "start_date", "pk")
        .values_list("staff_id", "unit_id", "unit__path", "start_date", "end_date")
    )
    ratings = _Stream(
        Rating.objects.filter(**by_staff, year__gte=first_year, year__lte=year)
        .order_by("staff_id", "year")
        .values_list("staff_id", "year", "grade")
    )
    disciplines = _Stream(
        Discipline.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=window_start), **by_staff)
        .filter(starts_on__lte=year_end)
        .order_by("staff_id", "starts_on", "pk")
        .values_list("staff_id", "level", "starts_on", "ends_on")
    )
    initiatives = _Stream(
        Initiative.authors.through.objects.filter(
            **by_staff, initiative__recognised_on__gte=window_start, initiative__recognised_on__lte=year_end
        )
        .order_by("staff_id", "initiative__recognised_on", "initiative_id")
        .values_list(
            "staff_id",
            "initiative__level",
            "initiative__recognised_on",
            "initiative__has_nationwide_effect",
            "initiative__is_science_work",
        )
    )
    reviews = _Stream(
        open_reviews_on(on).filter(**by_staff).order_by("staff_id").values_list("staff_id", "kind")
    )
    leaves = _Stream(
        Leave.objects.filter(**by_staff, year__gte=first_year, year__lte=year)
        .order_by("staff_id", "year", "kind")
        .values_list("staff_id", "year", "kind", "months")
    )
    titles = _held_titles(AwardRecord.objects.filter(**by_staff), "staff_id", first_year, year)
    registrations = _Stream(
        IndividualRegistration.objects.filter(
            **by_staff, pledge__period__year__gte=first_year, pledge__period__year__lte=year
        )
        .exclude(pledge__state=PledgeState.DRAFT)
        .order_by("staff_id")
        .values_list("staff_id", "pledge__period__year", "title")
    )
    shared: dict[tuple, PersonYear] = {}  # the same year's record of many staff: one instance
    for staff_id, staff_code, full_name, gender, current_unit, current_path in people.iterator(
        chunk_size=CHUNK_SIZE
    ):
        own = postings.take(staff_id)
        if own:
            ranges = merge_postings((start, end) for _staff, _unit, _path, start, end in own)
            _staff, unit_id, path, start, end = max(
                own, key=lambda posting: (_days_in(posting[3], posting[4], year), posting[3])
            )
            if not _days_in(start, end, year):
                unit_id, path = None, None
            if len(ranges) == 1 and ranges[0][0] <= window_start and ranges[0][1] >= year_end:
                ranges = None  # posted throughout the window: 12 months every year
        else:  # no posting recorded: the current unit, every year
            ranges = None
            unit_id, path = current_unit, current_path
        if chosen is None and (unit_id is None or not scope.contains(path)):
            continue
        known = _Years()
        for _staff, rated_year, grade in ratings.take(staff_id):
            known.at(rated_year)[0] = grade
        for _staff, level, recognised_on, nationwide, science in initiatives.take(staff_id):
            known.at(recognised_on.year)[1].append(
                InitiativeFact(
                    level=level,
                    recognised_on=recognised_on,
                    has_nationwide_effect=nationwide,
                    is_science_work=science,
                )
            )
        known.titles(titles.take(staff_id))
        for _staff, registered_year, title in registrations.take(staff_id):
            known.at(registered_year)[3].add(title)
        away: dict[int, list[int]] = {}  # year -> [maternity months, other leave months]
        for _staff, leave_year, kind, leave_months in leaves.take(staff_id):
            away.setdefault(leave_year, [0, 0])[0 if kind == LeaveKind.MATERNITY else 1] += leave_months
        records = {}
        for each in sorted({*known, year}):
            rating, found, held, registered = known.get(each) or (None, (), (), ())
            posted = 12 if ranges is None else months_covered(ranges, each)
            maternity, other = away.get(each, (0, 0))
            maternity = min(maternity, posted)  # leave lies within the postings
            months = max(0, posted - maternity - other)
            key = (each, rating, months, maternity, tuple(held), frozenset(registered))
            record = None if found else shared.get(key)
            if record is None:
                record = PersonYear(
                    year=each,
                    rating=rating,
                    months_worked=months,
                    maternity_leave_months=maternity,
                    initiatives=tuple(found),
                    titles=key[4],
                    registered_titles=key[5],
                )
                if not found:
                    shared[key] = record
            records[each] = record
        history = PersonHistory(
            staff_id=staff_id,
            gender=gender if gender in _GENDERS else None,
            unit_id=unit_id,
            years=records,
            disciplines=tuple(
                DisciplineFact(level=level, start=start, end=end)
                for _staff, level, start, end in disciplines.take(staff_id)
            ),
            open_reviews=frozenset(kind for _staff, kind in reviews.take(staff_id)),
        )
        yield Person(staff_id, staff_code, full_name, unit_id, path, history)


def load_people_facts(
    year: int,
    *,
    scope: Scope,
    on: datetime.date,
    staff_ids: Iterable[int] | None = None,
    history_years: int = HISTORY_YEARS,
) -> PeopleFacts:
    """`iter_people` gathered in memory (for a few staff: one nomination, one page of the list)."""
    facts = PeopleFacts()
    for person in iter_people(year, scope=scope, on=on, staff_ids=staff_ids, history_years=history_years):
        facts.histories[person.staff_id] = person.history
        facts.labels[person.staff_id] = (person.staff_code, person.full_name)
        facts.unit_of[person.staff_id] = person.unit_id
        facts.path_of[person.staff_id] = person.path
    return facts


def holds_counting(history: PersonHistory, year: int, code: str) -> bool:
    """The staff member holds the title `code` for the year, one that counts (not ad hoc)."""
    record = history.years.get(year)
    return record is not None and any(held.code == code and not held.ad_hoc for held in record.titles)


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


class _Members:
    __slots__ = ("completed", "count", "cstdcs", "disciplined", "ldtt", "women")

    def __init__(self) -> None:
        self.count = self.completed = self.ldtt = self.cstdcs = self.women = 0
        self.disciplined: list[str] = []


_NOBODY = _Members()


class MemberCounts:
    """Each unit's rated staff of a year, units below it included, counted as the staff come by
    (`add`): a few numbers per unit, whatever the number of staff."""

    def __init__(self, year: int) -> None:
        self.year = year
        self._units: dict[int, _Members] = defaultdict(_Members)
        self._parts: dict[str, tuple[int, ...]] = {}

    def add(self, history: PersonHistory, path: str | None, *, ldtt: bool, cstdcs: bool) -> None:
        record = history.years.get(self.year)
        if path is None or record is None or record.rating is None:
            return
        in_year = [discipline.level for discipline in history.disciplines if discipline.overlaps(self.year)]
        rating = NOT_COMPLETED if in_year else record.rating  # rule 17
        worst = max(in_year, key=DISCIPLINE_RANK.__getitem__) if in_year else None
        parts = self._parts.get(path)
        if parts is None:
            parts = self._parts[path] = tuple(int(part) for part in path.strip("/").split("/"))
        for unit_id in parts:
            members = self._units[unit_id]
            members.count += 1
            members.completed += RATING_RANK[rating] >= _COMPLETED
            members.ldtt += ldtt
            members.cstdcs += cstdcs
            members.women += history.gender == Gender.FEMALE
            if worst is not None:
                members.disciplined.append(worst)

    def of(self, unit_id: int) -> _Members:
        return self._units.get(unit_id, _NOBODY)


def count_members(year: int, people: PeopleFacts, ldtt: set[int], cstdcs: set[int]) -> MemberCounts:
    """The member counts of the units from staff gathered in memory."""
    counts = MemberCounts(year)
    for staff_id, history in people.histories.items():
        counts.add(history, people.path_of.get(staff_id), ldtt=staff_id in ldtt, cstdcs=staff_id in cstdcs)
    return counts


def _reached(value, target, direction: str) -> bool:
    if value is None:
        return False
    return value <= target if direction == Direction.LOWER else value >= target


def _unit_targets_met(targets: list[tuple], scores: list[tuple]) -> bool:
    """Every valued target of the unit's pledge of the year met by its finalised self-assessment
    (the rows of one unit, from the two streams of `iter_units`). No target: not met."""
    achieved = {(period_id, criterion_id): value for _unit, period_id, criterion_id, value in scores}
    return bool(targets) and all(
        _reached(achieved.get((period_id, criterion_id)), target, direction)
        for _unit, period_id, criterion_id, target, direction in targets
    )


def _target_streams(year: int, by_unit: dict) -> tuple[_Stream, _Stream]:
    """The valued targets of the units' pledges of the year and the achieved values of their
    finalised self-assessments, each by unit."""
    scores = _Stream(
        SelfScore.objects.filter(
            **{f"submission__{key}": value for key, value in by_unit.items()},
            submission__period__year=year,
            submission__state=SubmissionState.FINALISED,
            achieved_value__isnull=False,
        )
        .order_by("submission__unit_id")
        .values_list("submission__unit_id", "submission__period_id", "criterion_id", "achieved_value")
    )
    targets = _Stream(
        PledgeTarget.objects.filter(
            **{f"pledge__{key}": value for key, value in by_unit.items()},
            pledge__period__year=year,
            value__isnull=False,
        )
        .order_by("pledge__unit_id")
        .values_list("pledge__unit_id", "pledge__period_id", "criterion_id", "value", "criterion__direction")
    )
    return targets, scores


def targets_met(year: int, by_unit: dict) -> dict[int, bool]:
    """Whether every target was met, for the units with a valued target (the demo reads it too)."""
    targets, scores = _target_streams(year, by_unit)
    met: dict[int, bool] = {}
    while (head := targets.peek()) is not None:
        met[head] = _unit_targets_met(targets.take(head), scores.take(head))
    return met


def iter_units(
    year: int,
    *,
    scope: Scope,
    on: datetime.date,
    members: MemberCounts,
    unit_ids: Iterable[int] | None = None,
    history_years: int = HISTORY_YEARS,
) -> Iterator[tuple[UnitRow, UnitHistory]]:
    """Every unit of the scope (or, with `unit_ids`, exactly those) with its facts of `year` and the
    `history_years` before it, one at a time by id. The member counts of the year come from
    `members`. Open reviews and dissolution as on `on`. Eight queries whatever the number of units."""
    first_year = year - history_years
    if unit_ids is not None:
        units_qs = Unit.objects.filter(pk__in=list(unit_ids))
    else:
        units_qs = Unit.objects.all() if scope.everything else Unit.objects.filter(scope.q())
    everything = unit_ids is None and scope.everything
    by_unit = {"unit__isnull": False} if everything else {"unit__in": units_qs.values("pk")}
    successor = UnitLineage.objects.filter(predecessor=OuterRef("pk"))
    units = (
        units_qs.annotate(succeeded=Exists(successor))
        .order_by("pk")
        .values_list("pk", "code", "name", "path", "parent__name", "valid_from", "valid_to", "succeeded")
    )
    ratings = _Stream(
        Rating.objects.filter(**by_unit, year__gte=first_year, year__lte=year)
        .order_by("unit_id", "year")
        .values_list("unit_id", "year", "grade")
    )
    reviews = _Stream(
        open_reviews_on(on).filter(**by_unit).order_by("unit_id").values_list("unit_id", "kind")
    )
    titles = _held_titles(AwardRecord.objects.filter(**by_unit), "unit_id", first_year, year)
    pledges = _Stream(
        Pledge.objects.filter(**by_unit, period__year__gte=first_year, period__year__lte=year)
        .exclude(state=PledgeState.DRAFT)
        .exclude(collective_title="")
        .order_by("unit_id")
        .values_list("unit_id", "period__year", "collective_title")
    )
    ranking: dict[int, tuple[int, int | None]] = {}  # one row a unit: read at once (a cursor's
    # fast-start plan would walk every ranking entry by unit)
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
    targets, scores = _target_streams(year, by_unit)
    for pk, code, name, path, parent_name, valid_from, valid_to, succeeded in units.iterator(
        chunk_size=CHUNK_SIZE
    ):
        row = UnitRow(pk, code, name, path, parent_name or "", valid_from, valid_to)
        known = _Years()
        for _unit, rated_year, grade in ratings.take(pk):
            known.at(rated_year)[0] = grade
        known.titles(titles.take(pk))
        for _unit, pledged_year, title in pledges.take(pk):
            known.at(pledged_year)[3].add(title)
        records = {
            each: UnitYear(
                year=each, rating=rating, titles=tuple(held), registered_titles=frozenset(registered)
            )
            for each, (rating, _none, held, registered) in sorted(known.items())
            if each != year
        }
        rating, _none, held, registered = known.get(year) or (None, (), (), ())
        counted = members.of(pk)
        rank, cluster_id = ranking.get(pk, (None, None))
        records[year] = UnitYear(
            year=year,
            rating=rating,
            members=counted.count,
            members_at_least_completed=counted.completed,
            members_with_ldtt=counted.ldtt,
            members_with_cstdcs=counted.cstdcs,
            women_members=counted.women,
            disciplined_member_levels=tuple(counted.disciplined),
            cluster_id=cluster_id,
            ranking_position=rank,
            all_targets_met=_unit_targets_met(targets.take(pk), scores.take(pk)),
            titles=tuple(held),
            registered_titles=frozenset(registered),
        )
        history = UnitHistory(
            unit_id=pk,
            years=records,
            open_reviews=frozenset(kind for _unit, kind in reviews.take(pk)),
            dissolved_on=valid_to,
            has_successor=succeeded,
        )
        yield row, history


# --- the eligibility list ---------------------------------------------------------------------------------


def eligibility_years(today: datetime.date) -> list[int]:
    """The years the eligibility list offers, latest first: the movement's periods, the year
    before `today` and its year (one query)."""
    years = set(Period.objects.values_list("year", flat=True).distinct())
    years.update({today.year - 1, today.year})
    return sorted((year for year in years if year <= today.year), reverse=True)

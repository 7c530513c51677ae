"""Eligibility from the database: the rule set in force, the engine's facts, the year's verdicts.

Read-only: nothing here writes. The engine (awards.eligibility) is pure; awards.queries loads
its facts in a fixed number of queries whatever the number of staff and units, and this module
picks the rules in force and runs the engine on them.

Decisions, documented once:

- Rule set: the `RuleSet` row in force on the judgement date (`rule_params_on`); when no row
  covers the date, the parameter set built into the engine for that date. Dates before the first
  rule set (01/01/2024: the Law of 2022 and Decree 98/2023) use the EARLIEST rule set: years
  judged before 2024 are judged with Decree 98's parameters, an approximation of the older rules
  (Law 2003, Decree 91/2017) that the engine does not implement. The page says so.
- Judgement date (`judgement_date`): today for the current year and the year before (their
  nominations are being made now), else 31/12 of the year after it (when that year's awards were
  decided). Open reviews (rule 13), the rule set and a unit's dissolution (rule 15) are read on it.
  A nomination is judged on its submission date (`check_nomination`).
- History: the judged year and the HISTORY_YEARS years before it (two runs of CSTĐ cấp Bộ for
  CSTĐ toàn quốc reach back five years); a nomination for a commendation form reads
  LONG_HISTORY_YEARS, since rule 11 looks for a prior award before five excellent years.
- A staff member's unit in a year is the unit of the posting (`Assignment`) covering most days
  of that year (the later one on a tie); the staff of a unit in a year are those whose unit of
  that year is in its subtree. Staff with no posting recorded at all count in their current unit
  for every year. Staff whose postings do not touch the year are not judged for it.
- Months worked: the calendar months covered from their first to their last day by postings
  (a posting from 15/03 counts April to December: 9; from 01/03: 10), less the months of leave
  recorded for the year (`Leave`, which lies within the postings); maternity leave is passed as
  `maternity_leave_months` and counts as worked again (Decree 152/2025 Art. 4(5)), other leave
  does not. Posted from 01/03 with four months of maternity leave: 6 worked + 4 = 10 counted.
- Registrations (rule 20): a staff member's individual registration and a unit's collective
  title in a pledge of the year that is not a draft.
- Titles held: award records not revoked, under the catalogue code without its "_CN"/"_TT"
  suffix; ad-hoc awards (`AwardType.is_ad_hoc`) are marked so (rule 14).
- A unit's members for a year (rules 6, 7) are its staff of that year (units below it included)
  who are rated for that year. A member "has LĐTT" (or CSTĐCS) when the title is held for the year
  OR the engine finds the person eligible for it under the same rule set: the titles of one year
  are judged together. "At least completed" uses the rating after rule 17 (a discipline in the
  year makes it "not completed"); a disciplined member counts with its most severe level.
- Ranking (rule 8): the unit's rank in the current final cluster snapshot of the year.
- Every target met (rule 8): the unit's pledge of the year has at least one target with a value,
  and for each of them the finalised self-assessment of the same period records an achieved value
  at least the target (at most, for criteria where lower is better). No target: not met.
- Quotas (rules 2 and 7, off by default) and the one-flag-per-cluster selection (rule 8) are not
  applied to the yearly list: they rank candidates against each other when the council chooses.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.db import transaction
from django.utils import timezone

from awards.eligibility import (
    LEGAL_PARAMETER_SETS,
    Code,
    PersonHistory,
    RuleParams,
    UnitHistory,
    Verdict,
    best_titles_for_unit,
    check_person,
    check_unit,
    is_ad_hoc_excluded,
    person_qualifies,
    unit_qualifies,
)
from awards.eligibility.facts import COLLECTIVE_TITLES, EMULATION_TITLES, INDIVIDUAL_TITLES
from awards.models import Nomination, RuleSet
from awards.queries import (
    HISTORY_YEARS,
    MemberCounts,
    PeopleFacts,
    Scope,
    count_members,
    engine_code,
    holds_counting,
    iter_people,
    iter_units,
    load_people_facts,
    subtree_scope,
)

LONG_HISTORY_YEARS = 20
PERSON = "person"
UNIT = "unit"
SubjectKind = Literal["person", "unit"]
INDIVIDUAL_LADDER = tuple(str(code) for code in INDIVIDUAL_TITLES)
COLLECTIVE_LADDER = tuple(str(code) for code in COLLECTIVE_TITLES)
EXPLAIN_BATCH = 2000  # subjects judged with their reasons at a time (an export)

__all__ = [
    "HISTORY_YEARS",
    "LONG_HISTORY_YEARS",
    "PERSON",
    "UNIT",
    "EligibilityReport",
    "RuleBasis",
    "SubjectEligibility",
    "check_nomination",
    "engine_code",
    "evaluate_year",
    "judge_nominations",
    "judgement_date",
    "load_person_histories",
    "load_unit_histories",
    "nomination_date",
    "rule_basis_on",
    "rule_params_on",
]


# --- the rule set in force ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleBasis:
    """The parameters used on a day, where they come from, and whether they only approximate the
    law of that day (a day before the first rule set)."""

    name: str
    legal_basis: str
    effective_from: datetime.date | None
    effective_to: datetime.date | None
    params: RuleParams
    rule_set_id: int | None = None  # None: the engine's built-in parameter set (no RuleSet row)
    approximate: bool = False


def _built_in_basis(day: datetime.date) -> RuleBasis:
    """The engine's own parameter set for the day (the earliest one before 01/01/2024)."""
    earliest = LEGAL_PARAMETER_SETS[0]
    parameter_set = next((item for item in LEGAL_PARAMETER_SETS if item.in_force(day)), earliest)
    return RuleBasis(
        name=parameter_set.name,
        legal_basis=parameter_set.legal_basis,
        effective_from=parameter_set.effective_from,
        effective_to=parameter_set.effective_to,
        params=parameter_set.params,
        approximate=not parameter_set.in_force(day),
    )


def rule_basis_on(day: datetime.date) -> RuleBasis:
    """The rule set in force on `day` with its parameters, in one query (see the module docstring):
    the RuleSet row covering the day; before the first row, the first row (approximate); in a gap
    between rows or without rows, the engine's built-in set for the day."""
    rows = list(RuleSet.objects.order_by("effective_from", "pk"))
    chosen = None
    for row in rows:
        if row.effective_from <= day and (row.effective_to is None or day <= row.effective_to):
            chosen = row
    approximate = False
    if chosen is None and rows and day < rows[0].effective_from:
        chosen, approximate = rows[0], True
    if chosen is None:
        return _built_in_basis(day)
    return RuleBasis(
        name=chosen.name,
        legal_basis=chosen.legal_basis,
        effective_from=chosen.effective_from,
        effective_to=chosen.effective_to,
        params=RuleParams.from_dict(chosen.params),
        rule_set_id=chosen.pk,
        approximate=approximate,
    )


def rule_params_on(day: datetime.date) -> RuleParams:
    """The rule parameters in force on `day` (a nomination's submission date, a decision date)."""
    return rule_basis_on(day).params


def judgement_date(year: int, *, today: datetime.date | None = None) -> datetime.date:
    """The day the yearly list judges `year` on: today for the current year and the year before,
    else 31/12 of the year after it."""
    today = today or timezone.localdate()
    if year >= today.year - 1:
        return today
    return datetime.date(year + 1, 12, 31)


# --- facts ------------------------------------------------------------------------------------------------


def load_person_histories(
    year: int, *, unit_ids: Iterable[int] | None = None, on: datetime.date | None = None
) -> dict[int, PersonHistory]:
    """The engine's facts about every staff member judged for `year` in the given units' subtrees
    (the whole organisation when None), keyed by staff id; open reviews as on `on` (default:
    `judgement_date(year)`). A fixed number of queries whatever the number of staff."""
    on = on or judgement_date(year)
    return load_people_facts(year, scope=subtree_scope(unit_ids), on=on).histories


def _members_of(people: PeopleFacts, year: int, params: RuleParams) -> MemberCounts:
    """The member counts of the units from the staff gathered: those holding (not ad hoc) or
    qualifying for LĐTT and for CSTĐCS in the year."""
    ldtt, cstdcs = set(), set()
    for staff_id, history in people.histories.items():
        qualifies = person_qualifies(history, Code.LDTT, year, params)
        if qualifies or holds_counting(history, year, Code.LDTT):
            ldtt.add(staff_id)
        if (qualifies and person_qualifies(history, Code.CSTDCS, year, params)) or holds_counting(
            history, year, Code.CSTDCS
        ):
            cstdcs.add(staff_id)
    return count_members(year, people, ldtt, cstdcs)


def _unit_histories(
    year: int, *, scope: Scope, on: datetime.date, members: MemberCounts, history_years: int = HISTORY_YEARS
) -> dict[int, UnitHistory]:
    units = iter_units(year, scope=scope, on=on, members=members, history_years=history_years)
    return {unit.pk: history for unit, history in units}


def load_unit_histories(
    year: int,
    *,
    unit_ids: Iterable[int] | None = None,
    on: datetime.date | None = None,
    params: RuleParams | None = None,
) -> dict[int, UnitHistory]:
    """The engine's facts about every unit of the given units' subtrees (the whole organisation
    when None), keyed by unit id. Loads the staff of those units too and judges their LĐTT and
    CSTĐCS under `params` (default: the rule set in force on `on`) for the member counts.
    A fixed number of queries whatever the number of staff and units."""
    on = on or judgement_date(year)
    params = params or rule_params_on(on)
    scope = subtree_scope(unit_ids)
    members = _members_of(load_people_facts(year, scope=scope, on=on), year, params)
    return _unit_histories(year, scope=scope, on=on, members=members)


# --- the year's verdicts --------------------------------------------------------------------------------


class _Explainer:
    """Judges subjects of a yearly run again, with their reasons, when they are shown: their facts
    are read again (a fixed number of queries for any number of them); a unit's member counts are
    those of the run."""

    def __init__(self, year: int, on: datetime.date, params: RuleParams, members: MemberCounts) -> None:
        self.year, self.on, self.params, self.members = year, on, params, members

    @transaction.atomic(savepoint=False)
    def explain(self, rows: Iterable[SubjectEligibility]) -> None:
        rows = list(rows)
        people = {row.subject_id: row for row in rows if row.kind == PERSON}
        units = {row.subject_id: row for row in rows if row.kind == UNIT}
        year, params = self.year, self.params
        if people:
            for person in iter_people(year, scope=Scope(), on=self.on, staff_ids=list(people)):
                known = {code: check_person(person.history, code, year, params) for code in INDIVIDUAL_LADDER}
                object.__setattr__(people[person.staff_id], "known", known)
        if units:
            for unit, history in iter_units(
                year, scope=Scope(), on=self.on, members=self.members, unit_ids=list(units)
            ):
                verdicts = best_titles_for_unit(history, year, params, on=self.on)
                object.__setattr__(units[unit.pk], "known", {str(v.title_code): v for v in verdicts})


@dataclass(frozen=True, eq=False, slots=True)
class SubjectEligibility:
    """One staff member or unit judged for the titles of its ladder (lowest first): the titles it
    qualifies for, the highest of them, and the next one up with the reasons it is not met.

    A yearly run keeps only which titles are met; the verdicts with their reasons are judged when
    first asked for (`verdict_for`), for many rows at once with `EligibilityReport.explain`.
    """

    kind: SubjectKind
    subject_id: int
    code: str
    name: str
    unit_id: int | None  # the staff member's unit of the year; a unit's own id
    unit_name: str  # the staff member's unit of the year; the unit above a unit
    ladder: tuple[str, ...]
    eligible_codes: frozenset[str]
    path: str = ""  # the tree path of the staff member's unit of the year; a unit's own path
    source: _Explainer | None = field(default=None, repr=False)
    known: dict[str, Verdict] | None = field(default=None, repr=False)

    @property
    def sort_key(self) -> tuple:
        """Tree order: a unit, then its staff by name, then the units below."""
        return (self.path, 0 if self.kind == UNIT else 1, self.name.casefold(), self.code)

    @property
    def qualifies(self) -> bool:
        return bool(self.eligible_codes)

    @property
    def highest_code(self) -> str | None:
        """The highest title qualified for (as `ladder_position` reads the verdicts)."""
        return next((code for code in reversed(self.ladder) if code in self.eligible_codes), None)

    @property
    def next_code(self) -> str | None:
        """The title above the highest one qualified for (the lowest title when none is)."""
        highest = self.highest_code
        following = self.ladder.index(highest) + 1 if highest is not None else 0
        return self.ladder[following] if following < len(self.ladder) else None

    @property
    def highest(self) -> Verdict | None:
        code = self.highest_code
        return self.verdict_for(code) if code is not None else None

    @property
    def next_up(self) -> Verdict | None:
        """The verdict on the next title up, with the reasons it is not met."""
        code = self.next_code
        return self.verdict_for(code) if code is not None else None

    def qualifies_for(self, code: str) -> bool:
        return code in self.eligible_codes

    def verdict_for(self, code: str) -> Verdict:
        if code not in self.ladder:
            raise KeyError(code)
        if self.known is None and self.source is not None:
            self.source.explain((self,))
        if self.known is None:  # no source, or the subject is gone since the run
            raise KeyError(code)
        return self.known[code]

    def forget(self) -> None:
        """Drop the verdicts judged (they are judged again when asked for)."""
        object.__setattr__(self, "known", None)

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        """Every verdict of the ladder, lowest title first (as `best_titles_for_*` gives them)."""
        return tuple(self.verdict_for(code) for code in self.ladder)


@dataclass(frozen=True)
class EligibilityReport:
    """The verdicts of a year for the staff and units judged, under one rule set; `people` and
    `units` each in tree order."""

    year: int
    on: datetime.date
    basis: RuleBasis
    people: tuple[SubjectEligibility, ...]
    units: tuple[SubjectEligibility, ...]

    def rows(
        self, *, kind: SubjectKind | None = None, title: str | None = None, qualifies: bool | None = None
    ) -> list[SubjectEligibility]:
        """Units and staff in tree order (a unit, then its staff by name, then the units below).

        `title` keeps the subjects judged for that title and, with `qualifies`, those who do (True)
        or do not (False) qualify for it; without a title, `qualifies` asks for any title at all.
        """

        def keep(row: SubjectEligibility) -> bool:
            if title is not None:
                return title in row.ladder and (qualifies is None or row.qualifies_for(title) is qualifies)
            return qualifies is None or row.qualifies is qualifies

        groups = [rows for name, rows in ((UNIT, self.units), (PERSON, self.people)) if kind in (None, name)]
        chosen = [[row for row in rows if keep(row)] for rows in groups]
        return list(heapq.merge(*chosen, key=lambda row: row.sort_key)) if len(chosen) > 1 else chosen[0]

    def summary(self, *, kind: SubjectKind | None = None) -> list[tuple[SubjectKind, str | None, int]]:
        """(kind, highest title, count) for each ladder: first those qualifying for no title
        (None), then each title, lowest first. Units first, then staff."""
        result: list[tuple[SubjectKind, str | None, int]] = []
        ladders = ((UNIT, self.units, COLLECTIVE_TITLES), (PERSON, self.people, INDIVIDUAL_TITLES))
        for name, rows, ladder in ladders:
            if kind not in (None, name):
                continue
            counts = Counter(row.eligible_codes for row in rows)  # few distinct sets: shared
            highest: dict[str | None, int] = defaultdict(int)
            for codes, count in counts.items():
                highest[next((str(code) for code in reversed(ladder) if code in codes), None)] += count
            result.append((name, None, highest[None]))
            result.extend((name, str(code), highest[str(code)]) for code in ladder)
        return result

    def explain(self, rows: Iterable[SubjectEligibility]) -> None:
        """Judge the rows' verdicts with their reasons at once (a page of the list)."""
        waiting = [row for row in rows if row.known is None and row.source is not None]
        sources = {id(row.source): row.source for row in waiting}
        for source in sources.values():
            source.explain(row for row in waiting if row.source is source)

    def explained(
        self, rows: Iterable[SubjectEligibility], *, batch: int = EXPLAIN_BATCH
    ) -> Iterator[SubjectEligibility]:
        """The rows with their verdicts judged `batch` at a time and dropped once passed on (an
        export of every row in bounded memory)."""
        rows = iter(rows)
        while chunk := list(itertools.islice(rows, batch)):
            self.explain(chunk)
            for row in chunk:
                yield row
                row.forget()


def _holds(history: PersonHistory, year: int, code: str) -> bool:
    """The title is held for the year and may serve as a prerequisite (rule 14)."""
    record = history.years.get(year)
    return record is not None and any(
        held.code == code and not is_ad_hoc_excluded(held) for held in record.titles
    )


def _may_qualify(
    history: PersonHistory, code: str, year: int, params: RuleParams, eligible: set[str]
) -> bool:
    """A cheap necessary condition of each individual title: the engine judges a staff member for
    the titles it may reach only (most staff: LĐTT, and CSTĐCS for the LĐTT holders); a title
    skipped is not met, and its verdict is judged when shown (as the next title up). A test
    checks that the answers stay those of the engine on the whole ladder:

    - CSTĐCS needs every condition of LĐTT (rules 1, 13; a CSTĐCS registration covers LĐTT);
    - CSTĐ cấp Bộ needs CSTĐCS held in each earlier year of its run (rule 3);
    - CSTĐ toàn quốc needs CSTĐ cấp Bộ held for each earlier run (rule 4).
    """
    if code == Code.CSTDCS:
        return Code.LDTT in eligible
    if code == Code.CSTD_BO:
        first = year - params.cstd_bo_run_years + 1
        return all(_holds(history, each, Code.CSTDCS) for each in range(first, year))
    if code == Code.CSTD_TQ:
        step = params.cstd_bo_run_years
        return all(
            _holds(history, year - step * index, Code.CSTD_BO)
            for index in range(1, params.cstd_tq_consecutive_awards)
        )
    return True


def _person_titles(history: PersonHistory, year: int, params: RuleParams) -> set[str]:
    """The individual titles the staff member qualifies for (only those it may reach are judged)."""
    eligible: set[str] = set()
    for code in INDIVIDUAL_LADDER:
        if _may_qualify(history, code, year, params, eligible) and person_qualifies(
            history, code, year, params
        ):
            eligible.add(code)
    return eligible


def evaluate_year(
    year: int, *, on: datetime.date | None = None, unit_ids: Iterable[int] | None = None
) -> EligibilityReport:
    """Judge every staff member and unit of the given units' subtrees (the whole organisation when
    None) for the emulation titles of `year`, under the rule set in force on `on` (default:
    `judgement_date(year)`). The staff first: the units' member counts use their verdicts. Units
    that did not exist in the year are left out. Read-only; 18 queries whatever the number of staff
    and units (19 with a unit filter).

    The facts stream by one subject at a time and are dropped once judged: the report keeps which
    titles each subject meets, and judges the verdicts with their reasons when they are shown
    (`EligibilityReport.explain`), so the memory needed stays small whatever the number of staff.
    """
    with transaction.atomic(savepoint=False):  # the cursors of the streams live in one transaction
        return _evaluate_year(year, on or judgement_date(year), unit_ids)


def _evaluate_year(year: int, on: datetime.date, unit_ids: Iterable[int] | None) -> EligibilityReport:
    basis = rule_basis_on(on)
    params = basis.params
    scope = subtree_scope(unit_ids)
    members = MemberCounts(year)
    source = _Explainer(year, on, params, members)
    shared: dict[frozenset[str], frozenset[str]] = {}  # few distinct sets of titles: one instance each
    by_path: dict[str, list[SubjectEligibility]] = defaultdict(list)
    for person in iter_people(year, scope=scope, on=on):
        history = person.history
        eligible = frozenset(_person_titles(history, year, params))
        eligible = shared.setdefault(eligible, eligible)
        members.add(
            history,
            person.path,
            ldtt=Code.LDTT in eligible or holds_counting(history, year, Code.LDTT),
            cstdcs=Code.CSTDCS in eligible or holds_counting(history, year, Code.CSTDCS),
        )
        by_path[person.path or ""].append(
            SubjectEligibility(
                PERSON,
                person.staff_id,
                person.staff_code,
                person.full_name,
                person.unit_id,
                "",
                INDIVIDUAL_LADDER,
                eligible,
                person.path or "",
                source,
            )
        )
    names: dict[int, str] = {}
    unit_rows = []
    for unit, history in iter_units(year, scope=scope, on=on, members=members):
        names[unit.pk] = unit.name
        if not unit.exists_in(year):
            continue
        eligible = frozenset(
            code for code in COLLECTIVE_LADDER if unit_qualifies(history, code, year, params, on=on)
        )
        unit_rows.append(
            SubjectEligibility(
                UNIT,
                unit.pk,
                unit.code,
                unit.name,
                unit.pk,
                unit.parent_name,
                COLLECTIVE_LADDER,
                shared.setdefault(eligible, eligible),
                unit.path,
                source,
            )
        )
    unit_rows.sort(key=lambda row: row.sort_key)
    person_rows: list[SubjectEligibility] = []
    for path in sorted(by_path):
        group = by_path.pop(path)
        group.sort(key=lambda row: (row.name.casefold(), row.code))
        for row in group:
            object.__setattr__(row, "unit_name", names.get(row.unit_id, ""))  # type: ignore[arg-type]
        person_rows.extend(group)
    return EligibilityReport(year=year, on=on, basis=basis, people=tuple(person_rows), units=tuple(unit_rows))


# --- one nomination -------------------------------------------------------------------------------------


def nomination_date(nomination: Nomination) -> datetime.date:
    """The day a nomination is judged on: its submission date, or today before it is submitted."""
    if nomination.submitted_at is not None:
        return timezone.localdate(nomination.submitted_at)
    return timezone.localdate()


def check_nomination(nomination: Nomination, *, on: datetime.date | None = None) -> Verdict:
    """The verdict on one nomination, under the rule set in force on `on` (default: its
    submission date, today before it is submitted), with the facts of its subject only.
    Read-only: the caller stores `verdict.to_dict()` in `Nomination.eligibility`."""
    return judge_nominations([nomination], on=on or nomination_date(nomination))[nomination.pk]


def judge_nominations(nominations: Iterable[Nomination], *, on: datetime.date) -> dict[int, Verdict]:
    """The verdicts on nominations of one year (a council's agenda, one step), judged on `on`:
    the rule set in force that day, open reviews and dissolution as on that day. Read-only; a
    fixed number of queries whatever the number of nominations.

    A staff member is judged on its own facts; a unit with the staff of its subtree (its member
    counts). Forms of rule 11 read LONG_HISTORY_YEARS of history.
    """
    nominations = list(nominations)
    params = rule_params_on(on)
    verdicts: dict[int, Verdict] = {}
    for year in sorted({nomination.year for nomination in nominations}):
        of_year = [nomination for nomination in nominations if nomination.year == year]
        codes = {nomination.pk: engine_code(nomination.award_type.code) for nomination in of_year}
        long = any(code not in EMULATION_TITLES for code in codes.values())
        history_years = LONG_HISTORY_YEARS if long else HISTORY_YEARS
        people = [nomination for nomination in of_year if nomination.staff_id is not None]
        units = [nomination for nomination in of_year if nomination.staff_id is None]
        if people:
            facts = load_people_facts(
                year,
                scope=Scope(),
                on=on,
                staff_ids=[nomination.staff_id for nomination in people],
                history_years=history_years,
            )
            for nomination in people:
                staff_id = nomination.staff_id
                person = facts.histories.get(staff_id) or PersonHistory(staff_id=staff_id)
                verdicts[nomination.pk] = check_person(person, codes[nomination.pk], year, params)
        if units:
            scope = subtree_scope([nomination.unit_id for nomination in units])
            members = _members_of(load_people_facts(year, scope=scope, on=on), year, params)
            histories = _unit_histories(
                year, scope=scope, on=on, members=members, history_years=history_years
            )
            for nomination in units:
                unit = histories.get(nomination.unit_id) or UnitHistory(unit_id=nomination.unit_id)
                verdicts[nomination.pk] = check_unit(unit, codes[nomination.pk], year, params, on=on)
    return verdicts

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
  (a posting from 15/03 counts April to December: 9; from 01/03: 10). Maternity leave is not
  recorded in the database yet, so `maternity_leave_months` is 0.
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

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

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
)
from awards.eligibility.facts import COLLECTIVE_TITLES, EMULATION_TITLES, INDIVIDUAL_TITLES
from awards.models import Nomination, RuleSet
from awards.queries import (
    HISTORY_YEARS,
    PeopleFacts,
    Scope,
    UnitRow,
    engine_code,
    holders,
    load_people_facts,
    load_unit_facts,
    subtree_scope,
)

LONG_HISTORY_YEARS = 20
PERSON = "person"
UNIT = "unit"
SubjectKind = Literal["person", "unit"]
INDIVIDUAL_LADDER = tuple(str(code) for code in INDIVIDUAL_TITLES)
COLLECTIVE_LADDER = tuple(str(code) for code in COLLECTIVE_TITLES)

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


def _member_titles(people: PeopleFacts, year: int, params: RuleParams) -> tuple[set[int], set[int]]:
    """The staff holding or qualifying for LĐTT and for CSTĐCS in the year (for the member counts)."""
    ldtt, cstdcs = [], []
    for staff_id, history in people.histories.items():
        if check_person(history, Code.LDTT, year, params).eligible:
            ldtt.append(staff_id)
            if check_person(history, Code.CSTDCS, year, params).eligible:
                cstdcs.append(staff_id)
    return holders(people, year, Code.LDTT, ldtt), holders(people, year, Code.CSTDCS, cstdcs)


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
    people = load_people_facts(year, scope=scope, on=on)
    ldtt, cstdcs = _member_titles(people, year, params)
    histories, _units = load_unit_facts(year, scope=scope, on=on, people=people, ldtt=ldtt, cstdcs=cstdcs)
    return histories


# --- the year's verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SubjectEligibility:
    """One staff member or unit judged for the titles of its ladder (lowest first): the titles it
    qualifies for, the highest of them, and the next one up with the reasons it is not met.

    The verdicts not needed for those are judged when first asked for (`verdict_for`).
    """

    kind: SubjectKind
    subject_id: int
    code: str
    name: str
    unit_id: int | None  # the staff member's unit of the year; a unit's own id
    unit_name: str  # the staff member's unit of the year; the unit above a unit
    ladder: tuple[str, ...]
    eligible_codes: frozenset[str]
    sort_key: tuple = ()
    judge: Callable[[str], Verdict] | None = field(default=None, repr=False)
    known: dict[str, Verdict] = field(default_factory=dict, repr=False)

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
        if code not in self.known:
            if code not in self.ladder or self.judge is None:
                raise KeyError(code)
            self.known[code] = self.judge(code)
        return self.known[code]

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        """Every verdict of the ladder, lowest title first (as `best_titles_for_*` gives them)."""
        return tuple(self.verdict_for(code) for code in self.ladder)


@dataclass(frozen=True)
class EligibilityReport:
    """The verdicts of a year for the staff and units judged, under one rule set."""

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
        groups = {PERSON: self.people, UNIT: self.units}
        chosen = [row for name, rows in groups.items() if kind in (None, name) for row in rows]
        if title is not None:
            chosen = [row for row in chosen if title in row.ladder]
            if qualifies is not None:
                chosen = [row for row in chosen if row.qualifies_for(title) is qualifies]
        elif qualifies is not None:
            chosen = [row for row in chosen if row.qualifies is qualifies]
        return sorted(chosen, key=lambda row: row.sort_key)

    def summary(self, *, kind: SubjectKind | None = None) -> list[tuple[SubjectKind, str | None, int]]:
        """(kind, highest title, count) for each ladder: first those qualifying for no title
        (None), then each title, lowest first. Units first, then staff."""
        result: list[tuple[SubjectKind, str | None, int]] = []
        ladders = ((UNIT, self.units, COLLECTIVE_TITLES), (PERSON, self.people, INDIVIDUAL_TITLES))
        for name, rows, ladder in ladders:
            if kind not in (None, name):
                continue
            counts: dict[str | None, int] = defaultdict(int)
            for row in rows:
                counts[row.highest_code] += 1
            result.append((name, None, counts[None]))
            result.extend((name, str(code), counts[str(code)]) for code in ladder)
        return result


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


def _person_row(
    staff_id: int, history: PersonHistory, year: int, params: RuleParams, people: PeopleFacts
) -> SubjectEligibility:
    """The staff member's ladder (its unit's name is filled in once the units are loaded)."""

    def judge(code: str) -> Verdict:
        return check_person(history, code, year, params)

    known: dict[str, Verdict] = {}
    eligible: set[str] = set()
    for code in INDIVIDUAL_LADDER:
        if _may_qualify(history, code, year, params, eligible):
            verdict = known[code] = judge(code)
            if verdict.eligible:
                eligible.add(code)
    staff_code, name = people.labels[staff_id]
    return SubjectEligibility(
        kind=PERSON,
        subject_id=staff_id,
        code=staff_code,
        name=name,
        unit_id=people.unit_of.get(staff_id),
        unit_name="",
        ladder=INDIVIDUAL_LADDER,
        eligible_codes=frozenset(eligible),
        sort_key=(people.path_of.get(staff_id) or "", 1, name.casefold(), staff_code),
        judge=judge,
        known=known,
    )


def _unit_row(unit: UnitRow, history: UnitHistory, year: int, params: RuleParams, on) -> SubjectEligibility:
    verdicts = best_titles_for_unit(history, year, params, on=on)
    return SubjectEligibility(
        kind=UNIT,
        subject_id=unit.pk,
        code=unit.code,
        name=unit.name,
        unit_id=unit.pk,
        unit_name=unit.parent_name,
        ladder=COLLECTIVE_LADDER,
        eligible_codes=frozenset(str(verdict.title_code) for verdict in verdicts if verdict.eligible),
        sort_key=(unit.path, 0, unit.name.casefold(), unit.code),
        known={str(verdict.title_code): verdict for verdict in verdicts},
    )


def evaluate_year(
    year: int, *, on: datetime.date | None = None, unit_ids: Iterable[int] | None = None
) -> EligibilityReport:
    """Judge every staff member and unit of the given units' subtrees (the whole organisation when
    None) for the emulation titles of `year`, under the rule set in force on `on` (default:
    `judgement_date(year)`). The staff first: the units' member counts use their verdicts. Units
    that did not exist in the year are left out. Read-only; 17 queries whatever the number of staff
    and units (18 with a unit filter)."""
    on = on or judgement_date(year)
    basis = rule_basis_on(on)
    params = basis.params
    scope = subtree_scope(unit_ids)
    people = load_people_facts(year, scope=scope, on=on)
    person_rows = [
        _person_row(staff_id, history, year, params, people) for staff_id, history in people.histories.items()
    ]
    ldtt = holders(
        people, year, Code.LDTT, (row.subject_id for row in person_rows if row.qualifies_for(Code.LDTT))
    )
    cstdcs = holders(
        people, year, Code.CSTDCS, (row.subject_id for row in person_rows if row.qualifies_for(Code.CSTDCS))
    )
    histories, units = load_unit_facts(year, scope=scope, on=on, people=people, ldtt=ldtt, cstdcs=cstdcs)
    person_rows = [
        dataclasses.replace(row, unit_name=units[row.unit_id].name if row.unit_id in units else "")
        for row in person_rows
    ]
    unit_rows = [
        _unit_row(units[unit_id], history, year, params, on)
        for unit_id, history in histories.items()
        if units[unit_id].exists_in(year)
    ]
    return EligibilityReport(year=year, on=on, basis=basis, people=tuple(person_rows), units=tuple(unit_rows))


# --- one nomination -------------------------------------------------------------------------------------


def nomination_date(nomination: Nomination) -> datetime.date:
    """The day a nomination is judged on: its submission date, or today before it is submitted."""
    if nomination.submitted_at is not None:
        return timezone.localdate(nomination.submitted_at)
    return timezone.localdate()


def check_nomination(nomination: Nomination) -> Verdict:
    """The verdict on one nomination, under the rule set in force on its submission date (today
    before it is submitted), with the facts of its subject only. Read-only: the caller stores
    `verdict.to_dict()` in `Nomination.eligibility`. A fixed number of queries.

    A staff member is judged on its own facts; a unit with the staff of its subtree (its member
    counts). Forms of rule 11 read LONG_HISTORY_YEARS of history.
    """
    on = nomination_date(nomination)
    params = rule_params_on(on)
    code = engine_code(nomination.award_type.code)
    year = nomination.year
    history_years = LONG_HISTORY_YEARS if code not in EMULATION_TITLES else HISTORY_YEARS
    if nomination.staff_id is not None:
        people = load_people_facts(
            year, scope=Scope(), on=on, staff_ids=[nomination.staff_id], history_years=history_years
        )
        person = people.histories.get(nomination.staff_id) or PersonHistory(staff_id=nomination.staff_id)
        return check_person(person, code, year, params)
    scope = subtree_scope([nomination.unit_id])
    people = load_people_facts(year, scope=scope, on=on)
    ldtt, cstdcs = _member_titles(people, year, params)
    histories, _units = load_unit_facts(
        year, scope=scope, on=on, people=people, ldtt=ldtt, cstdcs=cstdcs, history_years=history_years
    )
    unit = histories.get(nomination.unit_id) or UnitHistory(unit_id=nomination.unit_id)
    return check_unit(unit, code, year, params, on=on)

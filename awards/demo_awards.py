"""The awards side of the demo (awards/demo.py): council sessions and ballots, decisions, and the
yearly awards of each person and top-level unit, judged by the engine.

Everything here works on one chunk of people drawn by awards/demo.py and collects rows in a
`Batch` that demo.py writes; the council, the decisions and the rules in force are shared by the
whole run (`Run`). See the docstring of awards/demo.py for the conventions the facts follow.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from awards.eligibility import (
    DECREE_98_2023,
    Code,
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    PersonHistory,
    PersonYear,
    RuleParams,
    UnitHistory,
    UnitYear,
    base_salary_on,
    check_person,
    check_unit,
    council_vote_passes,
    params_in_force,
)
from awards.enums import AwardLevel, DisciplineLevel, NominationState, RatingGrade, VoteChoice
from awards.models import (
    AwardRecord,
    AwardType,
    CouncilSeat,
    CouncilSession,
    Decision,
    Discipline,
    Initiative,
    Nomination,
)
from units.demo import DemoContext
from units.enums import Gender

YEARS = range(2021, 2026)
BATCH_SIZE = 5000
LDTT_MONTHS = 10
AIMING_HIGH = frozenset({Code.CSTDCS, Code.CSTD_BO, Code.CSTD_TQ})
INDIVIDUAL_LADDER = frozenset({Code.LDTT, *AIMING_HIGH})

BK_BO_SHARE = 0.5  # of those who qualify for the Minister's Bằng khen, given it
PENDING_SHARE = 0.35  # of the others in the last year: a proposal still in the pipeline
COUNCIL_REJECT_SHARE = 0.02  # of CSTĐCS nominations, turned down by the council
ONE_SHORT_SHARE = 0.2  # of approved nominations, one member did not vote yes

COUNCIL_USERNAMES = ("lanhdao", "thuongtruc", *(f"hoidong{number}" for number in range(1, 10)))
CHAIR_AND_SECRETARY = 2  # the first two are always present
PRESENT_BY_YEAR = {2021: 11, 2022: 10, 2023: 9, 2024: 10, 2025: 11}
# Yes votes forced on the first nominations, so that the thresholds' edges show: CSTĐ cấp Bộ needs
# 90 % of the 11 members (10 yes), CSTĐCS and the flag 80 % (9 yes).
EDGE_VOTES_PER_RUN = {Code.CSTD_BO: (9, 10), Code.CO_BO: (9,)}
EDGE_VOTES_PER_YEAR = {Code.CSTDCS: (8, 9)}

# Decisions: the number series of the Department (Cục trưởng) and of the Ministry (Bộ trưởng).
DEPARTMENT_SERIES = ("{number}/QĐ-HQ", 35, 12, 3, 12)  # format, first number, yearly step, step, day
MINISTRY_SERIES = ("{number}/QĐ-BTC", 112, 25, 4, 16)
DEPARTMENT_SIGNER = "Cục trưởng"
MINISTRY_SIGNER = "Bộ trưởng Bộ Tài chính"
DEPARTMENT_CODES = ("LDTT", "CSTDCS", "TTLDTT")
MINISTRY_CODES = ("TTLDXS", "CSTD_BO", "BK_BO_CN", "CO_BO")
SESSION_TITLE = "Phiên họp Hội đồng Thi đua – Khen thưởng xét khen thưởng năm {year}"
SUPPLEMENT_NOTE = "Đề nghị bổ sung biên bản họp xét của đơn vị và báo cáo thành tích có xác nhận."


class UnitRow(NamedTuple):
    """The columns of a unit the demo needs."""

    pk: int
    code: str
    name: str
    path: str
    depth: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @property
    def top_id(self) -> int:
        """The top-level unit this unit belongs to (itself for the root and the top level)."""
        ids = self.path.strip("/").split("/")
        return int(ids[1]) if len(ids) > 1 else self.pk

    @property
    def root_id(self) -> int:
        return int(self.path.strip("/").split("/")[0])

    def rated_in(self, year: int) -> bool:
        """Rated for a year it existed in from start to end."""
        return (self.valid_from is None or self.valid_from <= datetime.date(year, 1, 1)) and (
            self.valid_to is None or self.valid_to >= datetime.date(year, 12, 31)
        )


class Lead(NamedTuple):
    """The first unit of a cluster in a year's final ranking: its snapshot and cluster."""

    snapshot_id: int
    cluster_id: int
    cluster_name: str
    targets_met: bool  # every target of its pledge reached by its finalised self-assessment (rule 8)


def months_worked(first_posting: datetime.date | None, year: int) -> int:
    """Months worked in `year` counted from the first posting: whole months left after a posting
    during the year (a posting on the 1st counts its month)."""
    if first_posting is None or first_posting.year > year:
        return 0
    if first_posting <= datetime.date(year, 1, 1):
        return 12
    return 12 - first_posting.month + (1 if first_posting.day == 1 else 0)


def decision_plan(code: str, year: int) -> tuple[str, datetime.date, str, str]:
    """The demo decision for an award and year: its number, date (mid-January of the next year),
    signer and level. The Department's decisions are numbered in one series, the Ministry's in another."""
    department = code in DEPARTMENT_CODES
    codes = DEPARTMENT_CODES if department else MINISTRY_CODES
    number_format, first, yearly, step, day = DEPARTMENT_SERIES if department else MINISTRY_SERIES
    position = codes.index(code)
    number = first + yearly * (year - YEARS.start) + step * position
    signer, level = (
        (DEPARTMENT_SIGNER, AwardLevel.UNIT) if department else (MINISTRY_SIGNER, AwardLevel.MINISTRY)
    )
    return number_format.format(number=number), datetime.date(year + 1, 1, day + position), signer, level


@dataclasses.dataclass
class Sitting:
    """A year's council session: its members, those present, and who votes (with written votes)."""

    session: CouncilSession
    members: int
    present: int
    voters: list[tuple[int, bool]]  # (user id, written vote of an absent member)
    in_session: object = None  # when the votes were cast, ready for the database
    in_writing: object = None

    def __post_init__(self) -> None:
        held_on = self.session.held_on
        self.in_session = _db_datetime(datetime.datetime.combine(held_on, datetime.time(10)))
        written = datetime.datetime.combine(held_on - datetime.timedelta(days=1), datetime.time(16))
        self.in_writing = _db_datetime(written)


def seed_sessions(ctx: DemoContext) -> dict[int, Sitting]:
    """One closed session a year, in January after the year, with the eleven demo members."""
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=COUNCIL_USERNAMES).order_by("username")
    }
    members = [users[name] for name in COUNCIL_USERNAMES if name in users]
    if not members:
        return {}
    secretary = users.get("thuongtruc")
    titles = {SESSION_TITLE.format(year=year): year for year in YEARS}
    existing = {titles[s.title]: s for s in CouncilSession.objects.filter(title__in=titles)}
    seats = []
    for year in YEARS:
        if year in existing:
            continue
        held_on = datetime.date(year + 1, 1, 8)
        session = CouncilSession.objects.create(
            title=SESSION_TITLE.format(year=year),
            year=year,
            held_on=held_on,
            is_closed=True,
            closed_at=timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(17))),
            created_by=secretary,
        )
        existing[year] = session
        present = min(PRESENT_BY_YEAR.get(year, len(members)), len(members))
        optional = members[CHAIR_AND_SECRETARY:]
        absent = set(
            ctx.rng_for("council", year).sample(optional, min(len(optional), len(members) - present))
        )
        seats += [
            CouncilSeat(session=session, member=member, attended=member not in absent) for member in members
        ]
    CouncilSeat.objects.bulk_create(seats, batch_size=BATCH_SIZE)
    attendance: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for session_id, member_id, attended in (
        CouncilSeat.objects.filter(session__in=existing.values())
        .order_by("member__username")
        .values_list("session_id", "member_id", "attended")
    ):
        attendance[session_id].append((member_id, attended))
    sittings = {}
    for year, session in existing.items():
        seated = attendance[session.pk]
        present = [member_id for member_id, attended in seated if attended]
        absent = [member_id for member_id, attended in seated if not attended]
        # The first absent member (by username) sends written votes; any other does not vote.
        voters = [(member_id, False) for member_id in present] + [
            (member_id, True) for member_id in absent[:1]
        ]
        sittings[year] = Sitting(session, len(seated), len(present), voters)
    return sittings


class Council:
    """Casts the demo's secret ballots and applies rule 5 through the engine."""

    def __init__(self, sittings: dict[int, Sitting]) -> None:
        self.sittings = sittings
        self.per_run = {code: list(counts) for code, counts in EDGE_VOTES_PER_RUN.items()}
        self.per_year: dict[tuple[str, int], list[int]] = {}
        self._needed: dict[tuple[str, int], int] = {}

    def needed(self, code: str, year: int, params: RuleParams) -> int:
        """The fewest yes votes that pass (rule 5), found with the engine."""
        key = (code, year)
        if key not in self._needed:
            sitting = self.sittings[year]
            self._needed[key] = next(
                (
                    yes
                    for yes in range(sitting.members + 1)
                    if council_vote_passes(code, yes, sitting.members, sitting.present, params).eligible
                ),
                sitting.members + 1,
            )
        return self._needed[key]

    def _yes_votes(self, code: str, year: int, rng: random.Random, needed: int, voters: int) -> int:
        forced = self.per_run.get(code)
        if not forced and code in EDGE_VOTES_PER_YEAR:
            forced = self.per_year.setdefault((code, year), list(EDGE_VOTES_PER_YEAR[code]))
        if forced:
            return min(forced.pop(0), voters)
        draw = rng.random()
        if code == Code.CSTDCS and draw < COUNCIL_REJECT_SHARE:
            return max(0, needed - 1 - rng.randrange(2))
        if draw < ONE_SHORT_SHARE and voters - 1 >= needed:
            return voters - 1
        return voters

    def ballot(
        self,
        batch: Batch,
        nomination: Nomination,
        code: str,
        year: int,
        rng: random.Random,
        params: RuleParams,
    ) -> bool:
        """Record every member's vote on the nomination; True when it passes."""
        sitting = self.sittings[year]
        needed = self.needed(code, year, params)
        yes = self._yes_votes(code, year, rng, needed, len(sitting.voters))
        agreeing = set(rng.sample(range(len(sitting.voters)), yes))
        for index, (member_id, written) in enumerate(sitting.voters):
            if index in agreeing:
                choice = VoteChoice.YES
            else:
                choice = VoteChoice.NO if rng.random() < 0.75 else VoteChoice.ABSTAIN
            cast_at = sitting.in_writing if written else sitting.in_session
            batch.votes.append((nomination, sitting.session.pk, member_id, choice, written, cast_at))
        passed = council_vote_passes(code, yes, sitting.members, sitting.present, params).eligible
        nomination.session_id = sitting.session.pk
        nomination.state = NominationState.DECIDED if passed else NominationState.REJECTED
        return passed


class DecisionBook:
    """The demo's decisions, one per award and year, created the first time a record needs one."""

    def __init__(self, types: dict[str, AwardType]) -> None:
        self.types = types
        plans = {
            (code, year): decision_plan(code, year)
            for code in (*DEPARTMENT_CODES, *MINISTRY_CODES)
            if code in types
            for year in YEARS
        }
        self.plans = plans
        existing = Decision.objects.in_bulk(
            [number for number, *_rest in plans.values()], field_name="number"
        )
        self.decisions = {key: existing[plan[0]] for key, plan in plans.items() if plan[0] in existing}
        self.secretary = get_user_model().objects.filter(username="thuongtruc").first()
        self.amounts: dict[tuple[str, int], object] = {}

    def get(self, code: str, year: int) -> Decision:
        key = (code, year)
        decision = self.decisions.get(key)
        if decision is None:
            number, decided_on, signer, level = self.plans[key]
            award_type = self.types[code]
            what = "danh hiệu " if award_type.kind == "title" else ""
            # At most one row per award and year: the demo's few decisions, one insert each.
            decision = Decision.objects.create(
                number=number,
                decided_on=decided_on,
                signer=signer,
                level=level,
                title=f"Về việc tặng {what}{award_type.name} năm {year}",
                base_salary=base_salary_on(decided_on, DECREE_98_2023),
                created_by=self.secretary,
                created_at=timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(15))),
            )
            self.decisions[key] = decision
        return decision

    def amount(self, code: str, decision: Decision):
        """Coefficient × base salary on the decision date, in whole VND, ready for the database."""
        key = (code, decision.pk)
        if key not in self.amounts:
            amount = (self.types[code].coefficient * decision.base_salary).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
            field = AwardRecord._meta.get_field("amount")
            self.amounts[key] = connection.ops.adapt_decimalfield_value(
                amount, field.max_digits, field.decimal_places
            )
        return self.amounts[key]


class Person:
    """What the demo draws for one staff member, kept only while its chunk is processed."""

    __slots__ = (
        "cstdcs_ok",
        "disciplines",
        "first_posting",
        "gender",
        "grades",
        "initiatives",
        "ldtt_ok",
        "pk",
        "registered",
        "titles",
        "unit_id",
    )

    def __init__(self, pk: int, unit_id: int, gender: str, first_posting: datetime.date | None) -> None:
        self.pk = pk
        self.unit_id = unit_id
        self.gender = gender
        self.first_posting = first_posting
        self.registered: dict[int, set[str]] = defaultdict(set)
        self.grades: dict[int, str] = {}
        self.disciplines: list[DisciplineFact] = []
        self.initiatives: dict[int, list[InitiativeFact]] = defaultdict(list)
        self.titles: dict[int, list[str]] = defaultdict(list)
        self.ldtt_ok: set[int] = set()
        self.cstdcs_ok: set[int] = set()

    def aiming_high(self, year: int) -> bool:
        return bool(self.registered.get(year, set()) & AIMING_HIGH)

    def disciplined_in(self, year: int) -> list[DisciplineFact]:
        return [discipline for discipline in self.disciplines if discipline.overlaps(year)]

    def history(self, upto: int) -> PersonHistory:
        """The engine's facts about this person up to the given year."""
        years = {}
        for year in YEARS:
            months = months_worked(self.first_posting, year)
            if year > upto or (months == 0 and year not in self.grades):
                continue
            years[year] = PersonYear(
                year=year,
                rating=self.grades.get(year),
                months_worked=months,
                initiatives=tuple(self.initiatives.get(year, ())),
                titles=tuple(HeldTitle(code) for code in self.titles.get(year, ())),
                registered_titles=frozenset(self.registered.get(year, ())),
            )
        return PersonHistory(
            staff_id=self.pk,
            gender=self.gender,
            unit_id=self.unit_id,
            years=years,
            disciplines=tuple(self.disciplines),
        )


@dataclasses.dataclass
class Batch:
    """The rows of one chunk, written together."""

    ratings: list[tuple] = dataclasses.field(default_factory=list)  # rows for demo._insert
    disciplines: list[Discipline] = dataclasses.field(default_factory=list)
    initiatives: list[tuple[Initiative, list[int]]] = dataclasses.field(default_factory=list)
    nominations: list[Nomination] = dataclasses.field(default_factory=list)
    votes: list[tuple] = dataclasses.field(default_factory=list)  # (nomination, *columns)
    records: list[tuple] = dataclasses.field(default_factory=list)
    # (staff id, year): registrations raised from CSTĐCS to CSTĐ cấp Bộ in that year's pledge
    registered_higher: list[tuple[int, int]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Run:
    """What the whole seeding run shares: the catalogue, the units, the rankings' leaders, the
    council, the decisions, the rules in force per year, and the count of rows created."""

    ctx: DemoContext
    types: dict[str, AwardType]
    units: dict[int, UnitRow]
    leads: dict[tuple[int, int], Lead]
    unit_grades: dict[tuple[int, int], str]
    council: Council
    book: DecisionBook
    pledges: dict[tuple[int, int], set[str]] = dataclasses.field(default_factory=dict)
    created: Counter = dataclasses.field(default_factory=Counter)
    _params: dict[int, RuleParams] = dataclasses.field(default_factory=dict)

    def params(self, year: int) -> RuleParams:
        """The rules in force on the year's decision date (the first built-in set before 2024)."""
        if year not in self._params:
            decided_on = datetime.date(year + 1, 1, 15)
            try:
                self._params[year] = params_in_force(decided_on)
            except LookupError:
                self._params[year] = DECREE_98_2023
        return self._params[year]

    def decided_on(self, code: str, year: int) -> datetime.date:
        return self.book.plans[(code, year)][1]

    def award(
        self,
        batch: Batch,
        code: str,
        year: int,
        *,
        staff_id: int | None = None,
        unit_id: int | None = None,
        nomination: Nomination | None = None,
    ) -> None:
        decision = self.book.get(code, year)
        amount = self.book.amount(code, decision)
        batch.records.append((self.types[code].pk, year, staff_id, unit_id, decision.pk, nomination, amount))

    def nominate(
        self,
        batch: Batch,
        code: str,
        year: int,
        verdict,
        *,
        proposing_unit_id: int,
        achievements: str,
        staff_id: int | None = None,
        unit_id: int | None = None,
        snapshot_id: int | None = None,
        state: str = NominationState.SUBMITTED,
        late: bool = False,
    ) -> Nomination:
        """A nomination filed in December before the year's decisions, or (`late`) in February after."""
        created = datetime.date(year + 1, 2, 2) if late else datetime.date(year, 12, 5)
        nomination = Nomination(
            award_type_id=self.types[code].pk,
            year=year,
            staff_id=staff_id,
            unit_id=unit_id,
            proposing_unit_id=proposing_unit_id,
            state=state,
            achievements=achievements,
            eligibility=verdict.to_dict(),
            is_eligible=verdict.eligible,
            snapshot_id=snapshot_id,
            created_at=timezone.make_aware(datetime.datetime.combine(created, datetime.time(9))),
            submitted_at=timezone.make_aware(
                datetime.datetime.combine(created + datetime.timedelta(days=10), datetime.time(10))
            ),
        )
        batch.nominations.append(nomination)
        return nomination


def _ldtt_ok(person: Person, year: int) -> bool:
    """Rules 1 and 20 on the demo's facts (a discipline in the year already made the grade
    "not completed"; nobody has an open review when the year is judged)."""
    return (
        person.grades.get(year) in (RatingGrade.EXCELLENT, RatingGrade.GOOD)
        and not person.disciplined_in(year)
        and months_worked(person.first_posting, year) >= LDTT_MONTHS
        and bool(person.registered.get(year, set()) & INDIVIDUAL_LADDER)
    )


def _may_be_cstdcs(person: Person, year: int) -> bool:
    """A cheap first look for rule 2; the engine has the last word."""
    return (
        year in person.ldtt_ok
        and person.aiming_high(year)
        and (person.grades[year] == RatingGrade.EXCELLENT or bool(person.initiatives.get(year)))
    )


GRADE_WORDS = {
    RatingGrade.EXCELLENT: "hoàn thành xuất sắc nhiệm vụ",
    RatingGrade.GOOD: "hoàn thành tốt nhiệm vụ",
}


def _achievements(person: Person, year: int) -> str:
    parts = [f"Năm {year} {GRADE_WORDS.get(person.grades[year], 'hoàn thành nhiệm vụ')}"]
    count = len(person.initiatives.get(year, ()))
    if count:
        parts.append(f"có {count} sáng kiến được công nhận trong năm")
    return "; ".join(parts) + "."


def award_people(
    rng: random.Random, run: Run, batch: Batch, top: UnitRow, people: list[Person], year: int
) -> None:
    """The year's individual awards of a top-level unit's people, lowest first: LĐTT to all who
    qualify; CSTĐCS, then CSTĐ cấp Bộ, through the council; the Minister's Bằng khen to some."""
    params = run.params(year)
    for person in people:
        if _ldtt_ok(person, year):
            person.ldtt_ok.add(year)
            person.titles[year].append(Code.LDTT)
            run.award(batch, "LDTT", year, staff_id=person.pk)
    for person in people:
        if not _may_be_cstdcs(person, year):
            continue
        verdict = check_person(person.history(year), Code.CSTDCS, year, params)
        if not verdict.eligible:
            continue
        person.cstdcs_ok.add(year)
        nomination = run.nominate(
            batch,
            "CSTDCS",
            year,
            verdict,
            proposing_unit_id=top.pk,
            staff_id=person.pk,
            achievements=_achievements(person, year),
        )
        if run.council.ballot(batch, nomination, Code.CSTDCS, year, rng, params):
            person.titles[year].append(Code.CSTDCS)
            run.award(batch, "CSTDCS", year, staff_id=person.pk, nomination=nomination)
    root = top.root_id
    for person in people:
        if Code.CSTD_BO not in person.registered.get(year, ()) and _on_a_run(person, year):
            # Two CSTĐCS years behind them when the year began: they registered for the next title up.
            person.registered[year].add(Code.CSTD_BO)
            batch.registered_higher.append((person.pk, year))
    for person in people:
        if Code.CSTDCS not in person.titles.get(year, ()) or not all(
            Code.CSTDCS in person.titles.get(earlier, ()) for earlier in (year - 1, year - 2)
        ):
            continue
        verdict = check_person(person.history(year), Code.CSTD_BO, year, params)
        if not verdict.eligible:
            continue
        nomination = run.nominate(
            batch,
            "CSTD_BO",
            year,
            verdict,
            proposing_unit_id=root,
            staff_id=person.pk,
            achievements=f"Ba năm liền đạt Chiến sĩ thi đua cơ sở ({year - 2}–{year}), có sáng kiến cấp Bộ.",
        )
        if run.council.ballot(batch, nomination, Code.CSTD_BO, year, rng, params):
            person.titles[year].append(Code.CSTD_BO)
            run.award(batch, "CSTD_BO", year, staff_id=person.pk, nomination=nomination)
    for person in people:
        if not _may_be_bk_bo(person, year):
            continue
        verdict = check_person(person.history(year), Code.BK_BO, year, params)
        if not verdict.eligible:
            continue
        draw = rng.random()
        if draw < BK_BO_SHARE:
            nomination = run.nominate(
                batch,
                "BK_BO_CN",
                year,
                verdict,
                proposing_unit_id=root,
                staff_id=person.pk,
                achievements=f"Thành tích xuất sắc liên tục năm {year - 1} và {year}.",
                state=NominationState.DECIDED,
            )
            person.titles[year].append(Code.BK_BO)
            run.award(batch, "BK_BO_CN", year, staff_id=person.pk, nomination=nomination)
        elif year == YEARS[-1] and draw < BK_BO_SHARE + PENDING_SHARE:
            state = rng.choice(
                [NominationState.SUBMITTED, NominationState.SCREENING, NominationState.NEEDS_SUPPLEMENT]
            )
            nomination = run.nominate(
                batch,
                "BK_BO_CN",
                year,
                verdict,
                proposing_unit_id=root,
                staff_id=person.pk,
                achievements=f"Thành tích xuất sắc liên tục năm {year - 1} và {year}.",
                state=state,
                late=True,
            )
            if state == NominationState.NEEDS_SUPPLEMENT:
                nomination.return_reason = SUPPLEMENT_NOTE


def _on_a_run(person: Person, year: int) -> bool:
    """Registered for CSTĐCS this year after holding it the two years before."""
    return Code.CSTDCS in person.registered.get(year, ()) and all(
        Code.CSTDCS in person.titles.get(earlier, ()) for earlier in (year - 1, year - 2)
    )


def _may_be_bk_bo(person: Person, year: int) -> bool:
    """A cheap first look for rule 10: CSTĐCS two years running, or excellent two years running with
    two initiatives."""
    if all(Code.CSTDCS in person.titles.get(y, ()) for y in (year - 1, year)):
        return True
    excellent = all(person.grades.get(y) == RatingGrade.EXCELLENT for y in (year - 1, year))
    return excellent and sum(len(person.initiatives.get(y, ())) for y in (year - 1, year)) >= 2


def _worst(levels: list[str]) -> str:
    order = list(DisciplineLevel.values)
    return max(levels, key=order.index)


def award_unit(
    rng: random.Random, run: Run, batch: Batch, top: UnitRow, people: list[Person], year: int
) -> None:
    """The top-level unit's collective title of the year and, for a cluster's first, the flag."""
    registered = run.pledges.get((top.pk, year))
    lead = run.leads.get((year, top.pk))
    if not registered and lead is None:
        return
    members = [person for person in people if year in person.grades]
    record = UnitYear(
        year=year,
        rating=run.unit_grades.get((top.pk, year)),
        members=len(members),
        members_at_least_completed=sum(p.grades[year] != RatingGrade.NOT_COMPLETED for p in members),
        members_with_ldtt=sum(year in p.ldtt_ok for p in members),
        members_with_cstdcs=sum(year in p.cstdcs_ok for p in members),
        women_members=sum(p.gender == Gender.FEMALE for p in members),
        disciplined_member_levels=tuple(
            _worst([d.level for d in p.disciplined_in(year)]) for p in members if p.disciplined_in(year)
        ),
        cluster_id=lead.cluster_id if lead else None,
        ranking_position=1 if lead else None,
        all_targets_met=lead is not None and lead.targets_met,
        registered_titles=frozenset(registered or ()),
    )
    params = run.params(year)
    held = []
    for code in (Code.TTLDXS, Code.TTLDTT):
        on = run.decided_on(str(code), year)
        if check_unit(UnitHistory(unit_id=top.pk, years={year: record}), code, year, params, on=on).eligible:
            held.append(code)
            run.award(batch, str(code), year, unit_id=top.pk)
            break
    if lead is None:
        return
    history = UnitHistory(
        unit_id=top.pk, years={year: dataclasses.replace(record, titles=tuple(HeldTitle(c) for c in held))}
    )
    verdict = check_unit(history, Code.CO_BO, year, params, on=run.decided_on("CO_BO", year))
    nomination = run.nominate(
        batch,
        "CO_BO",
        year,
        verdict,
        proposing_unit_id=top.root_id,
        unit_id=top.pk,
        snapshot_id=lead.snapshot_id,
        achievements=f"Dẫn đầu {lead.cluster_name} năm {year}.",
    )
    if not verdict.eligible:
        nomination.state = NominationState.REJECTED
        return
    if run.council.ballot(batch, nomination, Code.CO_BO, year, rng, params):
        run.award(batch, "CO_BO", year, unit_id=top.pk, nomination=nomination)


def _db_datetime(value: datetime.datetime):
    """A time in the local zone (Asia/Ho_Chi_Minh) as the database takes it in a plain INSERT."""
    return connection.ops.adapt_datetimefield_value(timezone.make_aware(value))

"""The awards demo (awards/demo.py): the docs/domain.md mix, consistent facts, and awards the engine admits.

The demo of every app is seeded once for the module (scale 1, seed 2021) inside an outer
transaction rolled back after the last test; each test runs in a savepoint on top of it. The
engine's verdicts are checked against facts built here from the rows, independently of the demo's
own bookkeeping.
"""

import datetime
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.test import override_settings

from awards.eligibility import (
    DECREE_98_2023,
    DECREE_152_2025,
    Code,
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    PersonHistory,
    PersonYear,
    Verdict,
    check_person,
    council_vote_passes,
)
from awards.enums import ExemplarStage, NominationState, RatingGrade
from awards.models import (
    AwardRecord,
    CouncilSeat,
    CouncilSession,
    Decision,
    Discipline,
    Exemplar,
    Initiative,
    Nomination,
    Rating,
    ReviewFlag,
    Vote,
)
from awards.services.eligibility import check_nomination
from emulation.models import IndividualRegistration, Pledge, RankingEntry
from units.models import Assignment, Staff

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
YEARS = range(2021, 2026)
COUNCIL = {"lanhdao", "thuongtruc", *(f"hoidong{number}" for number in range(1, 10))}
AWARDS_MODELS = (
    Rating,
    Discipline,
    Initiative,
    Nomination,
    Vote,
    CouncilSession,
    CouncilSeat,
    Decision,
    AwardRecord,
    ReviewFlag,
    Exemplar,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in AWARDS_MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """Seeded twice for the module inside an outer transaction rolled back at the end; yields the
    row counts after the first run."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("seed_demo", stdout=io.StringIO())
            first = counts()
            call_command("seed_demo", stdout=io.StringIO())
        yield first
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- facts rebuilt from the rows ---------------------------------------------------------------------


def base_salary(day: datetime.date) -> Decimal:
    if day >= datetime.date(2024, 7, 1):
        return Decimal(2_340_000)
    if day >= datetime.date(2023, 7, 1):
        return Decimal(1_800_000)
    return Decimal(1_490_000)


def months_in(first_posting: datetime.date | None, year: int) -> int:
    """The demo's convention: whole months from the first posting to the end of the year."""
    if first_posting is None or first_posting.year > year:
        return 0
    if first_posting <= datetime.date(year, 1, 1):
        return 12
    return 12 - first_posting.month + (1 if first_posting.day == 1 else 0)


def person_histories() -> dict[int, PersonHistory]:
    """Every staff member's facts for 2021–2025, in a handful of queries."""
    postings = dict(
        Assignment.objects.values("staff_id")
        .annotate(first=Min("start_date"))
        .values_list("staff_id", "first")
    )
    grades: dict[int, dict[int, str]] = defaultdict(dict)
    for staff_id, year, grade in Rating.objects.filter(staff__isnull=False).values_list(
        "staff_id", "year", "grade"
    ):
        grades[staff_id][year] = grade
    registered: dict[tuple[int, int], set[str]] = defaultdict(set)
    for staff_id, year, title in IndividualRegistration.objects.values_list(
        "staff_id", "pledge__period__year", "title"
    ):
        registered[(staff_id, year)].add(title)
    initiatives: dict[tuple[int, int], list[InitiativeFact]] = defaultdict(list)
    for staff_id, level, day, nationwide, science in Initiative.authors.through.objects.values_list(
        "staff_id",
        "initiative__level",
        "initiative__recognised_on",
        "initiative__has_nationwide_effect",
        "initiative__is_science_work",
    ):
        initiatives[(staff_id, day.year)].append(InitiativeFact(level, day, nationwide, science))
    disciplines: dict[int, list[DisciplineFact]] = defaultdict(list)
    for staff_id, level, start, end in Discipline.objects.values_list(
        "staff_id", "level", "starts_on", "ends_on"
    ):
        disciplines[staff_id].append(DisciplineFact(level, start, end))
    titles: dict[tuple[int, int], list[HeldTitle]] = defaultdict(list)
    for staff_id, year, code in AwardRecord.objects.filter(staff__isnull=False, is_revoked=False).values_list(
        "staff_id", "year", "award_type__code"
    ):
        titles[(staff_id, year)].append(HeldTitle(code.removesuffix("_CN")))
    histories = {}
    for staff_id, gender in Staff.objects.values_list("pk", "gender"):
        years = {}
        for year in YEARS:
            months = months_in(postings.get(staff_id), year)
            if months == 0 and year not in grades[staff_id]:
                continue
            years[year] = PersonYear(
                year=year,
                rating=grades[staff_id].get(year),
                months_worked=months,
                initiatives=tuple(initiatives[(staff_id, year)]),
                titles=tuple(titles[(staff_id, year)]),
                registered_titles=frozenset(registered[(staff_id, year)]),
            )
        histories[staff_id] = PersonHistory(
            staff_id=staff_id, gender=gender, years=years, disciplines=tuple(disciplines[staff_id])
        )
    return histories


def rules_for(year: int):
    """The parameters in force on the year's decisions (mid-January of the next year)."""
    return DECREE_152_2025 if year >= 2025 else DECREE_98_2023


def holders(code: str, year: int) -> set[int]:
    return set(
        AwardRecord.objects.filter(award_type__code=code, year=year).values_list("staff_id", flat=True)
    )


# --- the mix -----------------------------------------------------------------------------------------


def test_demo_rating_mix_each_year_is_close_to_the_domain_mix(demo):
    for year in YEARS:
        grades = Counter(
            Rating.objects.filter(staff__isnull=False, year=year).values_list("grade", flat=True)
        )
        rated = sum(grades.values())
        share = {grade: 100 * count / rated for grade, count in grades.items()}

        assert rated > 1500, year
        assert 15 <= share[RatingGrade.EXCELLENT] <= 22, (year, share)
        assert 65 <= share[RatingGrade.GOOD] <= 75, (year, share)
        assert 7 <= share[RatingGrade.COMPLETED] <= 13, (year, share)
        assert 1 <= share[RatingGrade.NOT_COMPLETED] <= 3.5, (year, share)


def test_demo_units_are_mostly_rated_excellent_or_good(demo):
    grades = Counter(Rating.objects.filter(unit__isnull=False).values_list("grade", flat=True))

    good_or_better = grades[RatingGrade.EXCELLENT] + grades[RatingGrade.GOOD]
    assert good_or_better / sum(grades.values()) >= 0.85
    assert grades[RatingGrade.EXCELLENT] > 0
    assert grades[RatingGrade.COMPLETED] > 0


def test_demo_good_performers_tend_to_stay_good(demo):
    grades: dict[int, dict[int, str]] = defaultdict(dict)
    for staff_id, year, grade in Rating.objects.filter(staff__isnull=False).values_list(
        "staff_id", "year", "grade"
    ):
        grades[staff_id][year] = grade
    pairs = [
        (by_year[year], by_year[year + 1])
        for by_year in grades.values()
        for year in YEARS[:-1]
        if year in by_year and year + 1 in by_year
    ]
    excellent = sum(before == RatingGrade.EXCELLENT for before, _after in pairs)
    stayed = sum(before == after == RatingGrade.EXCELLENT for before, after in pairs)
    runs_of_three = sum(
        any(
            all(by_year.get(y) == RatingGrade.EXCELLENT for y in (year, year + 1, year + 2))
            for year in YEARS[:-2]
        )
        for by_year in grades.values()
    )

    assert stayed / excellent > 2 * 0.18  # far more than the 18 % a random draw would give
    assert runs_of_three >= 20


# --- facts consistent with each other ----------------------------------------------------------------


def test_demo_every_year_a_discipline_touches_is_rated_not_completed(demo):
    grades = dict(
        ((staff_id, year), grade)
        for staff_id, year, grade in Rating.objects.filter(staff__isnull=False).values_list(
            "staff_id", "year", "grade"
        )
    )
    disciplines = list(Discipline.objects.all())

    touched = [
        (discipline.staff_id, year)
        for discipline in disciplines
        for year in YEARS
        if DisciplineFact(discipline.level, discipline.starts_on, discipline.ends_on).overlaps(year)
    ]
    assert len(touched) > len(disciplines)
    assert {grades.get(key) for key in touched} == {RatingGrade.NOT_COMPLETED}


def test_demo_disciplines_are_rare_mostly_reprimands_and_some_end_mid_year(demo):
    disciplines = list(Discipline.objects.all())
    levels = Counter(discipline.level for discipline in disciplines)
    rated = Rating.objects.filter(staff__isnull=False, year__in=YEARS).count()

    assert 0.004 <= len(disciplines) / rated <= 0.012  # about 0.8 % of staff a year
    assert levels["reprimand"] > levels["warning"] > 0
    assert set(levels) == {"reprimand", "warning"}
    assert any(d.ends_on and d.ends_on.year == d.starts_on.year for d in disciplines)  # ended mid-year
    assert any(d.ends_on is None or d.ends_on > datetime.date(2025, 12, 31) for d in disciplines)  # running
    assert {d.starts_on.year for d in disciplines} == set(YEARS)
    assert all(d.decided_on <= d.starts_on for d in disciplines)


def test_demo_initiatives_are_by_one_to_three_staff_of_their_unit_in_the_autumn(demo):
    initiatives = list(Initiative.objects.annotate(authors_count=Count("authors")))
    authorship = list(Initiative.authors.through.objects.values_list("initiative__unit_id", "staff__unit_id"))
    levels = Counter(initiative.level for initiative in initiatives)

    assert {initiative.authors_count for initiative in initiatives} == {1, 2, 3}
    assert all(initiative_unit == staff_unit for initiative_unit, staff_unit in authorship)
    assert {initiative.recognised_on.month for initiative in initiatives} <= {9, 10, 11}
    assert levels["unit"] > 0.7 * len(initiatives)
    assert 0.05 <= levels["ministry"] / len(initiatives) <= 0.2
    assert 0 < levels["national"] <= 0.03 * len(initiatives)
    assert any(initiative.is_science_work for initiative in initiatives)
    for year in YEARS:
        authors = (
            Initiative.authors.through.objects.filter(initiative__recognised_on__year=year)
            .values("staff_id")
            .distinct()
            .count()
        )
        rated = Rating.objects.filter(staff__isnull=False, year=year).count()
        assert 0.06 <= authors / rated <= 0.11, year


# --- awards the engine admits ------------------------------------------------------------------------


def test_demo_ldtt_goes_to_exactly_the_people_the_engine_admits(demo):
    histories = person_histories()

    for year in YEARS:
        eligible = {
            staff_id
            for staff_id, history in histories.items()
            if check_person(history, Code.LDTT, year, rules_for(year)).eligible
        }
        rated = Rating.objects.filter(staff__isnull=False, year=year).count()
        assert holders("LDTT", year) == eligible, year
        assert 0.7 <= len(eligible) / rated <= 0.85, year


def test_demo_cstdcs_goes_to_about_a_tenth_of_staff_all_admitted_by_the_engine(demo):
    histories = person_histories()

    for year in YEARS:
        awarded = holders("CSTDCS", year)
        rated = Rating.objects.filter(staff__isnull=False, year=year).count()
        assert 0.09 <= len(awarded) / rated <= 0.13, year
        assert all(
            check_person(histories[staff_id], Code.CSTDCS, year, rules_for(year)).eligible
            for staff_id in awarded
        )
        assert awarded <= holders("LDTT", year)


def test_demo_higher_awards_follow_their_runs_as_the_engine_reads_them(demo):
    histories = person_histories()
    cstdcs = {year: holders("CSTDCS", year) for year in YEARS}
    cstd_bo = list(AwardRecord.objects.filter(award_type__code="CSTD_BO"))
    bk_bo = list(AwardRecord.objects.filter(award_type__code="BK_BO_CN"))

    assert 3 <= len(cstd_bo) <= 15
    for record in cstd_bo:
        assert all(record.staff_id in cstdcs[year] for year in range(record.year - 2, record.year + 1))
        # Rule 20 included: they registered for CSTĐ cấp Bộ in that year's pledge.
        assert check_person(
            histories[record.staff_id], Code.CSTD_BO, record.year, rules_for(record.year)
        ).eligible
        assert IndividualRegistration.objects.filter(
            staff_id=record.staff_id, pledge__period__year=record.year, title=Code.CSTD_BO
        ).exists()
    assert len(bk_bo) >= 20
    assert all(
        check_person(histories[record.staff_id], Code.BK_BO, record.year, rules_for(record.year)).eligible
        for record in bk_bo
    )


def test_demo_verdicts_are_varied(demo):
    histories = person_histories()
    year = 2025
    params = rules_for(year)

    ldtt_failures = Counter(
        reason.code
        for each in YEARS
        for history in histories.values()
        for reason in check_person(history, Code.LDTT, each, rules_for(each)).reasons
        if not reason.met
    )
    cstdcs_failures = Counter(
        reason.code
        for staff_id in holders("LDTT", year)
        for reason in check_person(histories[staff_id], Code.CSTDCS, year, params).reasons
        if not reason.met
    )
    assert {"not_registered", "rating_too_low", "rating_forced_by_discipline", "months_counted_short"} <= set(
        ldtt_failures
    )
    assert {"not_registered", "no_cstdcs_ground"} <= set(cstdcs_failures)
    assert len(holders("LDTT", year) - holders("CSTDCS", year)) > 1000  # LĐTT without the next title up


def test_demo_collective_titles_go_to_units_that_pledged(demo):
    pledged = defaultdict(set)
    for unit_id, year, title in Pledge.objects.values_list("unit_id", "period__year", "collective_title"):
        pledged[(unit_id, year)].add(title)
    grades = dict(
        ((unit_id, year), grade)
        for unit_id, year, grade in Rating.objects.filter(unit__isnull=False).values_list(
            "unit_id", "year", "grade"
        )
    )
    records = list(AwardRecord.objects.filter(award_type__code__in=["TTLDTT", "TTLDXS"]))
    per_unit_year = Counter((record.unit_id, record.year) for record in records)

    assert records
    assert all(pledged[(record.unit_id, record.year)] for record in records)
    assert set(per_unit_year.values()) == {1}  # one collective title a year
    assert all(
        grades[(record.unit_id, record.year)] == RatingGrade.EXCELLENT
        for record in records
        if record.award_type.code == "TTLDXS"
    )
    assert {record.award_type.code for record in records} == {"TTLDTT", "TTLDXS"}


def test_demo_ministry_flags_go_to_the_first_unit_of_a_final_ranking(demo):
    firsts = {
        (year, unit_id): snapshot_id
        for year, unit_id, snapshot_id in RankingEntry.objects.filter(
            rank=1, snapshot__is_current=True, snapshot__is_provisional=False, snapshot__scope="cluster"
        ).values_list("snapshot__period__year", "unit_id", "snapshot_id")
    }
    flags = list(AwardRecord.objects.filter(award_type__code="CO_BO").select_related("nomination"))
    refused = Nomination.objects.filter(award_type__code="CO_BO", state=NominationState.REJECTED)

    # Not every cluster's first qualifies (registration, every target met, the vote): both are on show.
    assert len(firsts) // 4 <= len(flags) < len(firsts)
    assert refused.exists()
    for flag in flags:
        assert (flag.year, flag.unit_id) in firsts
        assert flag.nomination.snapshot_id == firsts[(flag.year, flag.unit_id)]
        # The facts loader (the eligibility page's) agrees with the demo's judgement.
        assert check_nomination(flag.nomination).eligible, flag.nomination.pk
    assert len({(flag.year, flag.nomination.snapshot_id) for flag in flags}) == len(flags)


# --- decisions and amounts ---------------------------------------------------------------------------


def test_demo_reward_is_coefficient_times_base_salary_on_the_decision_date(demo):
    records = AwardRecord.objects.select_related("award_type", "decision")

    for record in records.iterator():
        salary = base_salary(record.decision.decided_on)
        assert record.decision.base_salary == salary
        assert record.amount == (record.award_type.coefficient * salary).quantize(Decimal(1))
    ldtt = {record.year: record.amount for record in records.filter(award_type__code="LDTT")}
    assert ldtt == {
        2021: Decimal(447_000),
        2022: Decimal(447_000),
        2023: Decimal(540_000),
        2024: Decimal(702_000),
        2025: Decimal(702_000),
    }


def test_demo_decisions_are_numbered_once_signed_by_level_and_dated_mid_january(demo):
    decisions = list(Decision.objects.all())
    numbers = [decision.number for decision in decisions]
    spans = {
        row["decision_id"]: (row["first"], row["last"])
        for row in AwardRecord.objects.order_by()
        .values("decision_id")
        .annotate(first=Min("year"), last=Max("year"))
    }

    assert len(numbers) == len(set(numbers)) >= 30
    assert all(re.fullmatch(r"\d+/QĐ-(HQ|BTC)", number) for number in numbers)
    for decision in decisions:
        first, last = spans[decision.pk]
        assert first == last == decision.decided_on.year - 1  # one year's awards, decided the next January
        assert decision.decided_on.month == 1
        assert 10 <= decision.decided_on.day <= 20
        expected = "Cục trưởng" if decision.level == "unit" else "Bộ trưởng Bộ Tài chính"
        assert decision.signer == expected
        assert decision.number.endswith("-HQ") == (decision.level == "unit")


# --- council ------------------------------------------------------------------------------------------


def test_demo_council_sits_eleven_each_year_with_nine_to_eleven_present(demo):
    sessions = list(CouncilSession.objects.prefetch_related("seats__member").order_by("year"))

    assert [session.year for session in sessions] == list(YEARS)
    present = set()
    for session in sessions:
        seats = list(session.seats.all())
        assert {seat.member.username for seat in seats} == COUNCIL
        attended = {seat.member_id for seat in seats if seat.attended}
        present.add(len(attended))
        votes = Vote.objects.filter(session=session)
        assert set(votes.values_list("member_id", flat=True)) <= {seat.member_id for seat in seats}
        assert not votes.filter(is_written=True, member_id__in=attended).exists()
        assert not votes.filter(is_written=False).exclude(member_id__in=attended).exists()
        assert session.held_on == datetime.date(session.year + 1, 1, 8)
    assert present == {9, 10, 11}


def test_demo_council_votes_decide_by_the_threshold_of_all_members_with_the_edges(demo):
    nominations = Nomination.objects.filter(session__isnull=False).annotate(
        yes=Count("votes", filter=Q(votes__choice="yes"))
    )
    present = dict(
        CouncilSeat.objects.filter(attended=True)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    edges = Counter()
    for nomination in nominations.select_related("award_type"):
        code = nomination.award_type.code
        passes = council_vote_passes(
            code, nomination.yes, 11, present[nomination.session_id], DECREE_152_2025
        )
        expected = NominationState.DECIDED if passes.eligible else NominationState.REJECTED
        assert nomination.state == expected, nomination.pk
        edges[(code, nomination.yes, nomination.state)] += 1

    assert edges[("CSTD_BO", 9, NominationState.REJECTED)] >= 1  # 9 of 11 = 81.8 % < 90 %
    assert edges[("CSTD_BO", 10, NominationState.DECIDED)] >= 1  # 10 of 11 = 90.9 %
    assert edges[("CSTDCS", 8, NominationState.REJECTED)] >= 1  # 8 of 11 = 72.7 % < 80 %
    assert edges[("CSTDCS", 9, NominationState.DECIDED)] >= 1  # 9 of 11 = 81.8 %
    assert edges[("CO_BO", 9, NominationState.DECIDED)] >= 1


def test_demo_nominations_keep_the_engine_verdict_and_decided_ones_have_their_award(demo):
    nominations = list(Nomination.objects.select_related("award_type"))
    decided = [n for n in nominations if n.state == NominationState.DECIDED]
    awarded = set(
        AwardRecord.objects.filter(nomination__isnull=False).values_list("nomination_id", flat=True)
    )
    states_2025 = {n.state for n in nominations if n.year == 2025}

    assert all(Verdict.from_dict(n.eligibility).eligible == n.is_eligible for n in nominations)
    assert all(n.is_eligible for n in decided)
    assert {n.pk for n in decided} == awarded
    assert {
        NominationState.SUBMITTED,
        NominationState.SCREENING,
        NominationState.NEEDS_SUPPLEMENT,
    } <= states_2025
    assert not Nomination.objects.filter(year__gt=2025).exists()


# --- reviews, models, idempotency ------------------------------------------------------------------


def test_demo_open_reviews_on_a_few_staff_and_one_unit(demo):
    open_reviews = ReviewFlag.objects.filter(closed_on__isnull=True)

    assert 2 <= open_reviews.filter(staff__isnull=False).count() <= 3
    assert open_reviews.filter(unit__isnull=False).count() == 1
    assert all(flag.opened_on > datetime.date(2026, 1, 20) for flag in open_reviews)  # after the decisions


def test_demo_advanced_models_at_every_stage(demo):
    exemplars = list(Exemplar.objects.all())

    assert {exemplar.stage for exemplar in exemplars} == set(ExemplarStage.values)
    for exemplar in exemplars:
        reached = ExemplarStage.values.index(exemplar.stage)
        dates = [exemplar.discovered_on, exemplar.fostered_on, exemplar.summed_up_on, exemplar.replicated_on]
        assert all(day is not None for day in dates[: reached + 1])
        assert all(day is None for day in dates[reached + 1 :])
        assert dates[: reached + 1] == sorted(dates[: reached + 1])
    assert any(exemplar.staff_id for exemplar in exemplars)


def test_demo_second_run_writes_nothing(demo):
    assert counts() == demo
    assert get_user_model().objects.filter(username__in=COUNCIL).count() == 11

"""The eligibility service: rule sets by date, the facts loaded from the database, the year's verdicts."""

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from awards.eligibility import (
    DECREE_98_2023,
    DECREE_152_2025,
    DisciplineFact,
    HeldTitle,
    InitiativeFact,
    PersonHistory,
    PersonYear,
    UnitHistory,
    UnitYear,
    best_titles_for_person,
    best_titles_for_unit,
    ladder_position,
)
from awards.models import (
    AwardRecord,
    Discipline,
    Nomination,
    Rating,
    ReviewFlag,
    RuleSet,
)
from awards.queries import load_people_facts, merge_postings, months_covered, subtree_scope
from awards.services.eligibility import (
    check_nomination,
    evaluate_year,
    judgement_date,
    load_person_histories,
    load_unit_histories,
    rule_basis_on,
    rule_params_on,
)
from emulation.models import (
    IndividualRegistration,
)
from tests.factories import (
    AssignmentFactory,
    AwardRecordFactory,
    AwardTypeFactory,
    ClusterFactory,
    CriterionFactory,
    DecisionFactory,
    DisciplineFactory,
    IndividualRegistrationFactory,
    InitiativeFactory,
    MovementFactory,
    NominationFactory,
    PeriodFactory,
    PledgeFactory,
    PledgeTargetFactory,
    RankingEntryFactory,
    RankingSnapshotFactory,
    RatingFactory,
    ReviewFlagFactory,
    SelfScoreFactory,
    StaffFactory,
    SubmissionFactory,
    TaskAreaFactory,
    UnitFactory,
)
from units.models import UnitLineage

pytestmark = pytest.mark.django_db

D = datetime.date
ON = D(2026, 1, 15)  # the judgement date of 2025 in these tests: Decree 152/2025 is in force
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def award(code: str, year: int, *, staff=None, unit=None, revoked: bool = False) -> AwardRecord:
    return AwardRecordFactory(
        award_type=AwardTypeFactory(code=code),
        year=year,
        staff=staff,
        unit=unit,
        decision=DecisionFactory(decided_on=D(year + 1, 1, 15)),
        amount=Decimal(0),
        is_revoked=revoked,
    )


def person(unit, name: str, gender: str, *, posted: datetime.date | None, code: str | None = None):
    staff = StaffFactory(unit=unit, full_name=name, gender=gender, **({"staff_code": code} if code else {}))
    if posted is not None:
        AssignmentFactory(staff=staff, unit=unit, start_date=posted)
    return staff


def register(pledge, staff, title: str) -> IndividualRegistration:
    return IndividualRegistrationFactory(pledge=pledge, staff=staff, title=title)


@pytest.fixture
def world(org):
    """Office A (branch A) with three people and Office B (branch B) with one, 2023–2025.

    mai: excellent 2023 and 2025, good 2024, a CSTĐCS registration every year, initiatives in 2024
    (ministry level) and 2025 (unit level); LĐTT 2023 and 2024, CSTĐCS 2023, an ad-hoc KNC 2024
    and a revoked CSTĐCS 2024. nam: posted on 15/03/2025, good 2025, an open complaint. hoa: good
    2024 and 2025, a reprimand from 01/02/2025 to 30/06/2025. tuan (Office B): excellent 2025, his
    registration only in a draft pledge.
    """
    movement = MovementFactory()
    periods = {year: PeriodFactory(movement=movement, year=year) for year in (2023, 2024, 2025)}
    pledges = {
        year: PledgeFactory(
            unit=org.office_a,
            period=period,
            state="accepted",
            collective_title="TTLDTT" if year == 2025 else "",
        )
        for year, period in periods.items()
    }
    draft_b = PledgeFactory(unit=org.office_b, period=periods[2025], state="draft", collective_title="TTLDXS")

    mai = person(org.office_a, "Nguyễn Thị Mai", "female", posted=D(2019, 1, 1), code="CB-MAI")
    nam = person(org.office_a, "Trần Văn Nam", "male", posted=D(2025, 3, 15), code="CB-NAM")
    hoa = person(org.office_a, "Lê Thị Hoa", "female", posted=D(2020, 6, 1), code="CB-HOA")
    tuan = person(org.office_b, "Phạm Văn Tuấn", "male", posted=D(2018, 1, 1), code="CB-TUAN")

    for staff, year, grade in [
        (mai, 2023, "excellent"),
        (mai, 2024, "good"),
        (mai, 2025, "excellent"),
        (nam, 2025, "good"),
        (hoa, 2024, "good"),
        (hoa, 2025, "good"),
        (tuan, 2025, "excellent"),
    ]:
        RatingFactory(staff=staff, year=year, grade=grade)
    for year in (2023, 2024, 2025):
        register(pledges[year], mai, "CSTDCS")
    register(pledges[2025], nam, "LDTT")
    register(pledges[2025], hoa, "LDTT")
    register(draft_b, tuan, "CSTDCS")
    InitiativeFactory(title="Số hóa hồ sơ", recognised_on=D(2025, 9, 1), unit=org.office_a, authors=[mai])
    InitiativeFactory(
        title="Phân luồng tự động",
        level="ministry",
        recognised_on=D(2024, 10, 10),
        unit=org.office_a,
        authors=[mai, tuan],
    )
    for code, year in [("LDTT", 2023), ("CSTDCS", 2023), ("LDTT", 2024), ("KNC", 2024)]:
        award(code, year, staff=mai)
    award("CSTDCS", 2024, staff=mai, revoked=True)
    DisciplineFactory(staff=hoa, decided_on=D(2025, 1, 20), starts_on=D(2025, 2, 1), ends_on=D(2025, 6, 30))
    ReviewFlagFactory(staff=nam, kind="complaint", opened_on=D(2025, 10, 1))
    ReviewFlagFactory(staff=nam, kind="inspection", opened_on=D(2025, 1, 1), closed_on=D(2025, 5, 1))

    RatingFactory(unit=org.office_a, year=2024, grade="excellent")
    RatingFactory(unit=org.office_a, year=2025, grade="excellent")
    award("TTLDTT", 2024, unit=org.office_a)
    cluster = ClusterFactory(year=2025, code="CUM-1")
    for ranked, provisional in [([org.office_a, org.office_b], False), ([org.office_b, org.office_a], True)]:
        shot = RankingSnapshotFactory(
            period=periods[2025], cluster=cluster, is_provisional=provisional, inputs_hash=str(provisional)
        )
        for rank, unit in enumerate(ranked, start=1):
            RankingEntryFactory(snapshot=shot, unit=unit, rank=rank, criteria_points=Decimal(90 - rank))
    area = TaskAreaFactory(movement=movement, number=4)
    revenue = CriterionFactory(task_area=area, code="4.1", direction="higher")
    arrears = CriterionFactory(task_area=area, code="4.4", direction="lower")
    pledge_b = PledgeFactory(unit=org.office_b, period=PeriodFactory(movement=MovementFactory(), year=2025))
    for pledge, targets, achieved in (
        (pledges[2025], {revenue: 10, arrears: 5}, {revenue: 12, arrears: 4}),
        (pledge_b, {revenue: 10}, {revenue: 8}),
    ):
        for criterion, value in targets.items():
            PledgeTargetFactory(pledge=pledge, criterion=criterion, value=Decimal(value))
        submission = SubmissionFactory(unit=pledge.unit, period=pledge.period, state="finalised")
        for criterion, value in achieved.items():
            SelfScoreFactory(submission=submission, criterion=criterion, achieved_value=Decimal(value))

    old = UnitFactory(
        code="OLD", name="Cục Hải quan tỉnh cũ", kind="branch", parent=org.dept, valid_to=D(2025, 2, 28)
    )
    UnitLineage.objects.create(predecessor=old, successor=org.branch_b, effective_on=D(2025, 3, 1))
    return SimpleNamespace(
        org=org,
        mai=mai,
        nam=nam,
        hoa=hoa,
        tuan=tuan,
        old=old,
        cluster=cluster,
        periods=periods,
        pledges=pledges,
    )


def by_subject(rows):
    return {row.subject_id: row for row in rows}


# --- rule sets --------------------------------------------------------------------------------------------


def test_rule_sets_migration_stores_the_parameters_of_both_decrees():
    rows = list(
        RuleSet.objects.order_by("effective_from").values_list("name", "effective_from", "effective_to")
    )

    assert rows == [
        ("Nghị định 98/2023/NĐ-CP", D(2024, 1, 1), D(2025, 6, 30)),
        ("Nghị định 152/2025/NĐ-CP", D(2025, 7, 1), None),
    ]
    assert RuleSet.objects.get(effective_from=D(2024, 1, 1)).params == DECREE_98_2023.to_dict()
    assert RuleSet.objects.get(effective_from=D(2025, 7, 1)).params == DECREE_152_2025.to_dict()


@pytest.mark.parametrize(
    ("day", "expected", "name"),
    [
        (D(2024, 1, 1), DECREE_98_2023, "Nghị định 98/2023/NĐ-CP"),
        (D(2025, 6, 30), DECREE_98_2023, "Nghị định 98/2023/NĐ-CP"),
        (D(2025, 7, 1), DECREE_152_2025, "Nghị định 152/2025/NĐ-CP"),
        (D(2030, 1, 1), DECREE_152_2025, "Nghị định 152/2025/NĐ-CP"),
    ],
)
def test_rule_params_on_picks_the_rule_set_in_force_on_the_day(day, expected, name):
    basis = rule_basis_on(day)

    assert rule_params_on(day) == expected
    assert (basis.name, basis.approximate) == (name, False)
    assert basis.rule_set_id == RuleSet.objects.get(name=name).pk


def test_rule_params_on_before_2024_uses_the_earliest_rule_set_as_an_approximation():
    basis = rule_basis_on(D(2023, 12, 31))

    assert basis.name == "Nghị định 98/2023/NĐ-CP"
    assert basis.params == DECREE_98_2023
    assert basis.approximate is True


def test_rule_params_on_reads_the_parameters_the_secretary_changed():
    row = RuleSet.objects.get(effective_from=D(2025, 7, 1))
    row.params = {**row.params, "ldtt_min_months_worked": 9}
    row.save()

    assert rule_params_on(D(2025, 7, 1)).ldtt_min_months_worked == 9
    assert rule_params_on(D(2025, 6, 30)).ldtt_min_months_worked == 10


def test_rule_params_on_without_rule_sets_uses_the_engines_own_sets():
    RuleSet.objects.all().delete()

    assert rule_params_on(D(2025, 6, 30)) == DECREE_98_2023
    assert rule_params_on(D(2025, 7, 1)) == DECREE_152_2025
    assert rule_basis_on(D(2022, 5, 1)).approximate is True
    assert rule_params_on(D(2022, 5, 1)) == DECREE_98_2023


@pytest.mark.parametrize(
    ("year", "expected"), [(2026, D(2026, 3, 15)), (2025, D(2026, 3, 15)), (2024, D(2025, 12, 31))]
)
def test_judgement_date_is_today_for_recent_years_else_the_end_of_the_next_year(year, expected):
    assert judgement_date(year, today=D(2026, 3, 15)) == expected


# --- months worked ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postings", "expected"),
    [
        ([(D(2019, 1, 1), None)], 12),
        ([(D(2025, 3, 15), None)], 9),
        ([(D(2025, 3, 1), None)], 10),
        ([(D(2024, 1, 1), D(2025, 6, 30))], 6),
        ([(D(2024, 1, 1), D(2025, 6, 29))], 5),
        ([(D(2020, 1, 1), D(2025, 1, 31)), (D(2025, 2, 1), None)], 12),
        ([(D(2020, 1, 1), D(2025, 4, 10)), (D(2025, 8, 1), None)], 8),
        ([(D(2026, 1, 1), None)], 0),
    ],
)
def test_months_covered_counts_whole_calendar_months_of_the_postings(postings, expected):
    assert months_covered(merge_postings(postings), 2025) == expected


# --- the facts --------------------------------------------------------------------------------------------


def test_load_person_histories_builds_the_facts_of_a_person_across_years(world):
    histories = load_person_histories(2025, on=ON)

    assert histories[world.mai.pk] == PersonHistory(
        staff_id=world.mai.pk,
        gender="female",
        unit_id=world.org.office_a.pk,
        years={
            2023: PersonYear(
                year=2023,
                rating="excellent",
                titles=(HeldTitle("LDTT"), HeldTitle("CSTDCS")),
                registered_titles=frozenset({"CSTDCS"}),
            ),
            2024: PersonYear(
                year=2024,
                rating="good",
                initiatives=(InitiativeFact(level="ministry", recognised_on=D(2024, 10, 10)),),
                titles=(HeldTitle("LDTT"), HeldTitle("KNC", ad_hoc=True)),
                registered_titles=frozenset({"CSTDCS"}),
            ),
            2025: PersonYear(
                year=2025,
                rating="excellent",
                initiatives=(InitiativeFact(level="unit", recognised_on=D(2025, 9, 1)),),
                registered_titles=frozenset({"CSTDCS"}),
            ),
        },
    )


def test_load_person_histories_discipline_ending_mid_year_partial_months_and_open_reviews(world):
    histories = load_person_histories(2025, on=ON)

    hoa, nam, tuan = histories[world.hoa.pk], histories[world.nam.pk], histories[world.tuan.pk]
    assert hoa.disciplines == (DisciplineFact(level="reprimand", start=D(2025, 2, 1), end=D(2025, 6, 30)),)
    assert hoa.year(2025).months_worked == 12
    assert nam.year(2025) == PersonYear(
        year=2025, rating="good", months_worked=9, registered_titles=frozenset({"LDTT"})
    )
    assert nam.open_reviews == frozenset({"complaint"})
    assert tuan.year(2025).registered_titles == frozenset()  # a draft pledge registers nobody
    assert tuan.year(2024).initiatives == (InitiativeFact(level="ministry", recognised_on=D(2024, 10, 10)),)


def test_load_person_histories_reads_open_reviews_on_the_judgement_date(world):
    before = load_person_histories(2025, on=D(2025, 4, 1))[world.nam.pk]
    after = load_person_histories(2025, on=D(2025, 9, 30))[world.nam.pk]

    assert before.open_reviews == frozenset({"inspection"})
    assert after.open_reviews == frozenset()


def test_load_person_histories_keeps_the_units_of_the_filter_and_a_persons_unit_of_each_year(world):
    org = world.org
    lan = StaffFactory(unit=org.office_a, full_name="Võ Thị Lan")
    AssignmentFactory(staff=lan, unit=org.office_b, start_date=D(2020, 1, 1), end_date=D(2025, 1, 31))
    AssignmentFactory(staff=lan, unit=org.office_a, start_date=D(2025, 2, 1))
    unposted = StaffFactory(unit=org.office_b, full_name="Đỗ Văn Vỹ")
    newcomer = person(org.office_a, "Hồ Minh Khôi", "male", posted=D(2026, 2, 1))

    branch_a_2025 = load_person_histories(2025, unit_ids=[org.branch_a.pk], on=ON)
    branch_b_2025 = load_person_histories(2025, unit_ids=[org.branch_b.pk], on=ON)
    branch_a_2024 = load_person_histories(2024, unit_ids=[org.branch_a.pk], on=ON)
    branch_b_2024 = load_person_histories(2024, unit_ids=[org.branch_b.pk], on=ON)

    assert set(branch_a_2025) == {world.mai.pk, world.nam.pk, world.hoa.pk, lan.pk}
    assert set(branch_b_2025) == {world.tuan.pk, unposted.pk}
    assert branch_a_2025[lan.pk].unit_id == org.office_a.pk
    assert branch_a_2025[lan.pk].year(2025).months_worked == 12
    assert lan.pk in branch_b_2024
    assert lan.pk not in branch_a_2024
    assert branch_b_2025[unposted.pk].year(2025).months_worked == 12  # no posting recorded: its unit
    assert newcomer.pk not in load_person_histories(2025, on=ON)


def test_load_histories_of_an_unknown_unit_are_empty_not_the_whole_organisation(world):
    assert load_person_histories(2025, unit_ids=[987654], on=ON) == {}
    assert load_unit_histories(2025, unit_ids=[987654], on=ON) == {}


def test_load_unit_histories_counts_members_and_reads_ranking_targets_and_registration(world):
    org = world.org

    histories = load_unit_histories(2025, on=ON)

    office_a = histories[org.office_a.pk]
    assert office_a.year(2025) == UnitYear(
        year=2025,
        rating="excellent",
        members=3,
        members_at_least_completed=2,  # hoa's discipline makes her rating "not completed"
        members_with_ldtt=1,  # mai; nam worked 9 months, hoa was disciplined
        members_with_cstdcs=1,
        women_members=2,
        disciplined_member_levels=("reprimand",),
        cluster_id=world.cluster.pk,
        ranking_position=1,
        all_targets_met=True,
        registered_titles=frozenset({"TTLDTT"}),
    )
    assert office_a.year(2024) == UnitYear(year=2024, rating="excellent", titles=(HeldTitle("TTLDTT"),))
    office_b = histories[org.office_b.pk].year(2025)
    assert (office_b.members, office_b.ranking_position, office_b.all_targets_met) == (1, 2, False)
    assert office_b.registered_titles == frozenset()  # a draft pledge
    assert histories[org.branch_a.pk].year(2025).members == 3
    assert histories[org.dept.pk].year(2025).members == 4
    assert histories[org.branch_a.pk].year(2025).all_targets_met is False  # nothing pledged


def test_load_unit_histories_records_a_dissolution_and_its_successor(world):
    histories = load_unit_histories(2025, on=ON)

    assert histories[world.old.pk] == UnitHistory(
        unit_id=world.old.pk,
        years={2025: UnitYear(year=2025)},
        dissolved_on=D(2025, 2, 28),
        has_successor=True,
    )
    assert histories[world.org.branch_b.pk].dissolved_on is None
    assert histories[world.org.branch_b.pk].has_successor is False


def test_load_unit_histories_of_a_subtree_leaves_the_other_units_out(world):
    histories = load_unit_histories(2025, unit_ids=[world.org.branch_b.pk], on=ON)

    assert set(histories) == {world.org.branch_b.pk, world.org.office_b.pk}
    assert histories[world.org.branch_b.pk].year(2025).members == 1


# --- the year's verdicts ------------------------------------------------------------------------------------


def test_evaluate_year_gives_the_highest_title_and_why_not_the_next_one(world):
    report = evaluate_year(2025, on=ON)

    people = by_subject(report.people)
    mai, nam, hoa, tuan = (people[s.pk] for s in (world.mai, world.nam, world.hoa, world.tuan))
    assert (mai.highest_code, mai.next_code) == ("CSTDCS", "CSTD_BO")
    assert mai.next_up.codes == ("not_registered", "run_year_missing")
    assert mai.next_up.reasons[1].params["year"] == 2024  # the revoked CSTĐCS does not count
    assert (nam.highest, nam.next_code) == (None, "LDTT")
    assert nam.next_up.codes == ("open_review", "months_counted_short")
    assert hoa.next_up.codes == ("rating_forced_by_discipline", "discipline_in_year")
    assert tuan.next_up.codes == ("not_registered",)
    assert (mai.unit_name, mai.code, mai.name) == (world.org.office_a.name, "CB-MAI", "Nguyễn Thị Mai")
    assert report.basis.name == "Nghị định 152/2025/NĐ-CP"


def test_evaluate_year_judges_units_with_their_members_verdicts(world):
    report = evaluate_year(2025, on=ON)

    units = by_subject(report.units)
    office_a = units[world.org.office_a.pk]
    assert (office_a.highest, office_a.next_code) == (None, "TTLDTT")
    assert office_a.next_up.codes == ("ldtt_share_low",)
    assert office_a.next_up.reasons[0].params["count"] == 1
    assert office_a.unit_name == world.org.branch_a.name
    assert units[world.old.pk].kind == "unit"  # existed in January and February 2025
    assert world.old.pk not in by_subject(evaluate_year(2026, on=ON).units)


def test_evaluate_year_matches_the_engine_on_every_title_of_the_ladder(world):
    """The service skips the titles a person cannot reach; the answers must stay the engine's."""
    org, mai = world.org, world.mai
    award("CSTDCS", 2024, staff=mai)  # now a run of CSTĐCS 2023–2025 with a ministry initiative
    IndividualRegistration.objects.filter(staff=mai, pledge=world.pledges[2025]).update(title="CSTD_BO")
    veteran = person(org.office_a, "Đặng Văn Cựu", "male", posted=D(2010, 1, 1))
    for year in range(2019, 2026):
        RatingFactory(staff=veteran, year=year, grade="excellent")
    for year in (2023, 2024, 2025):
        register(world.pledges[year], veteran, "CSTD_TQ")
    award("CSTD_BO", 2022, staff=veteran)
    for year in (2023, 2024):
        award("CSTDCS", year, staff=veteran)
    InitiativeFactory(
        title="Hải quan số",
        level="national",
        recognised_on=D(2024, 6, 1),
        unit=org.office_a,
        authors=[veteran],
    )

    report = evaluate_year(2025, on=ON)
    histories = load_people_facts(2025, scope=subtree_scope(None), on=ON).histories

    assert by_subject(report.people)[mai.pk].highest_code == "CSTD_BO"
    assert by_subject(report.people)[veteran.pk].highest_code == "CSTD_TQ"
    for row in report.people:
        full = best_titles_for_person(histories[row.subject_id], 2025, report.basis.params)
        assert row.verdicts == tuple(full)
        assert (row.highest, row.next_up) == ladder_position(full)
        assert row.eligible_codes == {verdict.title_code for verdict in full if verdict.eligible}


def test_evaluate_year_rows_filter_by_kind_title_and_qualification(world):
    report = evaluate_year(2025, on=ON)

    assert {row.subject_id for row in report.rows(kind="person", qualifies=True)} == {world.mai.pk}
    assert {row.subject_id for row in report.rows(title="CSTDCS", qualifies=True)} == {world.mai.pk}
    assert {row.subject_id for row in report.rows(title="LDTT", qualifies=False)} == {
        world.nam.pk,
        world.hoa.pk,
        world.tuan.pk,
    }
    assert {row.kind for row in report.rows(title="TTLDTT")} == {"unit"}
    assert report.rows(kind="unit", title="LDTT") == []
    assert ("person", "CSTDCS", 1) in report.summary()
    assert ("person", None, 3) in report.summary()


def test_evaluate_year_rows_come_in_tree_order(world):
    org = world.org

    rows = evaluate_year(2025, on=ON, unit_ids=[org.branch_a.pk]).rows()

    assert [(row.kind, row.subject_id) for row in rows] == [
        ("unit", org.branch_a.pk),
        ("unit", org.office_a.pk),
        ("person", world.hoa.pk),  # Lê Thị Hoa, Nguyễn Thị Mai, Trần Văn Nam
        ("person", world.mai.pk),
        ("person", world.nam.pk),
    ]


def _staff_and_units(org, staff_count: int, unit_count: int) -> None:
    movement = MovementFactory()
    period = PeriodFactory(movement=movement, year=2025)
    for index in range(unit_count):
        unit = UnitFactory(parent=org.branch_a)
        pledge = PledgeFactory(unit=unit, period=period, state="accepted", collective_title="TTLDTT")
        RatingFactory(unit=unit, year=2025, grade="good")
        for number in range(staff_count // unit_count):
            staff = person(unit, f"Cán bộ {index}-{number}", "female", posted=D(2015, 1, 1))
            RatingFactory(staff=staff, year=2025, grade="excellent")
            RatingFactory(staff=staff, year=2024, grade="good")
            register(pledge, staff, "CSTDCS")
            award("LDTT", 2024, staff=staff)
            DisciplineFactory(staff=staff, decided_on=D(2023, 1, 1), ends_on=D(2023, 6, 1))
            ReviewFlagFactory(staff=staff, kind="complaint", opened_on=D(2025, 1, 1))
            InitiativeFactory(title="Sáng kiến", recognised_on=D(2025, 5, 5), unit=unit, authors=[staff])


@pytest.mark.parametrize(("staff_count", "unit_count"), [(3, 1), (12, 3)])
def test_evaluate_year_query_count_does_not_depend_on_the_number_of_subjects(
    org, django_assert_num_queries, staff_count, unit_count
):
    _staff_and_units(org, staff_count, unit_count)

    # rule sets, scope, staff, postings, ratings, disciplines, initiatives, reviews, leave,
    # awards, registrations; units, ratings, reviews, awards, pledges, ranking, self-scores, targets
    with django_assert_num_queries(19):
        report = evaluate_year(2025, on=ON, unit_ids=[org.branch_a.pk])
    with django_assert_num_queries(18):
        whole = evaluate_year(2025, on=ON)

    assert len(report.people) == staff_count
    assert len(report.units) == unit_count + 2  # with branch A and office A
    assert len(whole.units) == unit_count + 5


@pytest.mark.parametrize(("staff_count", "unit_count"), [(3, 1), (12, 3)])
def test_the_reasons_of_the_rows_shown_are_judged_at_once_whatever_their_number(
    org, django_assert_num_queries, staff_count, unit_count
):
    _staff_and_units(org, staff_count, unit_count)
    report = evaluate_year(2025, on=ON)
    rows = report.rows()

    # the staff shown: staff, postings, ratings, disciplines, initiatives, reviews, leave, awards,
    # registrations; the units shown: units, ratings, reviews, awards, pledges, ranking,
    # self-scores, targets
    with django_assert_num_queries(17):
        report.explain(rows)
    with django_assert_num_queries(0):
        shown = [row.next_up.codes for row in rows if row.next_up is not None]

    assert len(rows) == staff_count + unit_count + 5
    assert ("open_review",) in shown  # every staff member has an open complaint


def _explained(row) -> tuple:
    return (row.kind, row.subject_id, row.highest_code, row.next_up.to_dict() if row.next_up else None)


def test_evaluate_year_gives_the_engines_verdicts_on_the_facts_loaded_at_once(world):
    """The yearly run streams the facts and judges the reasons when they are shown; the verdicts
    are those of the engine on the facts of every staff member and unit loaded in memory."""
    report = evaluate_year(2025, on=ON)
    params = report.basis.params
    people = load_person_histories(2025, on=ON)
    units = load_unit_histories(2025, on=ON, params=params)

    report.explain(report.rows())

    assert set(by_subject(report.people)) == set(people)
    assert set(by_subject(report.units)) == set(units)  # the old unit existed in early 2025
    for row in report.people:
        assert row.verdicts == tuple(best_titles_for_person(people[row.subject_id], 2025, params))
    for row in report.units:
        assert row.verdicts == tuple(best_titles_for_unit(units[row.subject_id], 2025, params, on=ON))


def test_an_export_of_every_row_judges_them_in_batches_and_drops_them_once_written(world):
    one_by_one = [_explained(row) for row in evaluate_year(2025, on=ON).rows()]

    report = evaluate_year(2025, on=ON)
    rows = report.rows()
    written = [_explained(row) for row in report.explained(rows, batch=2)]

    assert written == one_by_one
    assert all(row.known is None for row in rows)  # the memory does not grow with the rows written


# --- one nomination ---------------------------------------------------------------------------------------


def _nomination(code: str, *, staff=None, unit=None, proposing_unit, submitted_on=None) -> Nomination:
    submitted_at = None
    if submitted_on is not None:
        submitted_at = datetime.datetime.combine(submitted_on, datetime.time(10), tzinfo=HCM)
    return NominationFactory(
        award_type=AwardTypeFactory(code=code),
        year=2025,
        staff=staff,
        unit=unit,
        proposing_unit=proposing_unit,
        submitted_at=submitted_at,
    )


def test_check_nomination_judges_under_the_rule_set_of_the_submission_date(world):
    row = RuleSet.objects.get(effective_from=D(2025, 7, 1))
    row.params = {**row.params, "ldtt_min_months_worked": 9}
    row.save()
    ReviewFlag.objects.filter(staff=world.nam).delete()
    office = world.org.office_a

    june = check_nomination(
        _nomination("LDTT", staff=world.nam, proposing_unit=office, submitted_on=D(2025, 6, 30))
    )
    july = check_nomination(
        _nomination("LDTT", staff=world.nam, proposing_unit=office, submitted_on=D(2025, 7, 1))
    )

    assert (june.eligible, june.codes) == (False, ("months_counted_short",))
    assert july.eligible is True
    assert july.subject == world.nam.pk
    assert july.to_dict()["title_code"] == "LDTT"


def test_check_nomination_of_a_draft_uses_today_and_the_facts_of_its_subject(world):
    office = world.org.office_a
    nomination = _nomination("CSTDCS", staff=world.mai, proposing_unit=office)

    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=HCM), tick=False):
        verdict = check_nomination(nomination)

    assert verdict.eligible is True
    assert verdict.title_code == "CSTDCS"


def test_check_nomination_of_a_unit_counts_its_members_and_a_commendation_form_maps_its_code(
    world, django_assert_max_num_queries
):
    office = world.org.office_a
    title = _nomination("TTLDTT", unit=office, proposing_unit=world.org.branch_a, submitted_on=D(2026, 1, 5))
    form = _nomination("BK_BO_CN", staff=world.mai, proposing_unit=office, submitted_on=D(2026, 1, 5))
    title = Nomination.objects.select_related("award_type").get(pk=title.pk)

    with django_assert_max_num_queries(19):
        unit_verdict = check_nomination(title)
    form_verdict = check_nomination(form)

    assert unit_verdict.codes == ("ldtt_share_low",)
    assert form_verdict.title_code == "BK_BO"
    assert form_verdict.codes[0] == "no_route"


def test_evaluate_year_leaves_the_facts_unchanged(world):
    counts = [model.objects.count() for model in (Rating, AwardRecord, Discipline, ReviewFlag, RuleSet)]

    evaluate_year(2025, on=ON)

    assert [
        model.objects.count() for model in (Rating, AwardRecord, Discipline, ReviewFlag, RuleSet)
    ] == counts


def test_subject_eligibility_is_frozen_except_for_its_lazy_verdicts(world):
    row = by_subject(evaluate_year(2025, on=ON).people)[world.nam.pk]

    with pytest.raises(dataclasses.FrozenInstanceError):
        row.code = "X"
    assert [verdict.title_code for verdict in row.verdicts] == ["LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ"]

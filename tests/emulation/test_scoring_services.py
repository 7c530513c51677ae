"""Self-assessment, scorers, scores and finalisation at the service level."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from emulation.enums import SubmissionState
from emulation.models import CriterionResult, ScorerAssignment, SelfScore
from emulation.services.errors import ClosedForChangesError, EmulationError, StaleVersionError
from emulation.services.scoring import (
    assign_scorer,
    auto_assign_scorers,
    finalisation_blockers,
    finalise_period,
    may_see_other_scores,
    reopen_period,
    return_submission,
    save_score,
    start_submission,
    submit_submission,
    unassign_scorer,
)
from tests.conftest import make_persona
from tests.factories import UnitFactory
from units.enums import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages compared below are the English originals."""
    with translation.override("en"):
        yield


IN_WINDOW = datetime.date(2026, 12, 10)


@pytest.fixture
def members(org):
    """Three members outside branch A's line (they work in branch B's office and two other branches)."""
    other_1 = UnitFactory(code="KV7", kind="branch", parent=org.dept)
    other_2 = UnitFactory(code="KV8", kind="branch", parent=org.dept)
    return [
        make_persona("m1", [Role.COMMITTEE_MEMBER], org.office_b),
        make_persona("m2", [Role.COMMITTEE_MEMBER], other_1),
        make_persona("m3", [Role.COMMITTEE_MEMBER], other_2),
    ]


def submitted(unit, period, officer):
    submission = start_submission(unit, period, actor=officer)
    SelfScore.objects.filter(submission=submission).update(achieved_value=D("1"), points=D("1"))
    return submit_submission(submission, actor=officer, today=IN_WINDOW)


def score_all(submission, member, points_by_code: dict[str, str] | None = None):
    for row in submission.self_scores.select_related("criterion__task_area"):
        criterion = row.criterion
        points = D((points_by_code or {}).get(criterion.code, str(criterion.max_points)))
        existing = submission.scores.filter(criterion=criterion, member=member).first()
        version = existing.version if existing else 0
        save_score(submission, criterion, member=member, points=points, comment="", version=version)


def test_auto_assign_never_picks_a_member_in_conflict(
    org, period, unit_officer, other_unit_officer, committee_member, members
):
    own = submitted(org.branch_a, period, unit_officer)
    conflicted = submitted(org.branch_b, period, other_unit_officer)

    made, problems = auto_assign_scorers(period, actor=None, per_submission=3)

    # committee_member works in branch B; m1 works in branch B's office: both conflict with branch B.
    assert set(
        ScorerAssignment.objects.filter(submission=conflicted).values_list("member__username", flat=True)
    ) == {"m2", "m3"}
    assert ScorerAssignment.objects.filter(submission=own).count() == 3
    assert made == 5
    assert problems == [
        "Chi cục Hải quan khu vực II has 2 of 3 scorers: not enough members without a conflict."
    ]


def test_auto_assign_balances_the_load(org, period, members):
    officers = []
    for index in range(4):
        unit = UnitFactory(code=f"B{index}", kind="branch", parent=org.dept)
        officers.append((unit, make_persona(f"o{index}", [Role.UNIT_OFFICER], unit)))
    for unit, officer in officers:
        submitted(unit, period, officer)

    auto_assign_scorers(period, actor=None, per_submission=2)

    loads = [ScorerAssignment.objects.filter(member=member).count() for member in members]
    assert sum(loads) == 8
    assert max(loads) - min(loads) <= 1


def test_assign_scorer_refuses_a_conflict_of_interest(org, period, other_unit_officer, committee_member):
    submission = submitted(org.branch_b, period, other_unit_officer)

    with pytest.raises(EmulationError):
        assign_scorer(submission, member=committee_member, actor=None)

    assert ScorerAssignment.objects.count() == 0


def test_scores_of_colleagues_stay_hidden_until_the_member_has_scored_everything(
    org, period, unit_officer, members
):
    submission = submitted(org.branch_a, period, unit_officer)
    for member in members[:2]:
        assign_scorer(submission, member=member, actor=None)
    criteria = list(submission.self_scores.values_list("criterion", flat=True))

    first = submission.self_scores.select_related("criterion__task_area").first().criterion
    save_score(submission, first, member=members[0], points=D("1"), comment="", version=0)
    partly = may_see_other_scores(members[0], submission)
    score_all(submission, members[0])

    assert len(criteria) == 5
    assert partly is False
    assert may_see_other_scores(members[0], submission) is True
    assert may_see_other_scores(members[1], submission) is False


def test_save_score_refuses_points_above_the_maximum_and_unassigned_members(
    org, period, unit_officer, members
):
    submission = submitted(org.branch_a, period, unit_officer)
    assign_scorer(submission, member=members[0], actor=None)
    criterion = submission.self_scores.select_related("criterion__task_area").first().criterion

    with pytest.raises(EmulationError):
        save_score(
            submission, criterion, member=members[0], points=criterion.max_points + 1, comment="", version=0
        )
    with pytest.raises(EmulationError):
        save_score(submission, criterion, member=members[1], points=D("1"), comment="", version=0)

    assert submission.scores.count() == 0


def test_two_tabs_saving_the_same_score_do_not_overwrite_silently(org, period, unit_officer, members):
    submission = submitted(org.branch_a, period, unit_officer)
    assign_scorer(submission, member=members[0], actor=None)
    criterion = submission.self_scores.select_related("criterion__task_area").first().criterion
    save_score(submission, criterion, member=members[0], points=D("1"), comment="", version=0)

    save_score(submission, criterion, member=members[0], points=D("2"), comment="tab 1", version=1)
    with pytest.raises(StaleVersionError):
        save_score(submission, criterion, member=members[0], points=D("3"), comment="tab 2", version=1)

    score = submission.scores.get()
    assert (score.points, score.comment, score.version) == (D("2.00"), "tab 1", 2)


def test_return_and_resubmit_goes_back_to_the_same_scorers(org, period, unit_officer, members):
    submission = submitted(org.branch_a, period, unit_officer)
    for member in members[:2]:
        assign_scorer(submission, member=member, actor=None)
    score_all(submission, members[0])

    return_submission(submission, actor=members[0], reason="Bổ sung minh chứng tiêu chí 4.4")
    submit_submission(submission, actor=unit_officer, today=IN_WINDOW)

    submission.refresh_from_db()
    assert submission.state == SubmissionState.UNDER_REVIEW
    assert sorted(submission.assignments.values_list("member__username", flat=True)) == ["m1", "m2"]
    assert submission.assignments.filter(completed_at__isnull=False).count() == 0
    assert submission.scores.count() == 5  # the first scorer's points are kept


def test_submission_becomes_scored_when_every_scorer_is_done(org, period, unit_officer, members):
    submission = submitted(org.branch_a, period, unit_officer)
    for member in members[:2]:
        assign_scorer(submission, member=member, actor=None)

    score_all(submission, members[0])
    submission.refresh_from_db()
    halfway = submission.state
    score_all(submission, members[1])
    submission.refresh_from_db()

    assert halfway == SubmissionState.UNDER_REVIEW
    assert submission.state == SubmissionState.SCORED


def test_finalise_is_refused_while_a_submission_is_not_scored(org, period, unit_officer, members):
    submission = submitted(org.branch_a, period, unit_officer)
    assign_scorer(submission, member=members[0], actor=None)

    with pytest.raises(EmulationError):
        finalise_period(period, actor=None)

    period.refresh_from_db()
    assert finalisation_blockers(period) == ["Chi cục Hải quan khu vực I: Submitted."]
    assert period.is_finalised is False
    assert CriterionResult.objects.count() == 0


@pytest.mark.parametrize(("aggregation", "expected"), [("mean", D("3.33")), ("median", D("4.00"))])
def test_finalise_fixes_the_results_by_the_periods_method(
    org, period, unit_officer, members, secretary, aggregation, expected
):
    period.aggregation = aggregation
    period.save()
    submission = submitted(org.branch_a, period, unit_officer)
    for member in members:
        assign_scorer(submission, member=member, actor=None)
    for member, points in zip(members, ("4", "5", "1"), strict=True):
        score_all(submission, member, {"5.1": points})

    finalise_period(period, actor=secretary)

    result = CriterionResult.objects.get(submission=submission, criterion__code="5.1")
    submission.refresh_from_db()
    assert result.points == expected
    assert result.scorers == 3
    assert submission.state == SubmissionState.FINALISED
    with pytest.raises(EmulationError):
        finalise_period(period, actor=secretary)  # the second secretary is told, nothing changes
    assert CriterionResult.objects.filter(submission=submission).count() == 5


def test_after_finalisation_scores_cannot_change_until_a_recorded_reopening(
    org, period, unit_officer, members, secretary
):
    submission = submitted(org.branch_a, period, unit_officer)
    assign_scorer(submission, member=members[0], actor=None)
    score_all(submission, members[0])
    finalise_period(period, actor=secretary)
    criterion = submission.self_scores.select_related("criterion__task_area").first().criterion

    with pytest.raises(ClosedForChangesError):
        save_score(submission, criterion, member=members[0], points=D("0"), comment="", version=1)
    with pytest.raises(EmulationError):
        reopen_period(period, actor=secretary, reason="  ")
    reopen_period(period, actor=secretary, reason="Sai sót điểm tiêu chí 4.1")

    period.refresh_from_db()
    submission.refresh_from_db()
    assert period.is_finalised is False
    assert submission.state == SubmissionState.SCORED
    assert CriterionResult.objects.count() == 0


def test_a_draft_never_submitted_does_not_block_finalisation(
    org, period, unit_officer, other_unit_officer, members, secretary
):
    scored = submitted(org.branch_a, period, unit_officer)
    assign_scorer(scored, member=members[1], actor=None)
    score_all(scored, members[1])
    start_submission(org.branch_b, period, actor=other_unit_officer)  # started, never submitted

    finalise_period(period, actor=secretary)

    states = dict(period.submissions.values_list("unit__code", "state"))
    assert states == {"KV1": SubmissionState.FINALISED, "KV2": SubmissionState.DRAFT}


def test_scorers_cannot_be_assigned_or_removed_after_finalisation(
    org, period, unit_officer, members, secretary
):
    submission = submitted(org.branch_a, period, unit_officer)
    assignment = assign_scorer(submission, member=members[1], actor=None)
    score_all(submission, members[1])
    finalise_period(period, actor=secretary)

    with pytest.raises(ClosedForChangesError):
        auto_assign_scorers(period, actor=secretary)
    with pytest.raises(ClosedForChangesError):
        unassign_scorer(assignment, actor=secretary)

    assert ScorerAssignment.objects.count() == 1

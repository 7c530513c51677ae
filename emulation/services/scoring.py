"""Self-assessment, scorer assignment, committee scoring, adjustments and finalisation.

Each function runs in one transaction and records what it changed in the audit trail. Rules that
protect the result (conflict of interest, caps, versions, finalisation) are enforced here even
when a form already checked them, because a task or a command may call these directly.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from emulation import scoring
from emulation.enums import (
    SUBMISSION_EDITABLE_STATES,
    SUBMISSION_SCORABLE_STATES,
    AdjustmentKind,
    Aggregation,
    SubmissionState,
)
from emulation.models import (
    Adjustment,
    Criterion,
    CriterionResult,
    Period,
    Score,
    ScorerAssignment,
    SelfScore,
    Submission,
)
from emulation.services.errors import ClosedForChangesError, EmulationError, StaleVersionError
from units.enums import Role
from units.models import Unit
from units.permissions import has_conflict_of_interest
from units.services import record_audit


@dataclass(frozen=True)
class SelfScoreInput:
    achieved_value: Decimal | None
    points: Decimal | None
    achievement: str = ""


def criteria_for(period: Period):
    return Criterion.objects.filter(task_area__movement_id=period.movement_id).select_related("task_area")


def committee_members():
    """Users in the committee_member group, the pool scorers are drawn from (with their home unit)."""
    return (
        get_user_model()
        .objects.filter(groups__name=Role.COMMITTEE_MEMBER, is_active=True)
        .select_related("staff__unit")
        .distinct()
    )


# --- The unit's self-assessment ---------------------------------------------------------------


@transaction.atomic
def start_submission(unit: Unit, period: Period, *, actor) -> Submission:
    """The unit's self-assessment for the period, created as a draft with one row per criterion."""
    submission, created = Submission.objects.get_or_create(unit=unit, period=period)
    if created:
        SelfScore.objects.bulk_create(
            SelfScore(submission=submission, criterion=criterion) for criterion in criteria_for(period)
        )
        record_audit(submission, action="submission.created", actor=actor)
    return submission


def is_open_for_unit(submission: Submission, today: datetime.date) -> bool:
    """The unit may edit: a draft inside the self-assessment window, or a returned submission."""
    if submission.state == SubmissionState.RETURNED:
        return True
    period = submission.period
    return (
        submission.state == SubmissionState.DRAFT
        and not period.is_finalised
        and period.self_assessment_opens <= today <= period.self_assessment_closes
    )


def _ensure_open_for_unit(submission: Submission, today: datetime.date) -> None:
    if submission.state not in SUBMISSION_EDITABLE_STATES:
        raise ClosedForChangesError(
            _("This self-assessment is %(state)s and can no longer be changed.")
            % {"state": submission.get_state_display()}
        )
    if not is_open_for_unit(submission, today):
        raise ClosedForChangesError(
            _("Self-assessment is open from %(start)s to %(end)s.")
            % {
                "start": submission.period.self_assessment_opens.strftime("%d/%m/%Y"),
                "end": submission.period.self_assessment_closes.strftime("%d/%m/%Y"),
            }
        )


def _bump_submission_version(submission: Submission, expected: int) -> None:
    updated = Submission.objects.filter(pk=submission.pk, version=expected).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleVersionError(
            _(
                "Someone else saved this self-assessment after you opened it. Reload the page to see their changes."
            )
        )
    submission.version = expected + 1


@transaction.atomic
def save_self_assessment(
    submission: Submission,
    *,
    actor,
    version: int,
    entries: dict[int, SelfScoreInput],
    summary: str,
    today: datetime.date | None = None,
) -> Submission:
    """Save the unit's achieved values, self-scores and texts (by criterion id) as a draft."""
    submission = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
    _ensure_open_for_unit(submission, today or timezone.localdate())
    _bump_submission_version(submission, version)
    rows = {row.criterion_id: row for row in submission.self_scores.select_related("criterion")}
    changed = []
    before, after = {}, {}
    for criterion_id, entry in entries.items():
        row = rows.get(criterion_id)
        if row is None:
            continue
        if entry.points is not None and not Decimal(0) <= entry.points <= row.criterion.max_points:
            raise EmulationError(
                _("The self-score of %(code)s must be between 0 and %(max)s.")
                % {"code": row.criterion.code, "max": row.criterion.max_points}
            )
        new = (entry.achieved_value, entry.points, entry.achievement)
        if (row.achieved_value, row.points, row.achievement) != new:
            before[row.criterion.code] = [_plain(row.achieved_value), _plain(row.points)]
            after[row.criterion.code] = [_plain(entry.achieved_value), _plain(entry.points)]
            row.achieved_value, row.points, row.achievement = new
            changed.append(row)
    SelfScore.objects.bulk_update(changed, ["achieved_value", "points", "achievement"])
    submission.summary = summary
    submission.save(update_fields=["summary", "updated_at"])
    record_audit(submission, action="submission.saved", actor=actor, before=before, after=after)
    return submission


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def submission_gaps(submission: Submission) -> list[str]:
    """What the unit must still fill in before submitting, in words for the unit officer."""
    missing = (
        submission.self_scores.filter(Q(achieved_value__isnull=True) | Q(points__isnull=True))
        .select_related("criterion")
        .order_by("criterion__task_area__number", "criterion__order")
    )
    return [
        _("Enter the achieved value and the self-score of criterion %(code)s.") % {"code": row.criterion.code}
        for row in missing
    ]


@transaction.atomic
def submit_submission(submission: Submission, *, actor, today: datetime.date | None = None) -> Submission:
    """Send the self-assessment to the committee. A resubmission goes back to the same scorers."""
    submission = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
    _ensure_open_for_unit(submission, today or timezone.localdate())
    gaps = submission_gaps(submission)
    if gaps:
        raise EmulationError(" ".join(gaps))
    previous = submission.state
    has_scorers = submission.assignments.exists()
    submission.state = SubmissionState.UNDER_REVIEW if has_scorers else SubmissionState.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor
    submission.version += 1
    submission.save(update_fields=["state", "submitted_at", "submitted_by", "version", "updated_at"])
    if has_scorers:
        # The scorers look at the supplemented file again before it counts as scored.
        submission.assignments.update(completed_at=None)
    record_audit(
        submission,
        action="submission.submitted",
        actor=actor,
        before={"state": previous},
        after={"state": submission.state},
    )
    return submission


@transaction.atomic
def return_submission(submission: Submission, *, actor, reason: str) -> Submission:
    """A scorer or the secretary returns the submission to the unit for supplements."""
    submission = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
    if submission.period.is_finalised:
        raise ClosedForChangesError(_("The period is finalised; nothing can be returned."))
    if submission.state not in (
        SubmissionState.SUBMITTED,
        SubmissionState.UNDER_REVIEW,
        SubmissionState.SCORED,
    ):
        raise EmulationError(_("Only a submitted self-assessment can be returned."))
    if not reason.strip():
        raise EmulationError(_("Give the reason so the unit knows what to supplement."))
    previous = submission.state
    submission.state = SubmissionState.RETURNED
    submission.return_reason = reason.strip()
    submission.version += 1
    submission.save(update_fields=["state", "return_reason", "version", "updated_at"])
    record_audit(
        submission,
        action="submission.returned",
        actor=actor,
        reason=submission.return_reason,
        before={"state": previous},
        after={"state": submission.state},
    )
    return submission


# --- Scorers ----------------------------------------------------------------------------------


def _check_can_score(member, submission: Submission) -> None:
    if not member.groups.filter(name=Role.COMMITTEE_MEMBER).exists():
        raise EmulationError(_("%(name)s is not a committee member.") % {"name": member.get_username()})
    if has_conflict_of_interest(member, submission.unit):
        raise EmulationError(
            _("%(name)s works in %(unit)s or a unit above or below it, and cannot score it.")
            % {"name": member.get_full_name() or member.get_username(), "unit": submission.unit.name}
        )


@transaction.atomic
def assign_scorer(submission: Submission, *, member, actor) -> ScorerAssignment:
    """Assign a committee member to a submission, refusing a conflict of interest."""
    submission = Submission.objects.select_for_update().select_related("unit", "period").get(pk=submission.pk)
    if submission.period.is_finalised:
        raise ClosedForChangesError(_("The period is finalised."))
    _check_can_score(member, submission)
    assignment, created = ScorerAssignment.objects.get_or_create(
        submission=submission, member=member, defaults={"assigned_by": actor}
    )
    if not created:
        raise EmulationError(_("%(name)s is already assigned.") % {"name": member.get_username()})
    record_audit(
        submission, action="submission.scorer_assigned", actor=actor, after={"member": member.get_username()}
    )
    return assignment


@transaction.atomic
def unassign_scorer(assignment: ScorerAssignment, *, actor) -> None:
    """Remove a scorer who has not scored yet; a scorer with scores stays (the audit keeps them)."""
    if Period.objects.filter(submissions__assignments=assignment, is_finalised=True).exists():
        raise ClosedForChangesError(_("The period is finalised."))
    if Score.objects.filter(submission_id=assignment.submission_id, member_id=assignment.member_id).exists():
        raise EmulationError(_("This member has already scored; the scores would be lost."))
    record_audit(
        assignment.submission,
        action="submission.scorer_removed",
        actor=actor,
        before={"member": assignment.member.get_username()},
    )
    assignment.delete()


@transaction.atomic
def auto_assign_scorers(period: Period, *, actor, per_submission: int | None = None) -> tuple[int, list[str]]:
    """Give every open submission of the period its number of scorers, balancing the load.

    Each missing place goes to the eligible member with the fewest assignments in the period
    (ties by username), never to a member in conflict with the unit. Returns the number of
    assignments made and, in words, the submissions that could not be completed.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_finalised:
        raise ClosedForChangesError(_("The period is finalised."))
    wanted = per_submission or period.scorers_per_submission
    members = list(committee_members().order_by("username"))
    homes = {member.pk: _home_path(member) for member in members}
    load = Counter(
        dict(
            ScorerAssignment.objects.filter(submission__period=period)
            .values_list("member")
            .annotate(n=Count("pk"))
            .values_list("member", "n")
        )
    )
    submissions = (
        Submission.objects.select_for_update()
        .filter(period=period)
        .exclude(state__in=[SubmissionState.DRAFT, SubmissionState.FINALISED])
        .select_related("unit")
        .order_by("unit__code")
    )
    existing: dict[int, set[int]] = {}
    for submission_id, member_id in ScorerAssignment.objects.filter(submission__period=period).values_list(
        "submission_id", "member_id"
    ):
        existing.setdefault(submission_id, set()).add(member_id)
    made, problems, new_rows = 0, [], []
    for submission in submissions:
        have = existing.get(submission.pk, set())
        unit_path = submission.unit.path
        candidates = [
            member
            for member in members
            if member.pk not in have and not _related(homes[member.pk], unit_path)
        ]
        candidates.sort(key=lambda member: (load[member.pk], member.username))
        for member in candidates[: max(0, wanted - len(have))]:
            new_rows.append(ScorerAssignment(submission=submission, member=member, assigned_by=actor))
            load[member.pk] += 1
            have.add(member.pk)
            made += 1
        if len(have) < wanted:
            problems.append(
                _("%(unit)s has %(have)s of %(wanted)s scorers: not enough members without a conflict.")
                % {"unit": submission.unit.name, "have": len(have), "wanted": wanted}
            )
    ScorerAssignment.objects.bulk_create(new_rows)
    record_audit(period, action="period.scorers_assigned", actor=actor, after={"assigned": made})
    return made, problems


def _home_path(member) -> str | None:
    staff = getattr(member, "staff", None)
    unit = getattr(staff, "unit", None) if staff is not None else None
    return unit.path if unit is not None else None


def _related(home_path: str | None, unit_path: str) -> bool:
    return home_path is not None and (unit_path.startswith(home_path) or home_path.startswith(unit_path))


# --- Scores -----------------------------------------------------------------------------------


@transaction.atomic
def save_score(
    submission: Submission,
    criterion: Criterion,
    *,
    member,
    points: Decimal,
    comment: str,
    version: int,
) -> Score:
    """Save a member's points for one criterion; `version` is the one the member saw (0 when new).

    Raises StaleVersionError when the score changed since (another tab or a colleague), and
    refuses members who are not assigned, a closed submission and points outside 0..max. Marks the
    member's assignment complete when every criterion has its score, and the submission scored
    when every assignment is complete.
    """
    submission = Submission.objects.select_for_update().select_related("unit", "period").get(pk=submission.pk)
    if submission.state not in SUBMISSION_SCORABLE_STATES | {SubmissionState.SCORED}:
        raise ClosedForChangesError(
            _("This self-assessment is %(state)s and cannot be scored now.")
            % {"state": submission.get_state_display()}
        )
    assignment = ScorerAssignment.objects.filter(submission=submission, member=member).first()
    if assignment is None:
        raise EmulationError(_("You are not assigned to score this self-assessment."))
    if criterion.task_area.movement_id != submission.period.movement_id:
        raise EmulationError(_("This criterion does not belong to the period's movement."))
    if not Decimal(0) <= points <= criterion.max_points:
        raise EmulationError(
            _("Points for %(code)s must be between 0 and %(max)s.")
            % {"code": criterion.code, "max": criterion.max_points}
        )
    score = (
        Score.objects.select_for_update()
        .filter(submission=submission, criterion=criterion, member=member)
        .first()
    )
    if score is None:
        if version != 0:
            raise StaleVersionError(_("This score was deleted meanwhile. Reload the page."))
        score = Score.objects.create(
            submission=submission, criterion=criterion, member=member, points=points, comment=comment
        )
        before = {}
    else:
        if score.version != version:
            raise StaleVersionError(
                _(
                    "This score was changed (in another tab or by a colleague) after you opened it: it is now %(points)s. Reload the page to see it."
                )
                % {"points": score.points}
            )
        before = {"points": str(score.points), "comment": score.comment}
        score.points, score.comment = points, comment
        score.version += 1
        score.save(update_fields=["points", "comment", "version", "updated_at"])
    record_audit(
        score,
        action="score.saved",
        actor=member,
        before=before,
        after={"points": str(points), "comment": comment, "criterion": criterion.code},
    )
    _update_progress(submission, assignment)
    return score


def _update_progress(submission: Submission, assignment: ScorerAssignment) -> None:
    total = criteria_for(submission.period).count()
    done = Score.objects.filter(submission=submission, member_id=assignment.member_id).count()
    if done >= total and assignment.completed_at is None:
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["completed_at"])
    if submission.state == SubmissionState.SUBMITTED:
        submission.state = SubmissionState.UNDER_REVIEW
        submission.save(update_fields=["state", "updated_at"])
    open_assignments = submission.assignments.filter(completed_at__isnull=True).exists()
    if not open_assignments and submission.state == SubmissionState.UNDER_REVIEW:
        submission.state = SubmissionState.SCORED
        submission.save(update_fields=["state", "updated_at"])
        record_audit(submission, action="submission.scored", actor=None, after={"state": submission.state})


@transaction.atomic
def confirm_scores(submission: Submission, *, member) -> ScorerAssignment:
    """After a resubmission, the member confirms its unchanged scores: the assignment is complete again.

    Refused unless the member is assigned and has a score for every criterion. Recorded as one
    audit entry (not one per criterion, since no points changed).
    """
    submission = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
    if submission.state not in SUBMISSION_SCORABLE_STATES:
        raise ClosedForChangesError(
            _("This self-assessment is %(state)s and cannot be scored now.")
            % {"state": submission.get_state_display()}
        )
    assignment = ScorerAssignment.objects.filter(submission=submission, member=member).first()
    if assignment is None:
        raise EmulationError(_("You are not assigned to score this self-assessment."))
    missing = criteria_for(submission.period).exclude(scores__submission=submission, scores__member=member)
    if missing.exists():
        raise EmulationError(_("Score every criterion before confirming."))
    record_audit(submission, action="submission.scores_confirmed", actor=member)
    _update_progress(submission, assignment)
    return assignment


def may_see_other_scores(member, submission: Submission) -> bool:
    """No anchoring: a member sees the colleagues' scores only once it has scored every criterion."""
    return ScorerAssignment.objects.filter(
        submission=submission, member=member, completed_at__isnull=False
    ).exists()


# --- Adjustments and finalisation --------------------------------------------------------------


@transaction.atomic
def add_adjustment(submission: Submission, *, actor, kind: str, points: Decimal, reason: str) -> Adjustment:
    """Bonus or deduction by the secretary, with a reason; the net stays within the movement's limit."""
    submission = (
        Submission.objects.select_for_update().select_related("period__movement").get(pk=submission.pk)
    )
    if submission.period.is_finalised:
        raise ClosedForChangesError(_("The period is finalised; reopen it first."))
    if not reason.strip():
        raise EmulationError(_("Give the reason for the bonus or deduction."))
    limit = submission.period.movement.bonus_limit
    if not Decimal(0) < points <= limit:
        raise EmulationError(_("Points must be more than 0 and at most %(limit)s.") % {"limit": limit})
    signed = points if kind == AdjustmentKind.BONUS else -points
    net = sum((a.signed_points for a in submission.adjustments.all()), Decimal(0)) + signed
    if abs(net) > limit:
        raise EmulationError(
            _("Bonuses minus deductions would be %(net)s, beyond ±%(limit)s.") % {"net": net, "limit": limit}
        )
    adjustment = Adjustment.objects.create(
        submission=submission, kind=kind, points=points, reason=reason.strip(), created_by=actor
    )
    record_audit(
        submission,
        action="submission.adjusted",
        actor=actor,
        reason=adjustment.reason,
        after={"kind": kind, "points": str(points)},
    )
    return adjustment


def finalisation_blockers(period: Period) -> list[str]:
    """Why the period cannot be finalised yet (empty when it can)."""
    if period.is_finalised:
        return [_("The period is already finalised.")]
    # A draft never submitted does not block: that unit is simply not ranked for the year.
    unscored = (
        Submission.objects.filter(period=period)
        .exclude(state__in=[SubmissionState.SCORED, SubmissionState.DRAFT])
        .select_related("unit")
        .order_by("unit__code")
    )
    blockers = [
        _("%(unit)s: %(state)s.") % {"unit": submission.unit.name, "state": submission.get_state_display()}
        for submission in unscored
    ]
    if not blockers and not Submission.objects.filter(period=period, state=SubmissionState.SCORED).exists():
        blockers.append(_("No self-assessment has been scored."))
    return blockers


def compute_results(period: Period, submissions=None) -> dict[tuple[int, int], scoring.ItemResult]:
    """The committee's points per (submission id, criterion id) from the current scores."""
    scores = Score.objects.filter(submission__period=period).select_related("criterion")
    if submissions is not None:
        scores = scores.filter(submission__in=submissions)
    member_scores = [
        scoring.MemberScore(
            member=score.member_id,
            item=(score.submission_id, score.criterion_id),
            points=score.points,
            maximum=score.criterion.max_points,
        )
        for score in scores
    ]
    return scoring.item_results(
        member_scores,
        method=period.aggregation or Aggregation.MEAN,
        with_normalisation=period.normalise_scores,
    )


@transaction.atomic
def finalise_period(period: Period, *, actor) -> Period:
    """Fix the committee's results of every submission and close the period to changes.

    Locks the period row first, so two secretaries finalising at once get one winner and one
    clear refusal. Writes the CriterionResult rows, marks the submissions finalised, and queues
    the ranking compile once the transaction has committed.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    blockers = finalisation_blockers(period)
    if blockers:
        raise EmulationError(_("The period cannot be finalised yet: %(why)s") % {"why": " ".join(blockers)})
    results = compute_results(period)
    CriterionResult.objects.filter(submission__period=period).delete()
    CriterionResult.objects.bulk_create(
        CriterionResult(
            submission_id=submission_id,
            criterion_id=criterion_id,
            raw_points=result.raw,
            normalised_points=result.normalised,
            points=result.normalised
            if period.normalise_scores and result.normalised is not None
            else result.raw,
            scorers=result.scorers,
        )
        for (submission_id, criterion_id), result in results.items()
    )
    Submission.objects.filter(period=period, state=SubmissionState.SCORED).update(
        state=SubmissionState.FINALISED, updated_at=timezone.now()
    )
    period.is_finalised = True
    period.finalised_at = timezone.now()
    period.finalised_by = actor
    period.save(update_fields=["is_finalised", "finalised_at", "finalised_by"])
    record_audit(period, action="period.finalised", actor=actor, after={"results": len(results)})
    _queue_ranking(period)
    return period


@transaction.atomic
def reopen_period(period: Period, *, actor, reason: str) -> Period:
    """Undo a finalisation, with a recorded reason: results are dropped, submissions back to scored.

    Queues a (provisional) ranking compile after commit, like finalisation does.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    if not period.is_finalised:
        raise EmulationError(_("The period is not finalised."))
    if not reason.strip():
        raise EmulationError(_("Give the reason for reopening the period."))
    CriterionResult.objects.filter(submission__period=period).delete()
    Submission.objects.filter(period=period, state=SubmissionState.FINALISED).update(
        state=SubmissionState.SCORED, updated_at=timezone.now()
    )
    period.is_finalised = False
    period.finalised_at = None
    period.finalised_by = None
    period.save(update_fields=["is_finalised", "finalised_at", "finalised_by"])
    record_audit(period, action="period.reopened", actor=actor, reason=reason.strip())
    _queue_ranking(period)  # a provisional ranking replaces the final one shown until now
    return period


def _queue_ranking(period: Period) -> None:
    """Compile the rankings once the transaction has committed (emulation.tasks)."""
    from emulation.tasks import compile_rankings  # noqa: PLC0415 - tasks sit above services

    period_id = period.pk
    transaction.on_commit(lambda: compile_rankings.delay(period_id=period_id))

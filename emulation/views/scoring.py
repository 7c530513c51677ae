"""Committee scoring: a member's queue of assigned self-assessments and the page that scores one.

A member sees only its own assignments, and a scoring page only while it is assigned and has no
conflict of interest with the unit (404 otherwise). The colleagues' scores stay out of the page
until the member has scored every criterion itself (no anchoring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from emulation.enums import SUBMISSION_SCORABLE_STATES, Measure, SubmissionState
from emulation.forms.scoring import ReturnSubmissionForm, ScoreEntry, ScoringForm
from emulation.fragments import cached_sections
from emulation.models import (
    Criterion,
    Evidence,
    Period,
    PledgeTarget,
    Score,
    ScorerAssignment,
    SelfScore,
    Submission,
)
from emulation.permissions import is_assigned_scorer
from emulation.services.errors import EmulationError, StaleVersionError
from emulation.services.scoring import (
    compute_results,
    confirm_scores,
    criteria_for,
    may_see_other_scores,
    return_submission,
    save_score,
)
from units.enums import Role
from units.models import ClusterMembership
from units.permissions import require_role
from units.templatetags.units_tags import num

# A member may change its scores while the file is with the committee, also once all scorers are
# done, until the secretary finalises the period (emulation.services.scoring.save_score).
SCORING_OPEN_STATES = SUBMISSION_SCORABLE_STATES | {SubmissionState.SCORED}
# Where a scorer may send the file back to the unit (emulation.services.scoring.return_submission).
RETURNABLE_STATES = SCORING_OPEN_STATES


def _points_text(value: Decimal) -> str:
    """Points in the active language without trailing zeros: 7.50 -> "7,5" in Vietnamese."""
    plain = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(plain, decimal_pos=max(0, -plain.as_tuple().exponent), use_l10n=True)


def _member_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- Reads ---------------------------------------------------------------------------------------


def _periods_of(member) -> list[Period]:
    """The periods in which the member has assignments, latest first."""
    return list(Period.objects.filter(submissions__assignments__member=member).distinct().latest_first())


def _queue(member, period: Period) -> list[ScorerAssignment]:
    """The member's assignments in a period, unfinished first then by unit code, in one query.

    Each row carries `scored` (the member's scores on that submission) and `cluster_name` (the
    unit's cluster in the period's year).
    """
    scored = (
        Score.objects.filter(submission=OuterRef("submission"), member=member)
        .order_by()
        .values("submission")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cluster = ClusterMembership.objects.filter(unit=OuterRef("submission__unit"), year=period.year).values(
        "cluster__name"
    )[:1]
    return list(
        ScorerAssignment.objects.filter(member=member, submission__period=period)
        .select_related("submission__unit")
        .annotate(
            scored=Coalesce(Subquery(scored, output_field=IntegerField()), Value(0)),
            cluster_name=Subquery(cluster),
            is_done=Case(When(completed_at__isnull=False, then=Value(1)), default=Value(0)),
        )
        .order_by("is_done", "submission__unit__code", "pk")
    )


def _is_open(assignment: ScorerAssignment) -> bool:
    """Still waiting for this member's scores (a returned file waits for the unit first)."""
    return assignment.completed_at is None and assignment.submission.state in SUBMISSION_SCORABLE_STATES


def _next_open_submission(member, submission: Submission) -> Submission | None:
    """The member's next unfinished self-assessment of the same period by unit code, wrapping round."""
    candidates = (
        ScorerAssignment.objects.filter(
            member=member,
            submission__period_id=submission.period_id,
            completed_at__isnull=True,
            submission__state__in=SUBMISSION_SCORABLE_STATES,
        )
        .exclude(submission_id=submission.pk)
        .select_related("submission")
        .order_by("submission__unit__code", "pk")
    )
    following = candidates.filter(submission__unit__code__gt=submission.unit.code).first()
    assignment = following or candidates.first()
    return assignment.submission if assignment else None


def _get_submission_for_scorer(user, pk: int) -> Submission:
    """The self-assessment if the user is one of its scorers without a conflict; 404 otherwise."""
    submission = Submission.objects.with_unit().filter(pk=pk).first()
    if submission is None or not is_assigned_scorer(user, submission):
        raise Http404(_("No such self-assessment in your scoring queue."))
    return submission


def _criteria(submission: Submission) -> list[Criterion]:
    return list(criteria_for(submission.period).order_by("task_area__number", "order", "code"))


def _own_scores(submission: Submission, member) -> dict[int, Score]:
    return {score.criterion_id: score for score in Score.objects.filter(submission=submission, member=member)}


@dataclass
class ScoringRow:
    """One criterion of the scoring page: the unit's account, the evidence, the member's fields."""

    criterion: Criterion
    self_score: SelfScore | None
    target: Decimal | None
    evidence: list[Evidence]
    own: Score | None
    points: object = None  # bound fields of the scoring form
    comment: object = None
    version: object = None
    colleagues: list[tuple[str, Score]] = field(default_factory=list)
    result: object = None  # emulation.scoring.ItemResult once the member may see it

    @property
    def target_text(self) -> str:
        return value_text(self.criterion, self.target)

    @property
    def achieved_text(self) -> str:
        return value_text(self.criterion, self.self_score.achieved_value if self.self_score else None)


def value_text(criterion: Criterion, value: Decimal | None) -> str:
    """A target or achieved value in the criterion's measure, as emulation/_target_value.html writes
    it (the scoring page shows two per criterion: formatted here, not by an include per value)."""
    if value is None:
        return "—"
    if criterion.measure == Measure.YES_NO:
        return _("Yes") if value else _("No")
    if criterion.measure == Measure.MONEY:
        return f"{num(value, 'g')} ₫"
    if criterion.measure == Measure.PERCENT:
        return f"{num(value)} %"
    return num(value, "g")


def _page_context(
    request: HttpRequest,
    submission: Submission,
    *,
    criteria: list[Criterion],
    own: dict[int, Score],
    form: ScoringForm | None = None,
    return_form: ReturnSubmissionForm | None = None,
) -> dict:
    """Everything the scoring page shows, in a fixed number of queries whatever the criteria."""
    member = request.user
    period = submission.period
    editable = submission.state in SCORING_OPEN_STATES and not period.is_finalised
    self_scores = {row.criterion_id: row for row in SelfScore.objects.filter(submission=submission)}
    targets = dict(
        PledgeTarget.objects.filter(
            pledge__unit_id=submission.unit_id, pledge__period_id=submission.period_id
        ).values_list("criterion_id", "value")
    )
    evidence: dict[int | None, list[Evidence]] = {}
    for item in Evidence.objects.filter(submission=submission).order_by("uploaded_at", "pk"):
        evidence.setdefault(item.criterion_id, []).append(item)
    revealed = may_see_other_scores(member, submission)
    colleagues: dict[int, list[tuple[str, Score]]] = {}
    results: dict = {}
    if revealed:
        for score in (
            Score.objects.filter(submission=submission)
            .exclude(member=member)
            .select_related("member")
            .order_by("member__username", "pk")
        ):
            colleagues.setdefault(score.criterion_id, []).append((_member_name(score.member), score))
        # Normalisation compares each member with the whole panel, so it reads the period's scores.
        computed = compute_results(period, submissions=None if period.normalise_scores else [submission.pk])
        results = {
            criterion_id: result
            for (submission_id, criterion_id), result in computed.items()
            if submission_id == submission.pk
        }
    if form is None and editable:
        form = ScoringForm(criteria=criteria, scores=own)
    if form is not None:
        form.prepare_for_display()
    sections: dict = {}
    for criterion in criteria:
        row = ScoringRow(
            criterion=criterion,
            self_score=self_scores.get(criterion.pk),
            target=targets.get(criterion.pk),
            evidence=evidence.get(criterion.pk, []),
            own=own.get(criterion.pk),
            colleagues=colleagues.get(criterion.pk, []),
            result=results.get(criterion.pk),
        )
        if form is not None:
            row.points, row.comment, row.version = form.fields_of(criterion)
        sections.setdefault(criterion.task_area, []).append(row)
    scored = sum(1 for criterion in criteria if criterion.pk in own)
    section_list = list(sections.items())
    section_context = {"sections": section_list, "editable": editable, "revealed": revealed, "period": period}
    criteria_html = cached_sections(
        {
            "criteria": (
                "emulation/_scoring_sections.html",
                section_context,
                _sections_material(section_list, editable=editable, revealed=revealed, period=period),
            )
        }
    )["criteria"]
    return {
        "submission": submission,
        "period": period,
        "sections": section_list,
        "criteria_html": criteria_html,
        "general_evidence": evidence.get(None, []),
        "form": form,
        "editable": editable,
        "can_return": submission.state in RETURNABLE_STATES and not period.is_finalised,
        "return_form": return_form or ReturnSubmissionForm(),
        "revealed": revealed,
        "criteria_count": len(criteria),
        "scored_count": scored,
        "own_total": sum((score.points for score in own.values()), Decimal(0)),
        "self_total": sum((row.points for row in self_scores.values() if row.points is not None), Decimal(0)),
        "result_total": sum((result.raw for result in results.values()), Decimal(0)),
        "normalised_total": sum(
            (result.normalised for result in results.values() if result.normalised is not None), Decimal(0)
        ),
    }


def _field_material(bound) -> tuple | None:
    """A form field as the page shows it: its rendered widget (value, attributes, marks), label,
    id and errors."""
    if bound is None:
        return None
    return (bound.as_widget(), str(bound.label), bound.id_for_label, [str(error) for error in bound.errors])


def _sections_material(sections: list, *, editable: bool, revealed: bool, period: Period) -> tuple:
    """Every value the criteria of the scoring page show, as plain values: the key of their
    cached HTML (emulation.dashboard.cached_sections). A changed score, comment, colleague's
    score, result, evidence or form error is a different key, so the page never shows old data."""
    rows: list[tuple] = []
    for task_area, area_rows in sections:
        rows.append((task_area.pk, task_area.number, task_area.title, task_area.max_points))
        for row in area_rows:
            criterion, self_score, own, result = row.criterion, row.self_score, row.own, row.result
            rows.append(
                (
                    (criterion.pk, criterion.code, criterion.title, criterion.measure, criterion.direction),
                    (criterion.max_points, criterion.guidance, row.target_text, row.achieved_text),
                    (self_score.points, self_score.achievement) if self_score else None,
                    [(item.pk, item.original_name, item.content_type, item.size) for item in row.evidence],
                    _field_material(row.points),
                    _field_material(row.comment),
                    _field_material(row.version),
                    (own.points, own.comment) if own else None,
                    [(name, score.points, score.comment) for name, score in row.colleagues],
                    (result.scorers, result.raw, result.normalised) if result else None,
                )
            )
    return (editable, revealed, period.normalise_scores, rows)


# --- Pages -----------------------------------------------------------------------------------------


def scoring_queue(request: HttpRequest) -> HttpResponse:
    """The member's assigned self-assessments of a period with its progress on each."""
    require_role(request.user, Role.COMMITTEE_MEMBER)
    periods = _periods_of(request.user)
    period = next(
        (p for p in periods if str(p.pk) == request.GET.get("period")), periods[0] if periods else None
    )
    rows: list[ScorerAssignment] = []
    criteria_count = 0
    if period is not None:
        criteria_count = criteria_for(period).count()
        rows = _queue(request.user, period)
    done = sum(1 for row in rows if row.completed_at is not None)
    first_open = next((row for row in rows if _is_open(row)), None)
    context = {
        "periods": periods,
        "period": period,
        "rows": [(row, _is_open(row)) for row in rows],
        "criteria_count": criteria_count,
        "done": done,
        "total": len(rows),
        "first_open": first_open,
    }
    return render(request, "emulation/scoring_queue.html", context)


def _stale_response(
    request: HttpRequest,
    submission: Submission,
    criteria: list[Criterion],
    entries: list[ScoreEntry],
    error: StaleVersionError,
) -> HttpResponse:
    """Re-show the member's typed values with what changed meanwhile (409); nothing was saved.

    The versions of the changed criteria are brought up to date, so saving again deliberately
    replaces the new points with the member's.
    """
    current = _own_scores(submission, request.user)
    data = request.POST.copy()
    stale = []
    for entry in entries:
        score = current.get(entry.criterion.pk)
        if entry.version != (score.version if score else 0):
            stale.append((entry.criterion, score))
            data[f"version_{entry.criterion.pk}"] = str(score.version if score else 0)
    form = ScoringForm(data, criteria=criteria, scores=current)
    form.is_valid()
    if not stale:
        form.add_error(None, str(error))
    for criterion, score in stale:
        if score is None:
            message = _(
                "Nothing was saved: your score of %(code)s was removed after you opened this page."
            ) % {"code": criterion.code}
        else:
            message = _(
                "Nothing was saved: your score of %(code)s was changed in another tab or window after you opened this page; it is now %(points)s."
            ) % {"code": criterion.code, "points": _points_text(score.points)}
        form.add_error(None, message)
        form.add_error(
            f"points_{criterion.pk}",
            _("Saved meanwhile as %(points)s. Your value is kept here: save again to replace it.")
            % {"points": _points_text(score.points) if score else "—"},
        )
    context = _page_context(request, submission, criteria=criteria, own=current, form=form)
    return render(request, "emulation/scoring_form.html", context, status=409)


def _save_scores(submission: Submission, member, entries: list[ScoreEntry]) -> None:
    """Save the entries all or nothing: one stale score leaves every other one unsaved."""
    with transaction.atomic():
        for entry in entries:
            save_score(
                submission,
                entry.criterion,
                member=member,
                points=entry.points,
                comment=entry.comment,
                version=entry.version,
            )


def _after_save(request: HttpRequest, submission: Submission) -> HttpResponse:
    """Stay on the page after "Save"; after "Save and next" open the next unfinished file, or the queue."""
    if request.POST.get("action") != "next":
        return redirect("emulation:scoring-form", pk=submission.pk)
    following = _next_open_submission(request.user, submission)
    if following is not None:
        return redirect("emulation:scoring-form", pk=following.pk)
    messages.info(
        request,
        _("No other self-assessment of %(year)s is waiting for your scores.")
        % {"year": submission.period.year},
    )
    return redirect(reverse("emulation:scoring-queue") + f"?period={submission.period_id}")


def scoring_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Score one self-assessment: every criterion with the unit's account, evidence and the member's points."""
    submission = _get_submission_for_scorer(request.user, pk)
    criteria = _criteria(submission)
    own = _own_scores(submission, request.user)
    if request.method != "POST":
        context = _page_context(request, submission, criteria=criteria, own=own)
        return render(request, "emulation/scoring_form.html", context)

    form = ScoringForm(request.POST, criteria=criteria, scores=own)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
        context = _page_context(request, submission, criteria=criteria, own=own, form=form)
        return render(request, "emulation/scoring_form.html", context)
    entries = form.changed_entries()
    was_complete = may_see_other_scores(request.user, submission)
    # After a resubmission the member looks again; saving with nothing changed confirms the scores.
    confirming = not entries and not was_complete and form.is_complete()
    try:
        if confirming:
            confirm_scores(submission, member=request.user)
        else:
            _save_scores(submission, request.user, entries)
    except StaleVersionError as error:
        return _stale_response(request, submission, criteria, entries, error)
    except EmulationError as error:  # closed (returned, finalised) or no longer assigned: nothing saved
        messages.error(request, str(error))
        return redirect("emulation:scoring-form", pk=submission.pk)
    if confirming:
        messages.success(request, _("Your scores are confirmed."))
    elif entries:
        messages.success(
            request,
            ngettext("%(count)s score saved.", "%(count)s scores saved.", len(entries))
            % {"count": len(entries)},
        )
    else:
        messages.info(request, _("Nothing changed."))
    if not was_complete and may_see_other_scores(request.user, submission):
        messages.info(
            request, _("You have scored every criterion; your colleagues' scores are now shown on this page.")
        )
    return _after_save(request, submission)


@require_POST
def scoring_return(request: HttpRequest, pk: int) -> HttpResponse:
    """A scorer returns the self-assessment to its unit for supplements, with the reason."""
    submission = _get_submission_for_scorer(request.user, pk)
    form = ReturnSubmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The self-assessment was not returned. Say what the unit must supplement."))
        criteria = _criteria(submission)
        own = _own_scores(submission, request.user)
        context = _page_context(request, submission, criteria=criteria, own=own, return_form=form)
        return render(request, "emulation/scoring_form.html", context)
    try:
        return_submission(submission, actor=request.user, reason=form.cleaned_data["reason"])
    except EmulationError as error:
        messages.error(request, str(error))
        return redirect("emulation:scoring-form", pk=submission.pk)
    messages.success(
        request,
        _(
            "The self-assessment of %(unit)s was returned for supplements; it comes back to you when resubmitted."
        )
        % {"unit": submission.unit.name},
    )
    return redirect(reverse("emulation:scoring-queue") + f"?period={submission.period_id}")

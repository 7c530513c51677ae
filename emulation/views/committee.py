"""The committee secretary's side of scoring: the self-assessments of a period, their scorers and
bonuses, the period's scoring settings, finalisation and the "who scored what" workbook.

Leaders read every page and download the workbook; every action (POST) is the secretary's.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.spreadsheets import XLSX_CONTENT_TYPE
from emulation import scoring
from emulation.enums import AdjustmentKind, SubmissionState
from emulation.exports import period_scores_filename, period_scores_workbook
from emulation.forms.committee import (
    AdjustmentForm,
    AssignScorerForm,
    ReopenPeriodForm,
    ScoringSettingsForm,
)
from emulation.models import (
    Adjustment,
    CriterionResult,
    Period,
    Score,
    ScorerAssignment,
    SelfScore,
    Submission,
)
from emulation.permissions import get_submission_for_user, require_secretary
from emulation.services.committee import update_scoring_settings
from emulation.services.errors import EmulationError
from emulation.services.scoring import (
    add_adjustment,
    assign_scorer,
    auto_assign_scorers,
    compute_results,
    criteria_for,
    finalisation_blockers,
    finalise_period,
    reopen_period,
    unassign_scorer,
)
from units.enums import Role
from units.models import AuditEntry, Cluster
from units.permissions import is_secretary, require_role

SUBMISSION_PAGE_SIZE = 50


def _require_reader(request: HttpRequest) -> None:
    """The secretary works here; leaders read (and get 403 on every action)."""
    require_role(request.user, Role.COMMITTEE_SECRETARY, Role.LEADER)


def _get_period(pk: int) -> Period:
    return get_object_or_404(Period.objects.select_related("movement", "finalised_by"), pk=pk)


def _audit_of(model_name: str, object_ids) -> QuerySet[AuditEntry]:
    """Audit entries of emulation records of one model (a join, not a content-type lookup)."""
    return (
        AuditEntry.objects.filter(
            content_type__app_label="emulation", content_type__model=model_name, object_id__in=object_ids
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def _state_tiles(counts: dict) -> list[tuple[str, str, int]]:
    """(state, label, count) for every submission state, in workflow order."""
    return [(value, label, counts.get(value, 0)) for value, label in SubmissionState.choices]


# --- The list of a period's self-assessments --------------------------------------------------


def _adjustments_net():
    """Bonuses minus deductions of each submission, as a correlated subquery (no row multiplication)."""
    signed = Case(
        When(kind=AdjustmentKind.BONUS, then=F("points")),
        default=-F("points"),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )
    net = (
        Adjustment.objects.filter(submission=OuterRef("pk"))
        .order_by()
        .values("submission")
        .annotate(net=Sum(signed))
        .values("net")
    )
    return Coalesce(
        Subquery(net), Value(Decimal(0)), output_field=DecimalField(max_digits=8, decimal_places=2)
    )


def submission_list(request: HttpRequest) -> HttpResponse:
    """A period's self-assessments with their scorers' progress and provisional totals."""
    _require_reader(request)
    periods = list(Period.objects.latest_first())
    period = next(
        (p for p in periods if str(p.pk) == request.GET.get("period")), periods[0] if periods else None
    )
    submissions = Submission.objects.none()
    clusters = Cluster.objects.none()
    counts: dict = {}
    selected_cluster = request.GET.get("cluster", "")
    selected_state = request.GET.get("state", "")
    if period is not None:
        base = Submission.objects.filter(period=period)
        counts = base.aggregate(
            total=Count("pk"),
            **{state: Count("pk", filter=Q(state=state)) for state in SubmissionState.values},
        )
        clusters = list(Cluster.objects.for_year(period.year).order_by("kind", "code"))  # not in render
        submissions = base
        if selected_cluster.isdigit():
            # A unit is in one cluster per year, so this join never repeats a row.
            submissions = submissions.filter(
                unit__cluster_memberships__cluster_id=int(selected_cluster),
                unit__cluster_memberships__year=period.year,
            )
        if selected_state in SubmissionState.values:
            submissions = submissions.filter(state=selected_state)
        submissions = (
            submissions.select_related("unit")
            .annotate(
                scorers_assigned=Count("assignments"),
                scorers_completed=Count("assignments", filter=Q(assignments__completed_at__isnull=False)),
                adjustments_net=_adjustments_net(),
            )
            .order_by("unit__code", "pk")
        )
    page = Paginator(submissions, SUBMISSION_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    totals: dict[int, Decimal] = {}
    if rows:
        # One query for the page: the members' scores combined per criterion, summed per submission.
        for (submission_id, _criterion_id), result in compute_results(
            period, submissions=[row.pk for row in rows]
        ).items():
            totals[submission_id] = totals.get(submission_id, Decimal(0)) + result.raw
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "periods": periods,
        "period": period,
        "clusters": clusters,
        "states": SubmissionState.choices,
        "selected_cluster": selected_cluster,
        "selected_state": selected_state,
        "page": page,
        "rows": [(row, totals.get(row.pk)) for row in rows],
        "counts": counts,
        "state_tiles": _state_tiles(counts),
        "query_string": query.urlencode(),
    }
    return render(request, "emulation/submission_list.html", context)


# --- One self-assessment: scorers, scores, results, adjustments --------------------------------


def _manage_context(
    request: HttpRequest,
    submission: Submission,
    *,
    assign_form: AssignScorerForm | None = None,
    adjustment_form: AdjustmentForm | None = None,
) -> dict:
    period = submission.period
    assignments = list(
        ScorerAssignment.objects.filter(submission=submission)
        .select_related("member__staff__unit", "assigned_by")
        .order_by("member__username", "pk")
    )
    criteria = list(criteria_for(period).order_by("task_area__number", "order", "code"))
    scores = list(Score.objects.filter(submission=submission).select_related("member"))
    self_scores = {
        row.criterion_id: row.points
        for row in SelfScore.objects.filter(submission=submission).only("criterion_id", "points")
    }
    # Members who scored without an assignment any more keep their column (their points count).
    members = [assignment.member for assignment in assignments]
    member_ids = {member.pk for member in members}
    for score in sorted(scores, key=lambda score: score.member.username):
        if score.member_id not in member_ids:
            members.append(score.member)
            member_ids.add(score.member_id)
    by_cell = {(score.criterion_id, score.member_id): score for score in scores}
    scored_counts: dict[int, int] = {}
    for score in scores:
        scored_counts[score.member_id] = scored_counts.get(score.member_id, 0) + 1

    if period.is_finalised:
        results = {
            result.criterion_id: (result.raw_points, result.normalised_points, result.points)
            for result in CriterionResult.objects.filter(submission=submission)
        }
    else:
        # Normalisation compares each member with the whole panel, so it needs the period's scores.
        computed = compute_results(period, submissions=None if period.normalise_scores else [submission.pk])
        results = {}
        for (submission_id, criterion_id), result in computed.items():
            if submission_id != submission.pk:
                continue
            used = (
                result.normalised if period.normalise_scores and result.normalised is not None else result.raw
            )
            results[criterion_id] = (result.raw, result.normalised, used)

    rows = [
        {
            "criterion": criterion,
            "self_points": self_scores.get(criterion.pk),
            "cells": [by_cell.get((criterion.pk, member.pk)) for member in members],
            "result": results.get(criterion.pk),
        }
        for criterion in criteria
    ]
    member_totals = [
        sum((score.points for score in scores if score.member_id == member.pk), Decimal(0))
        for member in members
    ]
    raw_total = sum((result[0] for result in results.values()), Decimal(0))
    normalised_total = sum((result[1] for result in results.values() if result[1] is not None), Decimal(0))
    points_total = sum((result[2] for result in results.values()), Decimal(0))
    adjustments = list(
        Adjustment.objects.filter(submission=submission)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    movement = period.movement
    total = scoring.submission_total(
        {criterion_id: result[2] for criterion_id, result in results.items()},
        [adjustment.signed_points for adjustment in adjustments],
        movement.bonus_limit,
    )
    can_act = is_secretary(request.user) and not period.is_finalised
    assigned_ids = {assignment.member_id for assignment in assignments}
    if assign_form is None and can_act:
        assign_form = AssignScorerForm(submission=submission, assigned_ids=assigned_ids)
    criteria_codes = {criterion.code: criterion for criterion in criteria}
    history = [
        {
            "entry": entry,
            "criterion": criteria_codes.get(entry.after.get("criterion")),
            "code": entry.after.get("criterion", ""),
            "old": entry.before.get("points"),
            "new": entry.after.get("points"),
        }
        for entry in _audit_of("score", Score.objects.filter(submission=submission).values("pk")).filter(
            action="score.saved"
        )
    ]
    return {
        "submission": submission,
        "period": period,
        "assignments": [
            (assignment, scored_counts.get(assignment.member_id, 0)) for assignment in assignments
        ],
        "criteria_count": len(criteria),
        "members": list(zip(members, member_totals, strict=True)),
        "matrix_columns": 4 + len(members) + (1 if period.normalise_scores else 0),
        "rows": rows,
        "raw_total": raw_total,
        "normalised_total": normalised_total,
        "points_total": points_total,
        "adjustments": adjustments,
        "adjustments_net": sum((adjustment.signed_points for adjustment in adjustments), Decimal(0)),
        "bonus_limit": movement.bonus_limit,
        "total": total,
        "can_act": can_act,
        "is_secretary": is_secretary(request.user),
        "assign_form": assign_form,
        "adjustment_form": adjustment_form or (AdjustmentForm() if can_act else None),
        "history": history,
        "audit_entries": _audit_of("submission", [submission.pk])[:50],
    }


def submission_manage(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    submission = get_submission_for_user(request.user, pk)
    return render(request, "emulation/submission_manage.html", _manage_context(request, submission))


def _secretary_submission(request: HttpRequest, pk: int) -> Submission:
    require_secretary(request.user)
    return get_submission_for_user(request.user, pk)


@require_POST
def submission_scorer_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _secretary_submission(request, pk)
    assigned_ids = set(submission.assignments.values_list("member_id", flat=True))
    form = AssignScorerForm(request.POST, submission=submission, assigned_ids=assigned_ids)
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            assign_scorer(submission, member=member, actor=request.user)
        except EmulationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s will score %(unit)s.")
                % {"name": member.get_full_name() or member.get_username(), "unit": submission.unit.name},
            )
            return redirect("emulation:submission-manage", pk=submission.pk)
    context = _manage_context(request, submission, assign_form=form)
    return render(request, "emulation/submission_manage.html", context)


@require_POST
def submission_scorer_remove(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    submission = _secretary_submission(request, pk)
    row = get_object_or_404(
        ScorerAssignment.objects.select_related("member", "submission"), pk=assignment, submission=submission
    )
    if submission.period.is_finalised:
        # unassign_scorer does not look at the period; a finalised period keeps its scorers.
        messages.error(request, _("The period is finalised; reopen it before changing scorers."))
        return redirect("emulation:submission-manage", pk=submission.pk)
    try:
        unassign_scorer(row, actor=request.user)
    except EmulationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s no longer scores %(unit)s.")
            % {"name": row.member.get_full_name() or row.member.get_username(), "unit": submission.unit.name},
        )
    return redirect("emulation:submission-manage", pk=submission.pk)


@require_POST
def submission_adjustment_add(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _secretary_submission(request, pk)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            add_adjustment(
                submission,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except EmulationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The bonus or deduction was recorded."))
            return redirect("emulation:submission-manage", pk=submission.pk)
    context = _manage_context(request, submission, adjustment_form=form)
    return render(request, "emulation/submission_manage.html", context)


# --- The period's scoring control ---------------------------------------------------------------


def _period_context(
    request: HttpRequest,
    period: Period,
    *,
    settings_form: ScoringSettingsForm | None = None,
    reopen_form: ReopenPeriodForm | None = None,
) -> dict:
    counts = Submission.objects.filter(period=period).aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in SubmissionState.values},
    )
    assignments = ScorerAssignment.objects.filter(submission__period=period).aggregate(
        assigned=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False))
    )
    secretary = is_secretary(request.user)
    return {
        "period": period,
        "counts": counts,
        "state_tiles": _state_tiles(counts),
        "assignments": assignments,
        "blockers": [] if period.is_finalised else finalisation_blockers(period),
        "is_secretary": secretary,
        "settings_form": settings_form or ScoringSettingsForm(period=period),
        "reopen_form": reopen_form or ReopenPeriodForm(),
        "audit_entries": _audit_of("period", [period.pk])[:50],
    }


def period_scoring(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    period = _get_period(pk)
    return render(request, "emulation/period_scoring.html", _period_context(request, period))


@require_POST
def period_scoring_settings(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    period = _get_period(pk)
    form = ScoringSettingsForm(request.POST, period=period)
    if form.is_valid():
        try:
            changed = update_scoring_settings(
                period,
                actor=request.user,
                aggregation=form.cleaned_data["aggregation"],
                normalise_scores=form.cleaned_data["normalise_scores"],
                scorers_per_submission=form.cleaned_data["scorers_per_submission"],
            )
        except EmulationError as error:
            messages.error(request, str(error))
        else:
            if changed:
                messages.success(request, _("Scoring settings saved."))
            else:
                messages.info(request, _("Nothing changed."))
        return redirect("emulation:period-scoring", pk=period.pk)
    context = _period_context(request, period, settings_form=form)
    return render(request, "emulation/period_scoring.html", context)


@require_POST
def period_scorers_assign(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    period = _get_period(pk)
    if period.is_finalised:
        messages.error(request, _("The period is finalised; reopen it before assigning scorers."))
        return redirect("emulation:period-scoring", pk=period.pk)
    made, problems = auto_assign_scorers(period, actor=request.user)
    messages.success(request, _("%(count)s scorer assignments were made.") % {"count": made})
    if problems:
        messages.warning(
            request,
            _("Some self-assessments still lack scorers: %(problems)s") % {"problems": " ".join(problems)},
        )
    return redirect("emulation:period-scoring", pk=period.pk)


@require_POST
def period_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    period = _get_period(pk)
    try:
        finalise_period(period, actor=request.user)
    except EmulationError as error:
        current = _get_period(pk)
        if current.is_finalised:
            # Someone else (another tab or secretary) finalised first: say so, change nothing.
            who = current.finalised_by
            messages.error(
                request,
                _("This period was already finalised by %(name)s at %(when)s; nothing was changed.")
                % {
                    "name": (who.get_full_name() or who.get_username()) if who else _("someone"),
                    "when": timezone.localtime(current.finalised_at).strftime("%d/%m/%Y %H:%M")
                    if current.finalised_at
                    else "",
                },
            )
        else:
            messages.error(request, str(error))
    else:
        messages.success(request, _("The period is finalised; its results are fixed."))
    return redirect("emulation:period-scoring", pk=pk)


@require_POST
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    period = _get_period(pk)
    form = ReopenPeriodForm(request.POST)
    if form.is_valid():
        try:
            reopen_period(period, actor=request.user, reason=form.cleaned_data["reason"])
        except EmulationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The period is reopened; its results must be finalised again."))
        return redirect("emulation:period-scoring", pk=period.pk)
    context = _period_context(request, period, reopen_form=form)
    return render(request, "emulation/period_scoring.html", context)


def period_scores_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The "who scored what" workbook of a period (the secretary and leaders)."""
    _require_reader(request)
    period = _get_period(pk)
    disposition = content_disposition_header(as_attachment=True, filename=period_scores_filename(period))
    return HttpResponse(
        period_scores_workbook(period),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": disposition},
    )

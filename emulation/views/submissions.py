"""Self-assessment pages: the unit officer's form with its evidence, the read-only view, the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.uploads import ACCEPTED_DESCRIPTION
from core.uploads.serving import serve_stored_file
from emulation import scoring
from emulation.forms.submissions import EvidenceForm, SubmissionForm
from emulation.models import (
    Criterion,
    CriterionResult,
    Evidence,
    Period,
    PledgeTarget,
    SelfScore,
    Submission,
)
from emulation.permissions import get_evidence_for_user, get_submission_for_user, is_unit_officer_of
from emulation.services import ClosedForChangesError, EmulationError, StaleVersionError
from emulation.services.evidence import add_evidence, remove_evidence
from emulation.services.scoring import (
    is_open_for_unit,
    save_self_assessment,
    start_submission,
    submission_gaps,
    submit_submission,
)
from units.enums import Role
from units.models import AuditEntry
from units.permissions import has_role
from units.querysets import home_unit_of


@dataclass
class CriterionRow:
    """One criterion of the self-assessment as the pages show it."""

    criterion: Criterion
    self_score: SelfScore
    target: Decimal | None
    evidence: list[Evidence] = field(default_factory=list)
    result: CriterionResult | None = None
    achieved: object = None  # bound fields on the edit page
    points: object = None
    achievement: object = None
    upload: EvidenceForm | None = None


def _self_scores(submission: Submission) -> list[SelfScore]:
    return list(
        submission.self_scores.select_related("criterion__task_area").order_by(
            "criterion__task_area__number", "criterion__order", "criterion__code"
        )
    )


def _criteria_of(submission: Submission):
    """The criteria the submission has a row for: the ones evidence may be attached to."""
    return Criterion.objects.filter(self_scores__submission=submission).select_related("task_area")


def _pledged_targets(submission: Submission) -> dict[int, Decimal | None]:
    """The unit's pledged target per criterion for the same period, in one query."""
    return dict(
        PledgeTarget.objects.filter(
            pledge__unit_id=submission.unit_id, pledge__period_id=submission.period_id
        ).values_list("criterion_id", "value")
    )


def _evidence_by_criterion(submission: Submission) -> dict[int | None, list[Evidence]]:
    grouped: dict[int | None, list[Evidence]] = {}
    for evidence in submission.evidence.order_by("uploaded_at", "pk"):
        grouped.setdefault(evidence.criterion_id, []).append(evidence)
    return grouped


def _sections(
    self_scores: list[SelfScore],
    targets: dict,
    evidence: dict,
    results: dict | None = None,
) -> list[tuple]:
    """(task area, [CriterionRow]) in table order."""
    sections: dict = {}
    for row in self_scores:
        criterion = row.criterion
        sections.setdefault(criterion.task_area, []).append(
            CriterionRow(
                criterion=criterion,
                self_score=row,
                target=targets.get(criterion.pk),
                evidence=evidence.get(criterion.pk, []),
                result=(results or {}).get(criterion.pk),
            )
        )
    return list(sections.items())


def _context(request: HttpRequest, submission: Submission) -> dict:
    return {
        "submission": submission,
        "audit_entries": AuditEntry.objects.for_record(submission)[:50],
        "can_edit": is_unit_officer_of(request.user, submission.unit)
        and is_open_for_unit(submission, timezone.localdate()),
    }


def submission_mine(request: HttpRequest) -> HttpResponse:
    """The unit officer's entry point: its unit's self-assessment for the period open now.

    A GET only reads: it opens the existing self-assessment, or offers a button whose POST
    creates the draft. Outside every self-assessment window it lists the unit's
    self-assessments over the years.
    """
    if not has_role(request.user, Role.UNIT_OFFICER):
        raise PermissionDenied(_("Only a unit's emulation officer prepares its self-assessment."))
    unit = home_unit_of(request.user)
    today = timezone.localdate()
    period, status, error = None, 200, ""
    if unit is not None:
        period = (
            Period.objects.filter(
                is_finalised=False, self_assessment_opens__lte=today, self_assessment_closes__gte=today
            )
            .latest_first()
            .first()
        )
    if period is not None and request.method == "POST" and request.POST.get("period") == str(period.pk):
        submission = start_submission(unit, period, actor=request.user)
        return redirect("emulation:submission-edit", pk=submission.pk)
    if request.method == "POST":
        status, error = 400, _("That self-assessment period is not open now, so there is nothing to start.")
    elif period is not None:
        submission = Submission.objects.filter(unit=unit, period=period).select_related("period").first()
        if submission is not None:
            if is_open_for_unit(submission, today):
                return redirect("emulation:submission-edit", pk=submission.pk)
            return redirect(submission)
    if unit is not None:
        submissions = Submission.objects.filter(unit=unit).with_unit().order_by("-period__year", "-pk")
    else:
        submissions = Submission.objects.none()
    rows = [(submission, is_open_for_unit(submission, today)) for submission in submissions]
    context = {"unit": unit, "rows": rows, "period": period, "error": error}
    return render(request, "emulation/submission_mine.html", context, status=status)


def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk, write=True)
    if not is_open_for_unit(submission, timezone.localdate()):
        messages.info(request, _("This self-assessment can no longer be changed; it is shown read-only."))
        return redirect(submission)
    self_scores = _self_scores(submission)
    status = 200
    if request.method == "POST":
        form = SubmissionForm(request.POST, submission=submission, self_scores=self_scores)
        if form.is_valid():
            try:
                save_self_assessment(
                    submission,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    entries=form.entries(),
                    summary=form.cleaned_data["summary"].strip(),
                )
            except StaleVersionError as error:
                form.add_error(None, str(error))
                status = 409
            except ClosedForChangesError as error:
                messages.warning(request, str(error))
                return redirect(submission)
            except EmulationError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                if request.POST.get("action") != "submit":
                    messages.success(request, _("Draft saved."))
                    return redirect("emulation:submission-edit", pk=submission.pk)
                try:
                    submit_submission(submission, actor=request.user)
                except EmulationError as error:
                    messages.warning(request, _("Draft saved, but not submitted: %(why)s") % {"why": error})
                    return redirect("emulation:submission-edit", pk=submission.pk)
                messages.success(request, _("The self-assessment was submitted to the emulation committee."))
                return redirect(submission)
        else:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    else:
        form = SubmissionForm(submission=submission, self_scores=self_scores)
    evidence = _evidence_by_criterion(submission)
    criteria = _criteria_of(submission)
    sections = _sections(self_scores, _pledged_targets(submission), evidence)
    for _area, rows in sections:
        for row in rows:
            row.achieved, row.points, row.achievement = form.fields_of(row.criterion)
            row.upload = EvidenceForm(
                criteria=criteria,
                form_id=f"evidence-{row.criterion.pk}",
                initial={"criterion": row.criterion.pk},
            )
    context = _context(request, submission) | {
        "form": form,
        "sections": sections,
        "general_evidence": evidence.get(None, []),
        "general_upload": EvidenceForm(criteria=criteria, form_id="evidence-general"),
        "gaps": submission_gaps(submission),
        "upload_max_mb": settings.UPLOAD_MAX_MB,
        "accepted_types": ACCEPTED_DESCRIPTION,
    }
    return render(request, "emulation/submission_form.html", context, status=status)


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    evidence = _evidence_by_criterion(submission)
    results, adjustments, totals = None, [], None
    if submission.period.is_finalised:
        results = {result.criterion_id: result for result in submission.results.all()}
        adjustments = list(submission.adjustments.order_by("created_at", "pk"))
        criteria_points = {criterion_id: result.points for criterion_id, result in results.items()}
        net = [adjustment.signed_points for adjustment in adjustments]
        totals = {
            "criteria": sum(criteria_points.values(), Decimal(0)),
            "adjustments": sum(net, Decimal(0)),
            "total": scoring.submission_total(criteria_points, net, submission.period.movement.bonus_limit),
        }
    self_scores = _self_scores(submission)
    context = _context(request, submission) | {
        "sections": _sections(self_scores, _pledged_targets(submission), evidence, results),
        "general_evidence": evidence.get(None, []),
        "self_total": sum((row.points for row in self_scores if row.points is not None), Decimal(0)),
        "is_finalised": submission.period.is_finalised,
        "adjustments": adjustments,
        "totals": totals,
    }
    return render(request, "emulation/submission_detail.html", context)


def _back_to_form(submission: Submission, criterion_id: int | None = None) -> HttpResponse:
    anchor = f"#criterion-{criterion_id}" if criterion_id else "#evidence-general-section"
    return redirect(reverse("emulation:submission-edit", kwargs={"pk": submission.pk}) + anchor)


@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES, criteria=_criteria_of(submission))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("The file was not attached: %(why)s") % {"why": error})
        return _back_to_form(
            submission, request.POST.get("criterion", "").isdigit() and request.POST["criterion"]
        )
    criterion = form.cleaned_data["criterion"]
    try:
        evidence = add_evidence(
            submission,
            actor=request.user,
            upload=form.cleaned_data["file"],
            criterion=criterion,
            checked=form.checked,
        )
    except ClosedForChangesError as error:
        messages.warning(request, str(error))
        return redirect(submission)
    except EmulationError as error:
        messages.error(request, _("The file was not attached: %(why)s") % {"why": error})
    else:
        messages.success(request, _("“%(name)s” was attached.") % {"name": evidence.original_name})
    return _back_to_form(submission, criterion.pk if criterion else None)


@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request.user, pk)
    submission = get_submission_for_user(request.user, evidence.submission_id, write=True)
    try:
        remove_evidence(evidence, actor=request.user)
    except ClosedForChangesError as error:
        messages.warning(request, str(error))
        return redirect(submission)
    except EmulationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": evidence.original_name})
    return _back_to_form(submission, evidence.criterion_id)


@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an evidence file to a reader of its self-assessment (policy: core.uploads.serving)."""
    evidence = get_evidence_for_user(request.user, pk)
    return serve_stored_file(
        evidence.file,
        content_type=evidence.content_type,
        filename=evidence.original_name,
        missing=_("This file is missing from the storage. Ask the unit to upload it again."),
    )

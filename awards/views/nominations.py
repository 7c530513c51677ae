"""Nomination pages: the unit's proposal and dossier, the secretary's list, screening and actions."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.eligibility import Verdict
from awards.enums import DocumentKind, NominationState
from awards.forms.nominations import (
    DocumentForm,
    NominationFilterForm,
    NominationForm,
    ProposeFlagsForm,
    ReasonForm,
    SendToCouncilForm,
    SubmitForm,
)
from awards.models import AwardRecord, AwardType, Nomination
from awards.permissions import (
    can_read_everything,
    get_document_for_user,
    get_nomination_for_user,
    require_readers_of_everything,
    require_secretary,
)
from awards.services import law
from awards.services.nominations import (
    EDITABLE_STATES,
    AwardsError,
    ClosedForChangesError,
    LawRefusalError,
    ReasonRequiredError,
    add_document,
    award_conflicts,
    create_nomination,
    dossier_verdict,
    propose_ministry_flags,
    reject_nomination,
    remove_document,
    request_supplement,
    send_to_council,
    start_screening,
    submit_nomination,
    update_nomination,
)
from awards.views.steps import carry_out
from core.uploads import ACCEPTED_DESCRIPTION
from core.uploads.serving import serve_stored_file
from emulation.permissions import is_unit_officer_of
from units.enums import Role
from units.models import AuditEntry, Unit
from units.permissions import has_role, is_secretary
from units.querysets import home_unit_of

NOMINATION_PAGE_SIZE = 50


def _list_queryset():
    return Nomination.objects.select_related("award_type", "staff", "unit", "proposing_unit").order_by(
        "-year", "award_type__rank_order", "pk"
    )


def _officer_home(request: HttpRequest) -> Unit:
    if not has_role(request.user, Role.UNIT_OFFICER):
        raise PermissionDenied(_("Only a unit's emulation officer proposes its nominations."))
    home = home_unit_of(request.user)
    if home is None:
        raise PermissionDenied(
            _("Your account is not linked to a unit yet. Ask the committee secretary to link it.")
        )
    return home


def nomination_mine(request: HttpRequest) -> HttpResponse:
    """The unit officer's nominations: those proposed by its unit and the units below it."""
    home = _officer_home(request)
    nominations = _list_queryset().filter(proposing_unit__path__startswith=home.path)
    page = Paginator(nominations, NOMINATION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched in the view, not while rendering
    return render(request, "awards/nomination_mine.html", {"unit": home, "page": page, "query_string": ""})


def nomination_create(request: HttpRequest) -> HttpResponse:
    home = _officer_home(request)
    status = 200
    form = NominationForm(request.POST if request.method == "POST" else None, home=home)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = create_nomination(
                    actor=request.user,
                    proposing_unit=home,
                    award_type=data["award_type"],
                    year=data["year"],
                    staff=data["staff"],
                    unit=data["unit"],
                    achievements=data["achievements"].strip(),
                )
            except AwardsError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                messages.success(
                    request, _("Draft nomination saved. Now upload its dossier, then submit it.")
                )
                return redirect(nomination)
        else:
            status = 400
        if status == 400:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(request, "awards/nomination_form.html", {"form": form, "nomination": None}, status=status)


def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, write=True)
    if nomination.state not in EDITABLE_STATES:
        messages.info(request, _("This nomination can no longer be changed; it is shown read-only."))
        return redirect(nomination)
    home = home_unit_of(request.user)
    initial = {
        "staff": nomination.staff_id,
        "unit": nomination.unit_id,
        "award_type": nomination.award_type_id,
        "year": nomination.year,
        "achievements": nomination.achievements,
    }
    form = NominationForm(request.POST if request.method == "POST" else None, home=home, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_nomination(
                    nomination,
                    actor=request.user,
                    award_type=data["award_type"],
                    year=data["year"],
                    staff=data["staff"],
                    unit=data["unit"],
                    achievements=data["achievements"].strip(),
                )
            except AwardsError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                messages.success(request, _("Nomination saved."))
                return redirect(nomination)
        else:
            status = 400
        if status == 400:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(
        request, "awards/nomination_form.html", {"form": form, "nomination": nomination}, status=status
    )


def _dossier_rows(nomination: Nomination) -> list[tuple[str, str, list]]:
    documents: dict[str, list] = {}
    for document in nomination.documents.order_by("uploaded_at", "pk"):
        documents.setdefault(document.kind, []).append(document)
    return [(kind, label, documents.get(kind, [])) for kind, label in DocumentKind.choices]


# The step a reader could take next, judged live on today's date (awards.services.law).
NEXT_STEP = {
    NominationState.DRAFT: law.SUBMIT,
    NominationState.NEEDS_SUPPLEMENT: law.SUBMIT,
    NominationState.SUBMITTED: law.SCREEN,
    NominationState.SCREENING: law.AGENDA,
}


def _live_check(nomination: Nomination, *, can_edit: bool, secretary: bool) -> law.StepCheck | None:
    """The verdict as of today for whoever prepares the next step: the unit officer before sending,
    the secretary while screening. None when the reader takes no step now."""
    step = NEXT_STEP.get(nomination.state)
    takes_it = can_edit if step == law.SUBMIT else secretary
    if step is None or not takes_it:
        return None
    return law.judge_step(nomination, step=step, on=timezone.localdate())


def _judged_on(nomination: Nomination) -> datetime.date | None:
    """The day the kept verdict was judged on (verdicts kept before every step was judged: None)."""
    day = (nomination.eligibility or {}).get("judged_on")
    return datetime.date.fromisoformat(day) if day else None


def _detail_context(request: HttpRequest, nomination: Nomination, **forms) -> dict:
    user = request.user
    can_edit = nomination.state in EDITABLE_STATES and is_unit_officer_of(user, nomination.proposing_unit)
    secretary = is_secretary(user)
    record = AwardRecord.objects.filter(nomination=nomination).select_related("decision").first()
    context = {
        "nomination": nomination,
        "live": _live_check(nomination, can_edit=can_edit, secretary=secretary),
        "verdict": Verdict.from_dict(nomination.eligibility) if nomination.eligibility else None,
        "judged_on": _judged_on(nomination),
        "dossier": _dossier_rows(nomination),
        "dossier_verdict": dossier_verdict(nomination) if can_edit else None,
        "conflicts": award_conflicts(
            award_type=nomination.award_type,
            year=nomination.year,
            staff=nomination.staff,
            unit=nomination.unit,
            exclude=nomination,
        )
        if nomination.state not in (NominationState.REJECTED, NominationState.DECIDED)
        else None,
        "record": record,
        "can_edit": can_edit,
        "is_secretary": secretary,
        "can_read_all": can_read_everything(user),
        "audit_entries": AuditEntry.objects.for_record(nomination)[:50],
        "upload_max_mb": settings.UPLOAD_MAX_MB,
        "accepted_types": ACCEPTED_DESCRIPTION,
    }
    if can_edit:
        context["document_form"] = forms.get("document_form") or DocumentForm()
        context["submit_form"] = forms.get("submit_form") or SubmitForm()
    if secretary:
        context["supplement_form"] = forms.get("supplement_form") or ReasonForm(
            label=_("What the unit must supplement"), prefix_id="supplement"
        )
        context["reject_form"] = forms.get("reject_form") or ReasonForm(
            label=_("Why the nomination is rejected"), prefix_id="reject"
        )
        context["send_form"] = forms.get("send_form") or SendToCouncilForm(year=nomination.year)
    return context


def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    return render(request, "awards/nomination_detail.html", _detail_context(request, nomination))


def _render_refused(request: HttpRequest, nomination: Nomination, **forms) -> HttpResponse:
    messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    context = _detail_context(request, nomination, **forms)
    return render(request, "awards/nomination_detail.html", context, status=400)


@require_POST
def nomination_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, write=True)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        if nomination.state not in EDITABLE_STATES:
            messages.warning(request, _("This nomination can no longer be changed."))
            return redirect(nomination)
        return _render_refused(request, nomination, document_form=form)
    try:
        document = add_document(
            nomination,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            checked=form.checked,
        )
    except ClosedForChangesError as error:
        messages.warning(request, str(error))
        return redirect(nomination)
    except AwardsError as error:
        form.add_error("file", str(error))
        return _render_refused(request, nomination, document_form=form)
    messages.success(request, _("“%(name)s” was added to the dossier.") % {"name": document.original_name})
    return redirect(reverse("awards:nomination-detail", kwargs={"pk": nomination.pk}) + "#dossier")


@require_POST
def nomination_document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    nomination = get_nomination_for_user(request.user, document.nomination_id, write=True)
    try:
        remove_document(document, actor=request.user)
    except AwardsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("“%(name)s” was removed from the dossier.") % {"name": document.original_name}
        )
    return redirect(reverse("awards:nomination-detail", kwargs={"pk": nomination.pk}) + "#dossier")


@require_GET
def nomination_document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a dossier file to a reader of its nomination (policy: core.uploads.serving)."""
    document = get_document_for_user(request.user, pk)
    return serve_stored_file(
        document.file,
        content_type=document.content_type,
        filename=document.original_name,
        missing=_("This file is missing from the storage. Ask the unit to upload it again."),
    )


def _law_refused(request: HttpRequest, nomination: Nomination, form, error: LawRefusalError, name: str):
    """A step the law refused: the page again (400) with the message at the reason field (a
    reason can let it go on) or above the form (a blocking rule: nothing can)."""
    field = "reason" if isinstance(error, ReasonRequiredError) else None
    form.add_error(field, str(error))
    return _render_refused(request, nomination, **{name: form})


@require_POST
def nomination_submit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, write=True)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _render_refused(request, nomination, submit_form=form)
    try:
        nomination = submit_nomination(nomination, actor=request.user, reason=form.cleaned_data["reason"])
    except LawRefusalError as error:
        return _law_refused(request, nomination, form, error, "submit_form")
    except AwardsError as error:
        messages.error(request, str(error))
        return redirect(nomination)
    if nomination.is_eligible is False:
        messages.warning(
            request,
            _(
                "The nomination was submitted with conditions of the law that are not met (listed below) "
                "and your reason; the council will weigh them."
            ),
        )
    else:
        messages.success(request, _("The nomination was submitted to the emulation committee."))
    return redirect(nomination)


def _secretary_nomination(request: HttpRequest, pk: int) -> Nomination:
    nomination = get_nomination_for_user(request.user, pk)
    require_secretary(request.user)
    return nomination


@require_POST
def nomination_screen(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _secretary_nomination(request, pk)
    return carry_out(
        request, nomination, lambda: start_screening(nomination, actor=request.user), _("Screening started.")
    )


@require_POST
def nomination_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _secretary_nomination(request, pk)
    form = ReasonForm(request.POST, label=_("What the unit must supplement"), prefix_id="supplement")
    if not form.is_valid():
        return _render_refused(request, nomination, supplement_form=form)
    return carry_out(
        request,
        nomination,
        lambda: request_supplement(nomination, actor=request.user, reason=form.cleaned_data["reason"]),
        _("The nomination was returned to the unit for supplements."),
    )


@require_POST
def nomination_send(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _secretary_nomination(request, pk)
    form = SendToCouncilForm(request.POST, year=nomination.year)
    if not form.is_valid():
        return _render_refused(request, nomination, send_form=form)
    session = form.cleaned_data["session"]
    try:
        send_to_council(nomination, actor=request.user, session=session, reason=form.cleaned_data["reason"])
    except LawRefusalError as error:
        return _law_refused(request, nomination, form, error, "send_form")
    except AwardsError as error:
        messages.error(request, str(error))
        return redirect(nomination)
    messages.success(request, _("The nomination is on the agenda of %(session)s.") % {"session": session})
    return redirect(nomination)


@require_POST
def nomination_reject(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _secretary_nomination(request, pk)
    form = ReasonForm(request.POST, label=_("Why the nomination is rejected"), prefix_id="reject")
    if not form.is_valid():
        return _render_refused(request, nomination, reject_form=form)
    return carry_out(
        request,
        nomination,
        lambda: reject_nomination(nomination, actor=request.user, reason=form.cleaned_data["reason"]),
        _("The nomination was rejected."),
    )


def nomination_list(request: HttpRequest) -> HttpResponse:
    """The secretary's (and leaders') list: filters by year, state, award and proposing unit."""
    require_readers_of_everything(request.user)
    years = list(Nomination.objects.order_by("-year").values_list("year", flat=True).distinct())
    award_types = list(AwardType.objects.order_by("subject", "rank_order", "code"))
    units = list(Unit.objects.filter(depth__lte=1).order_by("path"))
    form = NominationFilterForm(request.GET or None, years=years, award_types=award_types, units=units)
    filters = form.filters() if request.GET else {}
    nominations = _list_queryset()
    if "year" in filters:
        nominations = nominations.filter(year=filters["year"])
    if "state" in filters:
        nominations = nominations.filter(state=filters["state"])
    if "award_type" in filters:
        nominations = nominations.filter(award_type_id=filters["award_type"])
    if "unit" in filters:
        nominations = nominations.filter(proposing_unit__path__startswith=form.units[filters["unit"]].path)
    counts = nominations.order_by().aggregate(
        total=Count("pk"),
        ineligible=Count("pk", filter=Q(is_eligible=False)),
        waiting=Count("pk", filter=Q(state__in=[NominationState.SUBMITTED, NominationState.SCREENING])),
        council=Count("pk", filter=Q(state=NominationState.COUNCIL)),
    )
    page = Paginator(nominations, NOMINATION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched in the view, not while rendering
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "counts": counts,
        "query_string": query.urlencode(),
        "is_secretary": is_secretary(request.user),
        "flags_form": ProposeFlagsForm(initial={"year": filters.get("year") or (years[0] if years else "")}),
    }
    return render(request, "awards/nomination_list.html", context)


@require_POST
def nomination_propose_flags(request: HttpRequest) -> HttpResponse:
    require_secretary(request.user)
    form = ProposeFlagsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("awards:nomination-list")
    year = form.cleaned_data["year"]
    refused: list[str] = []
    created = propose_ministry_flags(year, actor=request.user, refused=refused)
    for refusal in refused:  # a first-placed unit the law blocks today: no proposal, and why
        messages.warning(request, refusal)
    if created:
        messages.success(
            request,
            _("Ministry emulation flag proposed for %(count)s units from the final ranking of %(year)s.")
            % {"count": len(created), "year": year},
        )
    else:
        messages.info(
            request,
            _(
                "No new proposal: every first-placed unit of %(year)s already has one, or no final cluster "
                "ranking of %(year)s exists yet."
            )
            % {"year": year},
        )
    return redirect(reverse("awards:nomination-list") + f"?year={year}")

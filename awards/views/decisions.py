"""Decision pages, revocation, and the award-history panels of the unit and staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from awards.forms.decisions import DecisionForm, RevokeForm
from awards.models import AwardRecord, Decision
from awards.permissions import (
    can_see_staff,
    can_see_unit,
    get_award_record_for_user,
    get_decision_for_user,
    require_readers_of_everything,
    require_secretary,
)
from awards.services.decisions import DecisionNumberTakenError, create_decision, revoke_award
from awards.services.nominations import AwardsError
from core.uploads.serving import PDF, serve_stored_file
from units.models import AuditEntry
from units.permissions import is_secretary

DECISION_PAGE_SIZE = 50


def decision_list(request: HttpRequest) -> HttpResponse:
    require_readers_of_everything(request.user)
    decisions = Decision.objects.annotate(
        award_count=Count("records", filter=Q(records__is_revoked=False)),
        total=Sum("records__amount", filter=Q(records__is_revoked=False)),
    ).order_by("-decided_on", "-pk")
    page = Paginator(decisions, DECISION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched in the view, not while rendering
    return render(
        request,
        "awards/decision_list.html",
        {"page": page, "query_string": "", "is_secretary": is_secretary(request.user)},
    )


def decision_create(request: HttpRequest) -> HttpResponse:
    require_secretary(request.user)
    form = DecisionForm(request.POST, request.FILES) if request.method == "POST" else DecisionForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = create_decision(
                    number=data["number"],
                    decided_on=data["decided_on"],
                    signer=data["signer"],
                    level=data["level"],
                    title=data["title"],
                    nominations=list(data["nominations"]),
                    actor=request.user,
                    upload=data["file"],
                    checked=form.checked,
                )
            except DecisionNumberTakenError as error:
                form.add_error("number", str(error))
            except AwardsError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Decision %(number)s recorded; the awards are in the award history.")
                    % {"number": decision.number},
                )
                return redirect(decision)
        status = 400
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(request, "awards/decision_form.html", {"form": form}, status=status)


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_decision_for_user(request.user, pk)
    records = list(
        decision.records.select_related("award_type", "staff__unit", "unit", "nomination").order_by(
            "award_type__rank_order", "pk"
        )
    )
    secretary = is_secretary(request.user)
    context = {
        "decision": decision,
        "records": records,
        "total": sum((record.amount for record in records if not record.is_revoked), 0),
        "is_secretary": secretary,
        "audit_entries": AuditEntry.objects.for_record(decision)[:50],
    }
    return render(request, "awards/decision_detail.html", context)


@require_GET
def decision_file(request: HttpRequest, pk: int) -> FileResponse:
    """The signed decision (a PDF checked by its content at upload), for the secretary and leaders."""
    decision = get_decision_for_user(request.user, pk)
    if not decision.file:
        raise Http404(_("No signed file was attached to this decision."))
    safe_number = "".join(char if char.isalnum() else "-" for char in decision.number)
    return serve_stored_file(
        decision.file,
        content_type=PDF,
        filename=f"{safe_number}.pdf",
        missing=_("This file is missing from the storage."),
    )


@require_POST
def award_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_award_record_for_user(request.user, pk, write=True)
    form = RevokeForm(request.POST, prefix_id=f"revoke-{record.pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(record.decision)
    try:
        revoke_award(record, actor=request.user, reason=form.cleaned_data["reason"])
    except AwardsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The award was revoked; it stays in the history, struck through."))
    return redirect(record.decision)


def _history(records) -> list[AwardRecord]:
    return list(
        records.select_related("award_type", "decision").order_by("-year", "award_type__rank_order", "pk")
    )


def unit_award_history(unit, user) -> dict | None:
    """Panel of the unit page: the unit's awards (2 queries), or None when the user may not see the unit."""
    if not can_see_unit(user, unit):
        return None
    return {"records": _history(AwardRecord.objects.filter(unit=unit)), "subject_kind": "unit"}


def staff_award_history(staff, user) -> dict | None:
    """Panel of the staff page: the person's awards (2 queries), or None outside the user's scope."""
    if not can_see_staff(user, staff):
        return None
    return {"records": _history(AwardRecord.objects.filter(staff=staff)), "subject_kind": "staff"}

"""Pledge pages: the unit's form, the secretary's review list and actions, the printable pledge."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emulation.enums import PledgeState
from emulation.forms.pledges import PledgeForm, RegistrationFormSet, ReopenPledgeForm, ReturnPledgeForm
from emulation.fragments import cached_sections
from emulation.models import Period, Pledge
from emulation.permissions import (
    can_review_pledges,
    get_pledge_for_user,
    is_unit_officer_of,
    require_secretary,
)
from emulation.services import (
    EmulationError,
    accept_pledge,
    criteria_of,
    pledge_gaps,
    reopen_pledge,
    return_pledge,
    save_pledge,
    start_pledge,
    submit_pledge,
)
from units.models import AuditEntry, Cluster, Staff
from units.permissions import has_role, is_secretary
from units.querysets import home_unit_of

PLEDGE_PAGE_SIZE = 50


def _pledge_context(request: HttpRequest, pledge: Pledge) -> dict:
    # Every query runs here, none while the template renders (make bench counts those).
    return {
        "pledge": pledge,
        "audit_entries": list(AuditEntry.objects.for_record(pledge)[:50]),
        "can_edit": is_unit_officer_of(request.user, pledge.unit) and pledge.is_open_for_changes,
        "is_secretary": is_secretary(request.user),
    }


def pledge_mine(request: HttpRequest) -> HttpResponse:
    """The unit officer's entry point: its unit's pledge for the period open for pledging.

    A GET only reads: it opens the existing draft, or offers a button whose POST creates it (a
    link preview, a prefetching browser or another site's image tag must not create records).
    """
    if not has_role(request.user, "unit_officer"):
        raise PermissionDenied(_("Only a unit's emulation officer registers its pledge."))
    unit = home_unit_of(request.user)
    period = Period.objects.pledging_open_on().latest_first().first()
    status, error = 200, ""
    if unit is not None and period is not None:
        if request.method == "POST":
            if request.POST.get("period") == str(period.pk):
                pledge = start_pledge(unit, period, actor=request.user)
                return redirect("emulation:pledge-edit", pk=pledge.pk)
            status, error = 400, _("That pledging period is no longer open. Start the one shown below.")
        else:
            pledge = Pledge.objects.filter(unit=unit, period=period).only("pk").first()
            if pledge is not None:
                return redirect("emulation:pledge-edit", pk=pledge.pk)
    elif request.method == "POST":
        status, error = 400, _("No pledging period is open now, so there is no pledge to start.")
    pledges = (
        Pledge.objects.filter(unit=unit).with_unit().order_by("-period__year")
        if unit
        else Pledge.objects.none()
    )
    context = {"unit": unit, "pledges": pledges, "period": period if unit else None, "error": error}
    return render(request, "emulation/pledge_mine.html", context, status=status)


def _staff_choices(pledge: Pledge):
    staff = Staff.objects.filter(unit__path__startswith=pledge.unit.path).only(
        "pk", "full_name", "staff_code"
    )
    return staff.order_by("full_name", "pk")


def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request.user, pk, write=True)
    if not pledge.is_open_for_changes:
        messages.info(request, _("This pledge can no longer be changed; it is shown read-only."))
        return redirect(pledge)
    criteria = list(criteria_of(pledge.period).order_by("task_area__number", "order", "code"))
    staff_queryset = _staff_choices(pledge)
    status = 200
    if request.method == "POST":
        form = PledgeForm(request.POST, pledge=pledge, criteria=criteria)
        formset = RegistrationFormSet(request.POST, prefix="reg", staff_queryset=staff_queryset)
        if form.is_valid() and formset.is_valid():
            try:
                save_pledge(
                    pledge,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    collective_title=form.cleaned_data["collective_title"],
                    targets=form.target_inputs(),
                    registrations=formset.registration_inputs(),
                )
            except EmulationError as error:  # a stale version, or closed for changes: nothing saved
                form.add_error(None, str(error))
                status = 409
            else:
                if request.POST.get("action") != "submit":
                    messages.success(request, _("Draft saved."))
                    return redirect("emulation:pledge-edit", pk=pledge.pk)
                try:
                    submit_pledge(pledge, actor=request.user)
                except EmulationError as error:
                    messages.warning(request, _("Draft saved, but not submitted: %(why)s") % {"why": error})
                    return redirect("emulation:pledge-edit", pk=pledge.pk)
                messages.success(request, _("The pledge was submitted to the emulation committee."))
                return redirect(pledge)
        else:
            messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    else:
        form = PledgeForm(pledge=pledge, criteria=criteria)
        initial = [
            {"staff": reg.staff_id, "title": reg.title, "planned_initiative": reg.planned_initiative}
            for reg in pledge.registrations.all()
        ]
        formset = RegistrationFormSet(prefix="reg", initial=initial, staff_queryset=staff_queryset)
    formset.forms  # noqa: B018 - builds the rows and reads the staff options (once) before rendering
    target_rows = form.target_rows()
    targets_html = cached_sections(
        {
            "targets": (
                "emulation/_pledge_targets.html",
                {"target_rows": target_rows},
                _targets_material(target_rows),
            )
        }
    )["targets"]
    context = _pledge_context(request, pledge) | {
        "form": form,
        "targets_html": targets_html,
        "formset": formset,
        "gaps": pledge_gaps(pledge),
    }
    return render(request, "emulation/pledge_form.html", context, status=status)


def _targets_material(target_rows) -> list:
    """Every value the pledge form's targets show, as plain values: the key of their cached HTML
    (emulation.dashboard.cached_sections). The fields are taken as rendered (value, attributes,
    errors), so a typed value, a saved target or a refusal is a different key."""

    def field(bound) -> tuple:
        return (bound.as_widget(), bound.id_for_label, [str(error) for error in bound.errors])

    return [
        (
            (task_area.pk, task_area.number, task_area.title, task_area.max_points),
            [
                (
                    (criterion.pk, criterion.code, criterion.title, criterion.measure, criterion.direction),
                    (criterion.max_points, criterion.guidance),
                    field(target),
                    field(note),
                )
                for criterion, target, note in rows
            ],
        )
        for task_area, rows in target_rows
    ]


def pledge_detail(
    request: HttpRequest,
    pk: int,
    *,
    return_form: ReturnPledgeForm | None = None,
    reopen_form: ReopenPledgeForm | None = None,
) -> HttpResponse:
    """The pledge; a refused return or reopen comes back here with its form and the field's error."""
    pledge = get_pledge_for_user(request.user, pk)
    refused = return_form is not None or reopen_form is not None
    context = _pledge_context(request, pledge) | {
        "targets": list(
            pledge.targets.select_related("criterion", "criterion__task_area").order_by(
                "criterion__task_area__number", "criterion__order"
            )
        ),
        "registrations": list(pledge.registrations.select_related("staff").order_by("staff__full_name")),
        "return_form": return_form if return_form is not None else ReturnPledgeForm(),
        "reopen_form": reopen_form if reopen_form is not None else ReopenPledgeForm(),
    }
    return render(request, "emulation/pledge_detail.html", context, status=400 if refused else 200)


def pledge_print(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request.user, pk)
    context = {
        "pledge": pledge,
        "targets": pledge.targets.select_related("criterion", "criterion__task_area").order_by(
            "criterion__task_area__number", "criterion__order"
        ),
        "registrations": pledge.registrations.select_related("staff").order_by("staff__full_name"),
    }
    return render(request, "emulation/pledge_print.html", context)


def pledge_list(request: HttpRequest) -> HttpResponse:
    """The secretary's review list for a period, filtered by cluster and state."""
    if not can_review_pledges(request.user):
        raise PermissionDenied(_("The pledge review list is for the committee secretary and leaders."))
    periods = list(Period.objects.latest_first())
    period = next(
        (p for p in periods if str(p.pk) == request.GET.get("period")), periods[0] if periods else None
    )
    pledges = Pledge.objects.none()
    clusters = Cluster.objects.none()
    counts = {}
    if period is not None:
        pledges = Pledge.objects.filter(period=period).with_unit().order_by("unit__code", "pk")
        # Evaluated here, not while the template renders (the filter's choices).
        clusters = list(Cluster.objects.for_year(period.year).order_by("kind", "code"))
        counts = pledges.aggregate(
            total=Count("pk"),
            **{state: Count("pk", filter=Q(state=state)) for state in PledgeState.values},
        )
        cluster_id = request.GET.get("cluster", "")
        if cluster_id.isdigit():
            pledges = pledges.filter(unit__cluster_memberships__cluster_id=int(cluster_id))
        state = request.GET.get("state", "")
        if state in PledgeState.values:
            pledges = pledges.filter(state=state)
    page = Paginator(pledges, PLEDGE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched in the view, not while rendering
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "periods": periods,
        "period": period,
        "clusters": clusters,
        "states": PledgeState.choices,
        "selected_cluster": request.GET.get("cluster", ""),
        "selected_state": request.GET.get("state", ""),
        "page": page,
        "counts": counts,
        "query_string": query.urlencode(),
    }
    return render(request, "emulation/pledge_list.html", context)


def _secretary_action(request: HttpRequest, pk: int):
    require_secretary(request.user)
    return get_pledge_for_user(request.user, pk)


@require_POST
def pledge_accept(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _secretary_action(request, pk)
    try:
        accept_pledge(pledge, actor=request.user)
        messages.success(request, _("Pledge of %(unit)s accepted.") % {"unit": pledge.unit.name})
    except EmulationError as error:
        messages.error(request, str(error))
    return redirect(pledge)


@require_POST
def pledge_return(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _secretary_action(request, pk)
    form = ReturnPledgeForm(request.POST)
    if not form.is_valid():  # shown again with the error under the field; nothing changed
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
        return pledge_detail(request, pk, return_form=form)
    try:
        return_pledge(pledge, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Pledge returned to %(unit)s.") % {"unit": pledge.unit.name})
    except EmulationError as error:
        messages.error(request, str(error))
    return redirect(pledge)


@require_POST
def pledge_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _secretary_action(request, pk)
    form = ReopenPledgeForm(request.POST)
    if not form.is_valid():  # shown again with the errors under the fields; nothing changed
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
        return pledge_detail(request, pk, reopen_form=form)
    try:
        reopen_pledge(
            pledge, actor=request.user, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"]
        )
        messages.success(request, _("Pledge reopened for changes."))
    except EmulationError as error:
        messages.error(request, str(error))
    return redirect(pledge)

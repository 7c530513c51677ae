"""Setup pages: the movement and its scoring table, task areas, criteria, and the periods with their
deadlines. The committee secretary (and the superuser) edit them; leaders read them."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from emulation.enums import Phase, PledgeState
from emulation.forms.setup import CriterionForm, MovementForm, PeriodForm, TaskAreaForm
from emulation.models import Criterion, Movement, Period, Pledge, TaskArea
from emulation.permissions import require_secretary
from emulation.services import ClosedForChangesError, EmulationError
from emulation.setup_services import (
    create_criterion,
    create_period,
    delete_criterion,
    scoring_table_problems,
    update_criterion,
    update_movement,
    update_period,
    update_task_area,
    with_pledge_counts,
)
from units.enums import Role
from units.models import AuditEntry
from units.permissions import has_role, is_secretary


def _require_reader(user) -> None:
    if not has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER):
        raise PermissionDenied(_("The movement and its periods are for the committee secretary and leaders."))


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _editable(record):
    """A copy for the form to edit, so that a rejected post leaves the page's own record as stored."""
    return copy.copy(record)


def _saved_message(request: HttpRequest, changed: bool) -> None:
    if changed:
        messages.success(request, _("Changes saved."))
    else:
        messages.info(request, _("Nothing was changed."))


def _invalid_message(request: HttpRequest) -> None:
    messages.error(request, _("Nothing was saved. Correct the fields marked below."))


def _refused(form, error: EmulationError) -> int:
    """Show a refusal of the service above the form; the status for the re-rendered page."""
    form.add_error(None, str(error))
    return 409


def _scoring_table_url(movement_id: int, anchor: str = "") -> str:
    url = reverse("emulation:movement-detail", kwargs={"pk": movement_id})
    return f"{url}#{anchor}" if anchor else url


# Movement ----------------------------------------------------------------------------------------


def movement_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    movements = list(  # evaluated in the view, not while the template renders
        Movement.objects.annotate(
            task_area_count=Count("task_areas", distinct=True), period_count=Count("periods", distinct=True)
        ).order_by("-start_year", "pk")
    )
    return render(request, "emulation/movement_list.html", {"movements": movements})


def movement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The movement with its scoring table, the check that the table adds up, its periods and history."""
    _require_reader(request.user)
    movement = get_object_or_404(Movement, pk=pk)
    task_areas = (
        movement.task_areas.annotate(criteria_points=Sum("criteria__max_points"))
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "code", "pk")))
        .order_by("number")
    )
    context = {
        "movement": movement,
        "task_areas": task_areas,
        "problems": scoring_table_problems(movement),
        "periods": movement.periods.order_by("-year", "pk"),
        "can_edit": is_secretary(request.user),
        "audit_entries": AuditEntry.objects.for_record(movement)[:50],
    }
    return render(request, "emulation/movement_detail.html", context)


def movement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    movement = get_object_or_404(Movement, pk=pk)
    form = MovementForm(_bound(request), instance=_editable(movement))
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                changed = update_movement(form.save(commit=False), actor=request.user)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                _saved_message(request, changed)
                return redirect(movement)
    context = {"form": form, "movement": movement}
    return render(request, "emulation/movement_form.html", context, status=status)


# Task areas and criteria -------------------------------------------------------------------------


def task_area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    task_area = get_object_or_404(TaskArea.objects.select_related("movement"), pk=pk)
    form = TaskAreaForm(_bound(request), instance=_editable(task_area))
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                changed = update_task_area(form.save(commit=False), actor=request.user)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                _saved_message(request, changed)
                return redirect(_scoring_table_url(task_area.movement_id, f"area-{task_area.number}"))
    context = {"form": form, "task_area": task_area}
    return render(request, "emulation/task_area_form.html", context, status=status)


def criterion_create(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    task_area = get_object_or_404(TaskArea.objects.select_related("movement"), pk=pk)
    form = CriterionForm(_bound(request), task_area=task_area)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                criterion = create_criterion(form.save(commit=False), actor=request.user)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                messages.success(request, _("Criterion %(code)s added.") % {"code": criterion.code})
                return redirect(_scoring_table_url(task_area.movement_id, f"area-{task_area.number}"))
    context = {"form": form, "task_area": task_area, "criterion": None}
    return render(request, "emulation/criterion_form.html", context, status=status)


def _get_criterion(pk: int) -> Criterion:
    return get_object_or_404(Criterion.objects.select_related("task_area__movement"), pk=pk)


def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    criterion = _get_criterion(pk)
    task_area = criterion.task_area
    form = CriterionForm(_bound(request), task_area=task_area, instance=_editable(criterion))
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                changed = update_criterion(form.save(commit=False), actor=request.user)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                _saved_message(request, changed)
                return redirect(_scoring_table_url(task_area.movement_id, f"area-{task_area.number}"))
    context = {"form": form, "task_area": task_area, "criterion": criterion}
    return render(request, "emulation/criterion_form.html", context, status=status)


def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a criterion; refused (409) once pledges or scores refer to it."""
    require_secretary(request.user)
    criterion = _get_criterion(pk)
    status = 200
    if request.method == "POST":
        try:
            delete_criterion(criterion, actor=request.user)
        except EmulationError as error:
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, _("Criterion %(code)s deleted.") % {"code": criterion.code})
            task_area = criterion.task_area
            return redirect(_scoring_table_url(task_area.movement_id, f"area-{task_area.number}"))
    context = {"criterion": criterion, "target_count": criterion.targets.count()}
    return render(request, "emulation/criterion_confirm_delete.html", context, status=status)


# Periods -----------------------------------------------------------------------------------------


def period_list(request: HttpRequest) -> HttpResponse:
    """Every period with its phase, its dates and its pledges counted by state (one query)."""
    _require_reader(request.user)
    periods = with_pledge_counts(Period.objects.select_related("movement")).order_by(
        "-year", "movement__title", "pk"
    )
    rows = [
        {
            "period": period,
            "phase": Phase(period.phase).label,
            "counts": [getattr(period, f"pledges_{state}") for state in PledgeState.values],
        }
        for period in periods
    ]
    context = {
        "rows": rows,
        "states": PledgeState.labels,
        "can_edit": is_secretary(request.user),
    }
    return render(request, "emulation/period_list.html", context)


def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    period = get_object_or_404(Period.objects.select_related("movement", "finalised_by"), pk=pk)
    counts = Pledge.objects.filter(period=period).aggregate(
        total=Count("pk"), **{state: Count("pk", filter=Q(state=state)) for state in PledgeState.values}
    )
    context = {
        "period": period,
        "phase": Phase(period.phase).label,
        "counts": [(label, counts[state]) for state, label in PledgeState.choices],
        "total": counts["total"],
        "can_edit": is_secretary(request.user) and not period.is_finalised,
        "audit_entries": AuditEntry.objects.for_record(period)[:50],
    }
    return render(request, "emulation/period_detail.html", context)


def period_create(request: HttpRequest) -> HttpResponse:
    require_secretary(request.user)
    latest = Period.objects.order_by("-year", "-pk").first()
    initial = {"year": latest.year + 1, "movement": latest.movement_id} if latest else {}
    form = PeriodForm(_bound(request), initial=initial)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                period = create_period(form.save(commit=False), actor=request.user)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                messages.success(request, _("Period %(year)s opened.") % {"year": period.year})
                return redirect(period)
    return render(request, "emulation/period_form.html", {"form": form, "period": None}, status=status)


def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_secretary(request.user)
    period = get_object_or_404(Period.objects.select_related("movement"), pk=pk)
    if period.is_finalised:
        messages.error(
            request,
            _("The period %(year)s has been finalised; its dates can no longer be changed.")
            % {"year": period.year},
        )
        return redirect(period)
    form = PeriodForm(_bound(request), instance=_editable(period))
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            _invalid_message(request)
        else:
            try:
                changed = update_period(form.save(commit=False), actor=request.user)
            except ClosedForChangesError as error:  # finalised by someone else meanwhile
                messages.error(request, str(error))
                return redirect(period)
            except EmulationError as error:
                status = _refused(form, error)
            else:
                _saved_message(request, changed)
                return redirect(period)
    return render(request, "emulation/period_form.html", {"form": form, "period": period}, status=status)

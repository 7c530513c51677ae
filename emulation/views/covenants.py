"""Cluster covenants: the members' combined pledge, confirmed by each member unit."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emulation.models import ClusterCovenant, Period
from emulation.permissions import is_unit_officer_of
from emulation.queries import covenant_summary
from emulation.services import EmulationError, confirm_covenant, open_covenant
from units.models import AuditEntry, Cluster, Unit


def _clusters_visible_to(user, year: int):
    """Clusters of the year with at least one member unit the user may see."""
    visible_units = Unit.objects.visible_to(user)
    return (
        Cluster.objects.for_year(year)
        .filter(memberships__unit__in=visible_units)
        .distinct()
        .order_by("kind", "code")
    )


def covenant_list(request: HttpRequest) -> HttpResponse:
    periods = list(Period.objects.latest_first())
    period = next(
        (p for p in periods if str(p.pk) == request.GET.get("period")), periods[0] if periods else None
    )
    # Evaluated in the view, not while the template renders.
    clusters = list(_clusters_visible_to(request.user, period.year)) if period else []
    context = {"periods": periods, "period": period, "clusters": clusters}
    return render(request, "emulation/covenant_list.html", context)


def _get_cluster_and_period(request: HttpRequest, cluster: int, period: int):
    period_obj = Period.objects.filter(pk=period).select_related("movement").first()
    if period_obj is None:
        raise Http404(_("No such period."))
    cluster_obj = _clusters_visible_to(request.user, period_obj.year).filter(pk=cluster).first()
    if cluster_obj is None:
        raise Http404(_("No such cluster."))
    return cluster_obj, period_obj


def _get_covenant(request: HttpRequest, cluster: int, period: int) -> ClusterCovenant:
    """The cluster's covenant for the period, unsaved when nobody has confirmed it yet.

    Reading never creates it: the first confirmation (a POST) does, through open_covenant.
    """
    cluster_obj, period_obj = _get_cluster_and_period(request, cluster, period)
    covenant = ClusterCovenant.objects.filter(cluster=cluster_obj, period=period_obj).first()
    if covenant is None:
        covenant = ClusterCovenant(cluster=cluster_obj, period=period_obj)
    covenant.cluster, covenant.period = cluster_obj, period_obj  # already loaded
    return covenant


def covenant_detail(request: HttpRequest, cluster: int, period: int) -> HttpResponse:
    covenant = _get_covenant(request, cluster, period)
    members, summaries = covenant_summary(covenant)
    saved = covenant.pk is not None
    confirmations = (
        {c.unit_id: c for c in covenant.confirmations.select_related("confirmed_by")} if saved else {}
    )
    can_confirm = [
        membership.unit
        for membership, _pledge in members
        if membership.unit_id not in confirmations and is_unit_officer_of(request.user, membership.unit)
    ]
    context = {
        "covenant": covenant,
        "members": [
            (membership, pledge, confirmations.get(membership.unit_id)) for membership, pledge in members
        ],
        "summaries": summaries,
        "can_confirm": can_confirm,
        "audit_entries": list(AuditEntry.objects.for_record(covenant)[:50]) if saved else [],
    }
    return render(request, "emulation/covenant_detail.html", context)


@require_POST
def covenant_confirm(request: HttpRequest, cluster: int, period: int) -> HttpResponse:
    cluster_obj, period_obj = _get_cluster_and_period(request, cluster, period)
    unit_id = request.POST.get("unit", "")
    unit = cluster_obj.units.filter(pk=unit_id).first() if unit_id.isdigit() else None
    if unit is None or not is_unit_officer_of(request.user, unit):
        raise Http404(_("No such member unit."))  # checked before anything is written
    covenant = open_covenant(cluster_obj, period_obj)
    try:
        confirm_covenant(covenant, unit=unit, actor=request.user)
        messages.success(request, _("%(unit)s confirmed the covenant.") % {"unit": unit.name})
    except EmulationError as error:
        messages.error(request, str(error))
    return redirect(covenant)

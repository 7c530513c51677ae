"""Pages of the units app: the unit tree and details, clusters per year, staff list and details."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.paging import capped_page, query_without, query_without_page
from units.forms import StaffFilter
from units.models import Cluster, Staff, Unit
from units.panels import panels_for
from units.permissions import (
    can_edit_staff,
    can_list_staff,
    get_staff_for_user,
    get_unit_for_user,
    is_secretary,
    openable_unit_ids,
)
from units.queries import (
    current_year,
    memberships_of,
    tree_level,
    tree_roots,
    unit_search_page,
    unit_suggestions,
)
from units.services import cluster_year_problems

STAFF_PAGE_SIZE = 50
STAFF_COUNT_CAP = 1000  # rows counted at most for the staff list's total


def unit_list(request: HttpRequest) -> HttpResponse:
    """The tree level by level: the top of the reader's scope, or one unit's level (`?parent=`),
    or a flat page of the units matching `?q=` with the names above each."""
    query = request.GET.get("q", "").strip()
    include_inactive = request.GET.get("inactive") == "1"
    raw_page = request.GET.get("page")
    context: dict[str, object] = {
        "query": query,
        "include_inactive": include_inactive,
        "can_import": is_secretary(request.user),
    }
    if query:
        context["matches"] = unit_search_page(
            request.user, query, raw_page, include_inactive=include_inactive
        )
        context["query_string"] = query_without_page(request.GET)
        return render(request, "units/unit_list.html", context)
    parent_id = request.GET.get("parent", "")
    if parent_id:
        if not parent_id.isdigit():
            raise Http404(_("No such unit."))
        parent = get_unit_for_user(request.user, int(parent_id))
        context["parent"] = parent
        context["ancestors"] = list(Unit.objects.visible_to(request.user).ancestors(parent).order_by("depth"))
        context["level"] = tree_level(request.user, parent, raw_page, include_inactive=include_inactive)
        return render(request, "units/unit_list.html", context)
    roots = tree_roots(request.user, raw_page, include_inactive=include_inactive)
    context["roots"] = roots
    if len(roots) == 1 and roots.number == 1 and roots.object_list[0].child_count:
        # One root (the department, or an officer's own unit): open its first level at once.
        context["parent"] = roots.object_list[0]
        context["level"] = tree_level(
            request.user, roots.object_list[0], None, include_inactive=include_inactive
        )
    return render(request, "units/unit_list.html", context)


def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The units directly below one unit, as the tree's htmx fragment (the first page opens the
    branch, later pages are rows to append); `unit_list?parent=` is the same level as a page."""
    parent = get_unit_for_user(request.user, pk)
    include_inactive = request.GET.get("inactive") == "1"
    level = tree_level(request.user, parent, request.GET.get("page"), include_inactive=include_inactive)
    context = {"parent": parent, "level": level, "include_inactive": include_inactive}
    return render(request, "units/_unit_children.html", context)


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    visible = Unit.objects.visible_to(request.user)
    may_see_staff = can_list_staff(request.user)
    context = {
        "unit": unit,
        "ancestors": list(visible.ancestors(unit).order_by("depth")),
        "children": list(visible.filter(parent=unit).order_by("code")),
        "memberships": memberships_of(unit),
        "predecessor_links": list(unit.predecessor_links.select_related("predecessor")),
        "successor_links": list(unit.successor_links.select_related("successor")),
        "staff": list(Staff.objects.filter(unit=unit).order_by("-is_leader", "position", "full_name")[:100])
        if may_see_staff
        else None,
        "staff_total": Staff.objects.filter(unit=unit).count() if may_see_staff else None,
        "panels": panels_for("unit", unit, request.user),
    }
    return render(request, "units/unit_detail.html", context)


def cluster_list(request: HttpRequest) -> HttpResponse:
    years = list(Cluster.objects.order_by("-year").values_list("year", flat=True).distinct())
    try:
        requested: int | None = int(request.GET.get("year", ""))
    except ValueError:
        requested = None
    if requested is not None and requested in years:
        year = requested
    else:
        year = current_year() if current_year() in years else (years[0] if years else current_year())
    # Evaluated in the view (with the members' prefetch), not while the template renders.
    clusters = list(Cluster.objects.for_year(year).with_members().order_by("kind", "code"))
    context = {
        "year": year,
        "years": years,
        "clusters": clusters,
        "openable_units": openable_unit_ids(
            request.user, [member.unit_id for cluster in clusters for member in cluster.memberships.all()]
        ),
        "problems": cluster_year_problems(year) if is_secretary(request.user) else [],
    }
    return render(request, "units/cluster_list.html", context)


def staff_list(request: HttpRequest) -> HttpResponse:
    """One page of the staff the user may read; filters and order in the URL, no full count."""
    if not can_list_staff(request.user):
        raise PermissionDenied(_("Your role does not include the staff list."))
    staff = Staff.objects.visible_to(request.user).with_unit().order_by("full_name", "pk")
    filterset = StaffFilter(request.GET or None, queryset=staff, user=request.user)
    page = capped_page(filterset.qs, request.GET.get("page"), size=STAFF_PAGE_SIZE, cap=STAFF_COUNT_CAP)
    unit_text = filterset.unit_text()
    suggestions, more = unit_suggestions(request.user, unit_text) if unit_text else ([], False)
    context = {
        "filter": filterset,
        "page": page,
        "chosen_unit": filterset.chosen_unit(),
        "query_string": query_without_page(request.GET),
        "without_unit": query_without(request.GET, "page", "unit", "unit_q"),
        "suggestions": suggestions,
        "more_suggestions": more,
        "unit_text": unit_text,
        "can_import": is_secretary(request.user),
    }
    return render(request, "units/staff_list.html", context)


def staff_unit_options(request: HttpRequest) -> HttpResponse:
    """The staff list's unit field as the user types (htmx): at most 20 matching units, each a
    link to the staff list filtered by it with the other filters kept."""
    if not can_list_staff(request.user):
        raise PermissionDenied(_("Your role does not include the staff list."))
    unit_text = request.GET.get("unit_q", "").strip()[:100]
    suggestions, more = unit_suggestions(request.user, unit_text)
    context = {
        "suggestions": suggestions,
        "more_suggestions": more,
        "unit_text": unit_text,
        "without_unit": query_without(request.GET, "page", "unit", "unit_q"),
    }
    return render(request, "units/_unit_options.html", context)


def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = get_staff_for_user(request.user, pk)
    context = {
        "staff": staff,
        "assignments": list(staff.assignments.select_related("unit").order_by("-start_date")),
        "can_edit": can_edit_staff(request.user, staff),
        "panels": panels_for("staff", staff, request.user),
    }
    return render(request, "units/staff_detail.html", context)

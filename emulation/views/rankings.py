"""Ranking pages: every cluster's table and the movement's for a period, and "explain my rank".

Final rankings are read by everyone logged in; provisional ones (compiled from the scores while
scoring is open) only by those `RankingSnapshot.objects.visible_to` lets through, everyone else
is told the results are not published yet (docs/security.md, "Provisional rankings"). The tables are rendered from immutable snapshots, so the
rendered HTML is cached under the snapshot's id and checksum (a new snapshot is a new key: there is
nothing to invalidate); docs/design.md section 8 measured rendering, not SQL, as the cost of a table.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emulation.enums import RankingScope
from emulation.fragments import cached_sections
from emulation.models import Period, RankingEntry, RankingSnapshot, Submission, TaskArea
from emulation.permissions import can_read_submission, can_see_provisional_rankings
from emulation.services.rankings import (
    current_snapshots,
    explain_rank,
    latest_compiled_period_id,
    latest_ranked_period,
)
from units.enums import MOVEMENT_WIDE_ROLES
from units.models import Unit
from units.permissions import get_unit_for_user, has_role

RANKING_PAGE_SIZE = 50
TABLE_CACHE_SECONDS = 24 * 3600


def _selected_period(request: HttpRequest, periods: list[Period]) -> Period | None:
    """The period asked for, else the latest one with a ranking the user may read, else the latest."""
    wanted = request.GET.get("period", "")
    if not wanted:
        wanted = str(latest_compiled_period_id(viewer=request.user) or "")
    return next((p for p in periods if str(p.pk) == wanted), periods[0] if periods else None)


def _links_every_unit(user) -> bool:
    """Users who may open every unit's explanation get links in the (shared, cached) tables.

    Movement-wide roles see every unit (Unit.objects.visible_to); a unit officer sees only its
    own units, listed with their links above the tables instead.
    """
    return has_role(user, *MOVEMENT_WIDE_ROLES)


def _table_key(snapshot: RankingSnapshot, *, linked: bool, page: int = 0) -> str:
    return f"rankings:table:{snapshot.pk}:{snapshot.inputs_hash[:16]}:{get_language()}:{int(linked)}:{page}"


def _with_area_points(entries, areas) -> None:
    """Give each entry its points in task-area order (templates cannot index a dict by a variable)."""
    for entry in entries:
        entry.area_list = [entry.area_points.get(str(area.number)) for area in areas]


def _render_cluster_tables(snapshots: list[RankingSnapshot], areas, *, linked: bool) -> dict[int, str]:
    """The rendered table of each cluster snapshot, from the cache or in one query for the rest."""
    keys = {snapshot.pk: _table_key(snapshot, linked=linked) for snapshot in snapshots}
    cached = cache.get_many(list(keys.values()))
    # Our own rendered template output, stored by us: safe to show as it is.
    tables = {pk: mark_safe(cached[key]) for pk, key in keys.items() if key in cached}
    missing = [snapshot for snapshot in snapshots if snapshot.pk not in tables]
    if missing:
        entries: dict[int, list[RankingEntry]] = {snapshot.pk: [] for snapshot in missing}
        for entry in (
            RankingEntry.objects.filter(snapshot__in=missing)
            .select_related("unit")
            .order_by("snapshot_id", "rank")
        ):
            entries[entry.snapshot_id].append(entry)
        for rows in entries.values():
            _with_area_points(rows, areas)
        fresh = {
            snapshot.pk: render_to_string(
                "emulation/_ranking_table.html",
                {"snapshot": snapshot, "entries": entries[snapshot.pk], "areas": areas, "linked": linked},
            )
            for snapshot in missing
        }
        cache.set_many({keys[pk]: html for pk, html in fresh.items()}, TABLE_CACHE_SECONDS)
        tables.update(fresh)
    return tables


def _cluster_sections(snapshots: list[RankingSnapshot], areas, *, linked: bool) -> str:
    """Every cluster's section (its heading and table) as one cached piece of HTML.

    Keyed by what the headings show (each snapshot's id, checksum, kind and time, its cluster's
    name and kind) and by the links: one cache read instead of one per cluster, and no template
    include per cluster (make bench: the page's main cost at 10x, with 41 clusters).
    """
    if not snapshots:
        return ""
    material = (
        linked,
        [
            (
                s.pk,
                s.inputs_hash[:16],
                s.is_provisional,
                s.computed_at,
                s.cluster.name,
                s.cluster.kind,
                [area.number for area in areas],
            )
            for s in snapshots
        ],
    )

    def context() -> dict:
        tables = _render_cluster_tables(snapshots, areas, linked=linked)
        return {"clusters": [(snapshot, tables[snapshot.pk]) for snapshot in snapshots]}

    return cached_sections({"clusters": ("emulation/_ranking_clusters.html", context, material)})["clusters"]


def _render_movement_table(
    request: HttpRequest, snapshot: RankingSnapshot, areas, *, linked: bool, period: Period
) -> str:
    """One page (50 units) of the movement-wide table, cached per snapshot and page."""
    number = request.GET.get("page", "1")
    number = int(number) if number.isdigit() else 1
    key = _table_key(snapshot, linked=linked, page=number)
    html = cache.get(key)
    if html is not None:
        return mark_safe(html)  # our own rendered template output, see _render_cluster_tables
    entries = RankingEntry.objects.filter(snapshot=snapshot).select_related("unit").order_by("rank")
    page = Paginator(entries, RANKING_PAGE_SIZE).get_page(number)
    _with_area_points(page, areas)
    html = render_to_string(
        "emulation/_ranking_table.html",
        {
            "snapshot": snapshot,
            "entries": page,
            "page": page,
            "areas": areas,
            "linked": linked,
            "query_string": f"period={period.pk}",
        },
    )
    cache.set(key, html, TABLE_CACHE_SECONDS)
    return html


def ranking_list(request: HttpRequest) -> HttpResponse:
    """Every cluster's current ranking for a period, then the movement's, paginated."""
    periods = list(Period.objects.latest_first())
    period = _selected_period(request, periods)
    snapshots = current_snapshots(period, viewer=request.user) if period else []
    cluster_snapshots = [s for s in snapshots if s.scope == RankingScope.CLUSTER]
    movement_snapshot = next((s for s in snapshots if s.scope == RankingScope.MOVEMENT), None)
    linked = _links_every_unit(request.user)
    areas = (
        list(TaskArea.objects.filter(movement_id=period.movement_id).order_by("number")) if snapshots else []
    )
    own_entries = []
    if movement_snapshot is not None and not linked:
        own_entries = list(
            RankingEntry.objects.filter(
                snapshot=movement_snapshot, unit__in=Unit.objects.visible_to(request.user)
            )
            .select_related("unit")
            .order_by("rank")[:20]
        )
    context = {
        "periods": periods,
        "period": period,
        "cluster_sections": _cluster_sections(cluster_snapshots, areas, linked=linked),
        "movement_snapshot": movement_snapshot,
        "movement_table": (
            _render_movement_table(request, movement_snapshot, areas, linked=linked, period=period)
            if movement_snapshot
            else ""
        ),
        "own_entries": own_entries,
        "withheld": period is not None and not can_see_provisional_rankings(request.user, period),
    }
    return render(request, "emulation/ranking_list.html", context)


def _submission_url(user, unit: Unit, period: Period) -> str:
    """The unit's self-assessment page, when the user may read it."""
    submission = Submission.objects.with_unit().filter(unit=unit, period=period).first()
    if submission is None or not can_read_submission(user, submission):
        return ""
    return submission.get_absolute_url()


def ranking_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """Explain my rank: points per task area against the cluster's best and median, and the change."""
    unit = get_unit_for_user(request.user, pk)
    periods = list(Period.objects.latest_first())
    wanted = request.GET.get("period", "")
    if wanted:
        period = next((p for p in periods if str(p.pk) == wanted), None)
        if period is None:
            raise Http404(_("No such period."))
    else:
        period = latest_ranked_period(unit, viewer=request.user) or (periods[0] if periods else None)
    explanation = explain_rank(unit, period, viewer=request.user) if period else None
    context = {
        "unit": unit,
        "periods": periods,
        "period": period,
        "explanation": explanation,
        "withheld": period is not None and not can_see_provisional_rankings(request.user, period),
        "submission_url": _submission_url(request.user, unit, period) if explanation else "",
    }
    return render(request, "emulation/ranking_unit.html", context)

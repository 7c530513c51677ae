"""Leaders' dashboards: the movement, a cluster, a unit; the officer's home; exports and the A4 report.

Who sees what: leaders, the committee secretary and administrators open every dashboard, export
and report. A unit officer opens the drill-down of its own unit and the units below it (any other
unit answers 404, like every scoped object); a committee member opens any unit's drill-down but
without staff data. Final rankings are read by everyone, so a ranking export is open to every
role; a provisional one only to whom `RankingSnapshot.objects.visible_to` allows (404 otherwise),
and every ranking figure of these pages is read through the same rule.

The numbers come from `emulation.dashboard` (snapshots and aggregates, a fixed number of queries);
the rendered cluster rankings are cached there under the snapshot's id.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import spreadsheets
from emulation import dashboard, dashboard_exports
from emulation.enums import RankingScope
from emulation.fragments import cached_sections
from emulation.models import Period, RankingEntry, RankingSnapshot
from emulation.permissions import is_unit_officer_of
from emulation.services.rankings import current_snapshots
from units.enums import Role
from units.models import Cluster
from units.permissions import can_list_staff, get_unit_for_user, has_role, require_role
from units.querysets import home_unit_of


def _require_reader(request: HttpRequest) -> None:
    require_role(request.user, Role.LEADER, Role.COMMITTEE_SECRETARY)


def _export_format(request: HttpRequest) -> str:
    wanted = request.GET.get("format", "xlsx")
    if wanted not in spreadsheets.FORMATS:
        raise Http404(_("Exports are offered as xlsx or csv."))
    return wanted


def _download(content: bytes, filename: str, export_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=spreadsheets.content_type(export_format))
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def _renderer(areas):
    """The fragment renderer of `dashboard.cluster_boards`, bound to the period's task areas."""

    def render_fragment(snapshot: RankingSnapshot, entries: list[RankingEntry]) -> str:
        return render_to_string(
            "emulation/_dashboard_ranking.html", {"snapshot": snapshot, "entries": entries, "areas": areas}
        )

    return render_fragment


def _boards(snapshots, areas, *, limit):
    boards = dashboard.cluster_boards(snapshots, areas, render=_renderer(areas), limit=limit)
    # Our own rendered template output, cached by us: safe to show as it is.
    return [(board, mark_safe(board.html)) for board in boards]


def _trend_choice(request: HttpRequest, choices) -> tuple[str, object]:
    """The trend asked for: ("unit", Unit), ("cluster", code) or ("clusters", None).

    Only the units and clusters offered in the selector are accepted; anything else shows the
    default (every cluster), never an error.
    """
    wanted = request.GET.get("trend", "")
    kind, _sep, value = wanted.partition(":")
    if kind == "unit" and value.isdigit():
        unit = next((u for _cluster, units in choices for u in units if u.pk == int(value)), None)
        if unit is not None:
            return "unit", unit
    if kind == "cluster" and any(cluster.code == value for cluster, _units in choices):
        return "cluster", value
    return "clusters", None


def movement_dashboard(request: HttpRequest) -> HttpResponse:
    """The movement at a glance for a period: progress, cluster rankings, task areas, trend, targets.

    Also the home page of leaders, the secretary and administrators (config.views.home).
    """
    _require_reader(request)
    today = timezone.localdate()
    periods = list(Period.objects.latest_first())
    period = dashboard.chosen_period(periods, request.GET.get("period", ""), today)
    context: dict = {"periods": periods, "period": period, "today": today}
    if period is None:
        return render(request, "emulation/dashboard.html", context)
    years = dashboard.movement_periods(periods, period)
    # Cached under a key read in one query that moves with every write they depend on.
    progress, headlines = dashboard.live_figures(period, years, today)
    snapshots = current_snapshots(period, viewer=request.user)
    cluster_snapshots = [s for s in snapshots if s.scope == RankingScope.CLUSTER]
    movement_snapshot = next((s for s in snapshots if s.scope == RankingScope.MOVEMENT), None)
    areas = dashboard.task_areas(period)
    boards = _boards(cluster_snapshots, areas, limit=dashboard.TOP_ENTRIES)
    board_list = [board for board, _html in boards]
    choices = dashboard.trend_choices(period)
    trend_kind, trend_value = _trend_choice(request, choices)
    trend = dashboard.cached_trend(
        years,
        viewer=request.user,
        unit=trend_value if trend_kind == "unit" else None,
        cluster_code=trend_value if trend_kind == "cluster" else None,
    )
    chart_data = {"trend": trend.chart(), **{headline.key: headline.chart() for headline in headlines}}
    if board_list:
        chart_data["areas"] = dashboard.area_chart(board_list, areas)
    trend_context = {
        "period": period,
        "path": request.path,
        "trend": trend,
        "trend_choices": choices,
        "trend_unit_id": trend_value.pk if trend_kind == "unit" else None,
        "trend_cluster_code": trend_value if trend_kind == "cluster" else None,
    }
    # What each section shows, as plain values: the key of its cached HTML.
    sections = cached_sections(
        {
            "tiles": (
                "emulation/_dashboard_tiles.html",
                {"progress": progress, "period": period, "today": today},
                (period.pk, period.year, today, progress.clusters, progress.total),
            ),
            "trend": (
                "emulation/_dashboard_trend.html",
                trend_context,
                (
                    period.pk,
                    request.path,
                    trend,
                    trend_context["trend_unit_id"],
                    trend_context["trend_cluster_code"],
                    [(c.code, c.name, [(u.pk, u.name) for u in units]) for c, units in choices],
                ),
            ),
            "headlines": (
                "emulation/_dashboard_headlines.html",
                {"period": period, "headlines": headlines},
                (period.pk, [_headline_material(headline) for headline in headlines]),
            ),
        }
    )
    context |= {
        "progress": progress,
        "boards": boards,
        "movement_snapshot": movement_snapshot,
        "areas": areas,
        "area_rows": dashboard.area_results(board_list, areas),
        "area_clusters": [board.cluster for board in board_list],
        "sections": sections,
        "chart_data": chart_data,
    }
    return render(request, "emulation/dashboard.html", context)


def _headline_material(headline: dashboard.Headline) -> tuple:
    criterion, spec = headline.criterion, headline.spec
    return (
        criterion.code,
        criterion.title,
        criterion.measure,
        spec.code,
        spec.goal,
        headline.goal_note,
        headline.years,
    )


def dashboard_cluster(request: HttpRequest, pk: int) -> HttpResponse:
    """A cluster's members with their progress in the period of the cluster's year, and its ranking."""
    _require_reader(request)
    cluster = get_object_or_404(Cluster, pk=pk)
    periods = list(Period.objects.filter(year=cluster.year).latest_first())
    wanted = request.GET.get("period", "")
    period = next((p for p in periods if str(p.pk) == wanted), periods[0] if periods else None)
    today = timezone.localdate()
    context: dict = {
        "cluster": cluster,
        "period": period,
        "periods": periods,
        "other_years": list(Cluster.objects.filter(code=cluster.code).order_by("year").only("pk", "year")),
        "members": dashboard.cluster_members(cluster, period, today) if period else [],
        "today": today,
    }
    if period is not None:
        snapshot = next(
            (s for s in current_snapshots(period, viewer=request.user) if s.cluster_id == cluster.pk),
            None,
        )
        areas = dashboard.task_areas(period)
        boards = _boards([snapshot], areas, limit=None) if snapshot else []
        context |= {
            "snapshot": snapshot,
            "board": boards[0][0] if boards else None,
            "ranking_html": boards[0][1] if boards else "",
            "area_means": [boards[0][0].area_means.get(area.number) for area in areas] if boards else [],
            "areas": areas,
        }
    return render(request, "emulation/dashboard_cluster.html", context)


def dashboard_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's pledges, self-assessments, final scores and rank history over the years."""
    unit = get_unit_for_user(request.user, pk)
    user = request.user
    show_staff = can_list_staff(user)
    # Leaders, the secretary and the unit's own officers open the documents; a committee member
    # opens only what it was assigned to score, so it gets no links to self-assessments here.
    opens_documents = has_role(user, Role.LEADER, Role.COMMITTEE_SECRETARY) or is_unit_officer_of(user, unit)
    record = dashboard.unit_record(unit, with_staff=show_staff, viewer=user)
    context = {
        "unit": unit,
        "record": record,
        "chart_data": {"history": dashboard.history_chart(record.history)},
        "show_staff": show_staff,
        "opens_documents": opens_documents,
        "is_reader": has_role(user, Role.LEADER, Role.COMMITTEE_SECRETARY),
    }
    return render(request, "emulation/dashboard_unit.html", context)


def officer_home(request: HttpRequest) -> HttpResponse:
    """The unit officer's home page (config.views.home): what its unit owes next, its rank and trend."""
    unit = home_unit_of(request.user)
    outlook = (
        dashboard.unit_outlook(unit, timezone.localdate(), viewer=request.user) if unit is not None else None
    )
    return render(request, "home_officer.html", {"unit": unit, "outlook": outlook})


# --- Exports and the printable report ---------------------------------------------------------------


def ranking_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One ranking snapshot as .xlsx (?format=xlsx, the default) or .csv (?format=csv)."""
    export_format = _export_format(request)
    snapshot = get_object_or_404(
        RankingSnapshot.objects.visible_to(request.user).select_related("period__movement", "cluster"), pk=pk
    )
    areas = dashboard.task_areas(snapshot.period)
    entries = list(RankingEntry.objects.filter(snapshot=snapshot).select_related("unit").order_by("rank"))
    table = dashboard_exports.ranking_table(snapshot, entries, areas)
    scope = slugify(snapshot.cluster.code) if snapshot.cluster else "movement"
    return _download(
        spreadsheets.render(table, export_format),
        f"ranking-{snapshot.period.year}-{scope}",
        export_format,
    )


def _dashboard_period(request: HttpRequest) -> tuple[list[Period], Period]:
    periods = list(Period.objects.latest_first())
    period = dashboard.chosen_period(periods, request.GET.get("period", ""), timezone.localdate())
    if period is None:
        raise Http404(_("No period exists yet."))
    return periods, period


def dashboard_progress_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's progress tiles per cluster for a period, as .xlsx or .csv."""
    _require_reader(request)
    export_format = _export_format(request)
    _periods, period = _dashboard_period(request)
    table = dashboard_exports.progress_table(dashboard.period_progress(period, timezone.localdate()))
    return _download(spreadsheets.render(table, export_format), f"progress-{period.year}", export_format)


def dashboard_targets_export(request: HttpRequest) -> HttpResponse:
    """The headline targets year by year for the period's movement, as .xlsx or .csv."""
    _require_reader(request)
    export_format = _export_format(request)
    periods, period = _dashboard_period(request)
    headlines = dashboard.headline_targets(dashboard.movement_periods(periods, period))
    table = dashboard_exports.headlines_table(headlines)
    return _download(spreadsheets.render(table, export_format), "headline-targets", export_format)


def period_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 report of a period's results: the rankings and the headline targets."""
    _require_reader(request)
    period = get_object_or_404(Period.objects.select_related("movement"), pk=pk)
    snapshots = current_snapshots(period, viewer=request.user)
    areas = dashboard.task_areas(period)
    entries: dict[int, list[RankingEntry]] = {snapshot.pk: [] for snapshot in snapshots}
    for entry in (
        RankingEntry.objects.filter(snapshot__in=snapshots)
        .select_related("unit")
        .order_by("snapshot_id", "rank")
    ):
        entries[entry.snapshot_id].append(entry)
    for rows in entries.values():
        dashboard.with_area_list(rows, areas)
    periods = list(
        Period.objects.filter(movement_id=period.movement_id).select_related("movement").order_by("year")
    )
    movement = [(s, entries[s.pk]) for s in snapshots if s.scope == RankingScope.MOVEMENT]
    context = {
        "period": period,
        "today": timezone.localdate(),
        "areas": areas,
        "movement_ranking": movement[0] if movement else None,
        "cluster_rankings": [(s, entries[s.pk]) for s in snapshots if s.scope == RankingScope.CLUSTER],
        "headlines": dashboard.headline_targets(periods),
    }
    return render(request, "emulation/report_period.html", context)

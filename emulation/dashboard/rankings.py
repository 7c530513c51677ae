"""Rankings read from the snapshots: each cluster's board, task-area means, trends, rank history."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emulation.dashboard.common import (
    TOP_ENTRIES,
    area_label,
    chart_number,
    preferred_rows,
    to_decimal,
    with_area_list,
)
from emulation.enums import RankingScope
from emulation.fragments import FRAGMENT_CACHE_SECONDS
from emulation.models import Period, RankingEntry, RankingSnapshot, TaskArea
from emulation.services.rankings import preferred_kind_first
from units.models import Cluster, ClusterMembership, Unit


@dataclass(frozen=True)
class ClusterBoard:
    """A cluster's current ranking as the dashboard shows it: its fragment and its figures."""

    snapshot: RankingSnapshot
    size: int
    area_means: dict[int, Decimal]
    html: str

    @property
    def cluster(self) -> Cluster:
        return self.snapshot.cluster


def _board_key(snapshot: RankingSnapshot, variant: str, areas: list[TaskArea]) -> str:
    """The snapshot's id (and checksum: ids repeat after a database reset), the task-area columns
    and the language: everything the cached fragment depends on."""
    columns = "-".join(str(area.number) for area in areas)
    return f"dashboard:{variant}:{snapshot.pk}:{snapshot.inputs_hash[:16]}:{columns}:{get_language()}"


def _area_means(entries: list[RankingEntry], areas: list[TaskArea]) -> dict[str, str]:
    """Mean points per task area over a snapshot's entries (as strings: the cache stores JSON-safe data)."""
    means = {}
    for area in areas:
        values = [Decimal(entry.area_points.get(str(area.number), "0")) for entry in entries]
        means[str(area.number)] = str(to_decimal(sum(values, Decimal(0)) / len(values)) if values else "")
    return means


def cluster_boards(
    snapshots: list[RankingSnapshot],
    areas: list[TaskArea],
    *,
    render: Callable[[RankingSnapshot, list[RankingEntry]], str],
    limit: int | None = TOP_ENTRIES,
) -> list[ClusterBoard]:
    """Each cluster snapshot with its rendered table (the first `limit` places) and its figures.

    `render(snapshot, entries)` renders the fragment; what it returns is cached with the size and
    the task-area means under the snapshot's id, so a warm cache costs no query at all and a cold
    one a single query for every missing snapshot together.
    """
    variant = f"top{limit}" if limit else "full"
    keys = {snapshot.pk: _board_key(snapshot, variant, areas) for snapshot in snapshots}
    cached = cache.get_many(list(keys.values()))
    digests = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [snapshot for snapshot in snapshots if snapshot.pk not in digests]
    if missing:
        entries: dict[int, list[RankingEntry]] = {snapshot.pk: [] for snapshot in missing}
        for entry in (
            RankingEntry.objects.filter(snapshot__in=missing)
            .select_related("unit")
            .order_by("snapshot_id", "rank")
        ):
            entries[entry.snapshot_id].append(entry)
        fresh = {}
        for snapshot in missing:
            rows = entries[snapshot.pk]
            shown = rows[:limit] if limit else rows
            with_area_list(shown, areas)
            fresh[snapshot.pk] = {
                "html": render(snapshot, shown),
                "size": len(rows),
                "means": _area_means(rows, areas),
            }
        cache.set_many({keys[pk]: digest for pk, digest in fresh.items()}, FRAGMENT_CACHE_SECONDS)
        digests.update(fresh)
    boards = []
    for snapshot in snapshots:
        digest = digests[snapshot.pk]
        boards.append(
            ClusterBoard(
                snapshot=snapshot,
                size=digest["size"],
                area_means={int(number): Decimal(mean) for number, mean in digest["means"].items() if mean},
                html=digest["html"],
            )
        )
    return boards


@dataclass(frozen=True)
class AreaTableRow:
    area: TaskArea
    means: list[Decimal | None]  # one per board, in board order


def area_results(boards: list[ClusterBoard], areas: list[TaskArea]) -> list[AreaTableRow]:
    """Mean points per task area (rows) and cluster (columns), for the chart's data table."""
    return [AreaTableRow(area, [board.area_means.get(area.number) for board in boards]) for area in areas]


def area_chart(boards: list[ClusterBoard], areas: list[TaskArea]) -> dict:
    return {
        "labels": [area_label(area.number) for area in areas],
        "datasets": [
            {
                "label": board.cluster.name,
                "data": [chart_number(board.area_means.get(area.number)) for area in areas],
            }
            for board in boards
        ],
    }


# --- Trend over the years -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    label: str
    values: list[Decimal | None]  # one per year of the trend
    ranks: list[str] = field(default_factory=list)  # "2/5" per year, for a unit


@dataclass(frozen=True)
class Trend:
    years: list[int]
    series: list[TrendSeries]
    subject: str  # "clusters", "cluster" or "unit"

    @property
    def rows(self) -> list[tuple[int, list[Decimal | None], list[str]]]:
        """One row per year for the data table: the year, each series' value, and the unit's rank."""
        ranks = self.series[0].ranks if self.subject == "unit" and self.series else []
        return [
            (year, [series.values[index] for series in self.series], ranks[index] if ranks else "")
            for index, year in enumerate(self.years)
        ]

    def chart(self) -> dict:
        return {
            "labels": [str(year) for year in self.years],
            "datasets": [
                {"label": series.label, "data": [chart_number(value) for value in series.values]}
                for series in self.series
            ],
        }


def trend(
    periods: list[Period],
    *,
    viewer,
    unit: Unit | TrendUnit | None = None,
    cluster_code: str | None = None,
) -> Trend:
    """Total points per year: a unit's, or the mean total of each cluster (or of one cluster) by code.

    Clusters are rows per year; the same code in several years is taken as the same cluster. The
    mean total of the whole movement is always the last series, for comparison. One query for the
    clusters; for a unit, its rank history and the movement's means (two).
    """
    by_pk = {period.pk: period for period in periods}
    years = [period.year for period in periods]
    index = {period.pk: position for position, period in enumerate(periods)}
    current = (
        RankingEntry.objects.visible_to(viewer)
        .filter(snapshot__is_current=True, snapshot__period__in=periods)
        .order_by()
    )
    series: list[TrendSeries] = []
    if unit is not None:
        values: list[Decimal | None] = [None] * len(periods)
        ranks = [""] * len(periods)
        for row in rank_history(unit, viewer=viewer):
            position = index.get(row.period.pk)
            if position is not None:
                values[position] = row.total
                ranks[position] = row.place
        series.append(TrendSeries(unit.name, values, ranks))
        movement_rows = _movement_means(current, by_pk)
    else:
        # The movement's mean rides along in the same query (scope "movement", no cluster). A plain
        # condition on the snapshot, not "entry in (subquery)": make bench found that subquery
        # scanning every entry of the table (most of the page's database time at 10x).
        wanted = Q(snapshot__scope=RankingScope.MOVEMENT) | Q(snapshot__scope=RankingScope.CLUSTER)
        if cluster_code:
            wanted = Q(snapshot__scope=RankingScope.MOVEMENT) | Q(
                snapshot__scope=RankingScope.CLUSTER, snapshot__cluster__code=cluster_code
            )
        rows = list(
            current.filter(wanted)
            .values(
                "snapshot__period_id",
                "snapshot__is_provisional",
                "snapshot__scope",
                "snapshot__cluster__code",
                "snapshot__cluster__name",
                "snapshot__period__year",
            )
            .annotate(mean=Avg("total"))
        )
        cluster_rows = [row for row in rows if row["snapshot__scope"] == RankingScope.CLUSTER]
        chosen = preferred_rows(
            cluster_rows, by_pk, key=lambda row: (row["snapshot__cluster__code"], row["snapshot__period_id"])
        )
        names: dict[str, tuple[int, str]] = {}
        by_code: dict[str, list[Decimal | None]] = defaultdict(lambda: [None] * len(periods))
        for (code, period_id), row in chosen.items():
            by_code[code][index[period_id]] = to_decimal(row["mean"])
            year = row["snapshot__period__year"]
            if code not in names or names[code][0] < year:
                names[code] = (year, row["snapshot__cluster__name"])  # the latest name of the code
        series.extend(TrendSeries(names[code][1], by_code[code]) for code in sorted(by_code))
        movement_rows = preferred_rows(
            [row for row in rows if row["snapshot__scope"] == RankingScope.MOVEMENT],
            by_pk,
            key=lambda row: row["snapshot__period_id"],
        )
    movement_values: list[Decimal | None] = [None] * len(periods)
    for period_id, row in movement_rows.items():
        movement_values[index[period_id]] = to_decimal(row["mean"])
    series.append(TrendSeries(str(_("Movement average")), movement_values))
    subject = "unit" if unit is not None else ("cluster" if cluster_code else "clusters")
    return Trend(years=years, series=series, subject=subject)


def cached_trend(
    periods: list[Period],
    *,
    viewer,
    unit: Unit | TrendUnit | None = None,
    cluster_code: str | None = None,
) -> Trend:
    """`trend`, cached under the current snapshots it is computed from (1 query when cached).

    The key holds every current snapshot of the periods (id, inputs hash, and the cluster's name,
    which the series are labelled with), each period's year and preferred kind, the unit or
    cluster asked for, and the language. Snapshots are immutable: a compile that changes anything
    makes a new current snapshot, hence a new key; nothing needs invalidating.
    """
    # Only the snapshots the viewer may read: someone who may not see a provisional ranking gets
    # another key, hence never a trend computed for someone who may.
    snapshots = list(
        RankingSnapshot.objects.visible_to(viewer)
        .filter(period__in=periods, is_current=True)
        .order_by("pk")
        .values_list("pk", "inputs_hash", "cluster__name")
    )
    material = (
        [(period.pk, period.year, preferred_kind_first(period)) for period in periods],
        (unit.pk, unit.name) if unit is not None else None,
        cluster_code,
        snapshots,
    )
    digest = hashlib.sha256(repr(material).encode()).hexdigest()[:32]
    key = f"dashboard:trend:{digest}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = trend(periods, viewer=viewer, unit=unit, cluster_code=cluster_code)
        cache.set(key, found, FRAGMENT_CACHE_SECONDS)
    return found


def _movement_means(current, by_pk: dict[int, Period]) -> dict:
    rows = (
        current.filter(snapshot__scope=RankingScope.MOVEMENT)
        .values("snapshot__period_id", "snapshot__is_provisional")
        .annotate(mean=Avg("total"))
    )
    return preferred_rows(rows, by_pk, key=lambda row: row["snapshot__period_id"])


@dataclass(frozen=True)
class TrendCluster:
    """A cluster offered in the trend's selector (plain values: read without building models)."""

    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class TrendUnit:
    pk: int
    name: str


def trend_choices(period: Period) -> list[tuple[TrendCluster, list[TrendUnit]]]:
    """The clusters of the period's year with their member units, for the trend's selector (1 query).

    Plain values, not models: at 10x the demo the selector lists a few hundred units, and building
    a membership, a cluster and a unit object for each was a tenth of the dashboard's time.
    """
    grouped: dict[int, tuple[TrendCluster, list[TrendUnit]]] = {}
    rows = (
        ClusterMembership.objects.filter(year=period.year)
        .order_by("cluster__kind", "cluster__code", "unit__code")
        .values_list("cluster_id", "cluster__code", "cluster__name", "unit_id", "unit__name")
    )
    for cluster_id, code, name, unit_id, unit_name in rows:
        if cluster_id not in grouped:
            grouped[cluster_id] = (TrendCluster(cluster_id, code, name), [])
        grouped[cluster_id][1].append(TrendUnit(unit_id, unit_name))
    return list(grouped.values())


# --- A unit's rank history ------------------------------------------------------------------------


@dataclass(frozen=True)
class RankYear:
    """A unit's place in one period's current rankings (the preferred kind of snapshot)."""

    period: Period
    total: Decimal
    is_provisional: bool
    cluster: Cluster | None
    cluster_rank: int | None
    cluster_size: int | None
    movement_rank: int | None
    movement_size: int | None

    @property
    def place(self) -> str:
        """The rank as "2/5": in the cluster, or in the movement for a unit outside every cluster."""
        if self.cluster_rank is not None:
            return f"{self.cluster_rank}/{self.cluster_size}"
        return f"{self.movement_rank}/{self.movement_size}"


def rank_history(unit: Unit | TrendUnit, *, viewer) -> list[RankYear]:
    """One row per period in which the unit is ranked, oldest first, from the snapshots the viewer
    may read (1 query)."""
    size = (
        RankingEntry.objects.filter(snapshot_id=OuterRef("snapshot_id"))
        .order_by()
        .values("snapshot_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    entries = (
        RankingEntry.objects.visible_to(viewer)
        .filter(unit_id=unit.pk, snapshot__is_current=True)
        .select_related("snapshot__period", "snapshot__cluster")
        .annotate(size=Subquery(size))
        .order_by("snapshot__period__year", "snapshot__period_id", "snapshot_id")
    )
    chosen: dict[tuple[int, str], tuple[int, RankingEntry]] = {}
    for entry in entries:
        period = entry.snapshot.period
        order = preferred_kind_first(period).index(entry.snapshot.is_provisional)
        key = (period.pk, entry.snapshot.scope)
        if key not in chosen or order < chosen[key][0]:
            chosen[key] = (order, entry)
    periods: dict[int, Period] = {}
    for (period_id, _scope), (_order, entry) in chosen.items():
        periods.setdefault(period_id, entry.snapshot.period)
    history = []
    for period_id, period in sorted(periods.items(), key=lambda item: (item[1].year, item[0])):
        in_cluster = chosen.get((period_id, RankingScope.CLUSTER), (0, None))[1]
        in_movement = chosen.get((period_id, RankingScope.MOVEMENT), (0, None))[1]
        main = in_cluster or in_movement
        history.append(
            RankYear(
                period=period,
                total=main.total,
                is_provisional=main.snapshot.is_provisional,
                cluster=in_cluster.snapshot.cluster if in_cluster else None,
                cluster_rank=in_cluster.rank if in_cluster else None,
                cluster_size=in_cluster.size if in_cluster else None,
                movement_rank=in_movement.rank if in_movement else None,
                movement_size=in_movement.size if in_movement else None,
            )
        )
    return history


def history_chart(history: list[RankYear]) -> dict:
    return {
        "labels": [str(row.period.year) for row in history],
        "datasets": [{"label": str(_("Total points")), "data": [chart_number(row.total) for row in history]}],
    }

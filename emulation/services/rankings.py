"""Ranking compilation: every cluster or block of the year, and the whole movement, for a period.

The documented total order (docs/design.md section 5), best place first:

1. the higher total: the criteria points (each capped at its criterion's maximum) plus bonuses
   minus deductions, the net adjustment kept within the movement's ±bonus limit;
2. more task areas at full marks (every criterion of the area at its maximum);
3. more points in task area 4;
4. more points in task area 5;
5. the unit code, ascending: the last resort, so no two units ever share a place.

Each entry records in `decided_by` the first key that separates it from the unit ranked just
above it ("total" for the first entry).

Inputs. The units ranked are those whose self-assessment was submitted (a draft never submitted
is not ranked). A finalised period is ranked from its `CriterionResult` rows (the committee's fixed
points). A period still being scored gets a *provisional* ranking from the current `Score` rows:
the mean of the members' points per criterion, rounded to 2 places and capped at the maximum,
computed in SQL. The provisional figure ignores the period's median or normalisation settings
(they cannot be done in one SQL aggregate); the final ranking uses whatever finalisation fixed.

Cost. A compile runs a fixed number of queries whatever the number of units or clusters: the
period lock, the task areas, the submitting units with their net adjustments and their cluster of
the year, one aggregate of points per unit (a column per task area; both fetched as plain tuples),
the current snapshots, then at most one update and two inserts (the entries in one statement,
from one JSON document on PostgreSQL). Ordering sorts the already aggregated rows (one per unit);
each unit's part of the inputs hash and of the entries is serialised once, though the unit is
ranked in its cluster and in the movement.
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Greatest, Least, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from emulation.enums import AdjustmentKind, RankingScope, SubmissionState, TieBreak
from emulation.models import (
    CriterionResult,
    Period,
    RankingEntry,
    RankingSnapshot,
    Score,
    Submission,
    TaskArea,
)
from emulation.services.errors import EmulationError
from emulation.services.ranking_store import write_entries, write_snapshots
from units.models import ClusterMembership, Unit
from units.services import record_audit

logger = logging.getLogger(__name__)

# Bump when the formula or the order changes: old snapshots keep the version they were built with.
FORMULA_VERSION = 1
# The task areas whose points break ties, in order (docs/design.md section 5).
TIE_BREAK_AREAS = (4, 5)
MOVEMENT_SCOPE_KEY = "movement"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_POINTS_FIELD: DecimalField = DecimalField(max_digits=8, decimal_places=2)


def _points(value) -> Decimal:
    """A database sum (Decimal, float on SQLite, or None) as points with 2 places."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cluster_scope_key(cluster_id: int) -> str:
    return f"cluster:{cluster_id}"


@dataclass
class UnitResult:
    """One unit's aggregated points, the row the ordering works on."""

    unit_id: int
    code: str
    area_points: dict[int, Decimal]
    adjustment: Decimal
    full_areas: int
    # Derived once (the ordering and the entries read them many times).
    criteria_points: Decimal = field(init=False)
    total: Decimal = field(init=False)
    # The points per task area as stored in an entry and hashed: {"1": "12.50", ...}.
    area_text: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.criteria_points = sum(self.area_points.values(), ZERO)
        self.total = self.criteria_points + self.adjustment
        self.area_text = {str(number): str(points) for number, points in sorted(self.area_points.items())}

    def area(self, number: int) -> Decimal:
        return self.area_points.get(number, ZERO)

    def sort_key(self) -> tuple:
        """The documented total order as a sort key (ascending sort puts the best first)."""
        return (
            -self.total,
            -self.full_areas,
            *(-self.area(number) for number in TIE_BREAK_AREAS),
            self.code,
        )

    def canonical(self) -> str:
        """This unit's part of the inputs hash (see inputs_hash), as canonical JSON."""
        return json.dumps(
            [
                self.unit_id,
                self.code,
                self.area_text,
                self.full_areas,
                str(self.adjustment),
            ],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )


def decided_by(result: UnitResult, above: UnitResult | None) -> str:
    """The first key of the total order that separates a unit from the one ranked just above it."""
    if above is None or result.total != above.total:
        return TieBreak.TOTAL
    if result.full_areas != above.full_areas:
        return TieBreak.FULL_AREAS
    if result.area(4) != above.area(4):
        return TieBreak.AREA_4
    if result.area(5) != above.area(5):
        return TieBreak.AREA_5
    return TieBreak.UNIT_CODE


def rank(results: list[UnitResult]) -> list[tuple[int, UnitResult, str]]:
    """(rank, result, decided_by) in the documented total order."""
    ordered = sorted(results, key=UnitResult.sort_key)
    return [
        (place, result, decided_by(result, ordered[place - 2] if place > 1 else None))
        for place, result in enumerate(ordered, start=1)
    ]


def inputs_hash(scope_key: str, results: list[UnitResult], canonical: dict[int, str] | None = None) -> str:
    """SHA-256 of a canonical serialisation of what the scope's ranking is computed from.

    Sorted by unit id: each unit's code (a tie-break key), its points per task area, its task
    areas at full marks and its net adjustment, plus the scope and the formula version. The
    entries are a pure function of these, so equal hashes mean equal entries. The text is the
    compact, key-sorted JSON of {"formula", "scope", "units"}; `canonical` may hold each unit's
    part already serialised (a unit ranked in its cluster and in the movement is serialised once).
    """
    if canonical is None:
        canonical = {result.unit_id: result.canonical() for result in results}
    head = json.dumps({"formula": FORMULA_VERSION, "scope": scope_key}, sort_keys=True, separators=(",", ":"))
    units = ",".join(canonical[unit_id] for unit_id in sorted(result.unit_id for result in results))
    text = f'{head[:-1]},"units":[{units}]}}'
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# --- Database aggregates ----------------------------------------------------------------------


def _per_area(queryset, capped, numbers: list[int]):
    """One row per unit: its unit id, then the sum of `capped` for each task area of `numbers`."""
    return (
        queryset.order_by()
        .values_list("submission__unit_id")
        .annotate(
            **{
                f"area_{number}": Sum(capped, filter=Q(criterion__task_area__number=number))
                for number in numbers
            }
        )
    )


def _final_area_points(period: Period, numbers: list[int]) -> list[tuple]:
    """Points per unit and task area from the fixed results: one GROUP BY query, a row per unit
    (its id, then its points in each task area of `numbers`, None for an area without results)."""
    capped = Greatest(Least(F("points"), F("criterion__max_points")), Value(ZERO), output_field=_POINTS_FIELD)
    results = CriterionResult.objects.filter(
        submission__period=period, criterion__task_area__movement_id=period.movement_id
    )
    return _tuples(_per_area(results, capped, numbers))


def _provisional_area_points(period: Period, numbers: list[int]) -> list[tuple]:
    """Points per unit and task area from the current scores, as rows like _final_area_points'.

    Each (submission, criterion) counts once, through its first score row; its value is the mean
    of all members' points for it (a correlated subquery), rounded to 2 places and capped.
    """
    same_item = Score.objects.filter(
        submission_id=OuterRef("submission_id"), criterion_id=OuterRef("criterion_id")
    ).order_by()
    mean = Subquery(
        same_item.values("submission_id").annotate(mean=Avg("points")).values("mean")[:1],
        output_field=_POINTS_FIELD,
    )
    earlier_row = same_item.filter(pk__lt=OuterRef("pk"))
    capped = Round(Least(mean, F("criterion__max_points"), output_field=_POINTS_FIELD), 2)
    # Grouped by (unit, task area), not one column per area: the correlated mean would be
    # repeated in every column's FILTER (measured slower).
    rows = _tuples(
        Score.objects.filter(submission__period=period, criterion__task_area__movement_id=period.movement_id)
        .filter(~Exists(earlier_row))
        .order_by()
        .values_list("submission__unit_id", "criterion__task_area__number")
        .annotate(points=Sum(capped))
    )
    position = {number: index for index, number in enumerate(numbers)}
    points: dict[int, list] = {}
    for unit_id, number, value in rows:
        if number in position:
            points.setdefault(unit_id, [None] * len(numbers))[position[number]] = value
    return [(unit_id, *values) for unit_id, values in points.items()]


def _tuples(queryset) -> list[tuple]:
    """The rows of a values_list queryset as the driver returns them (no per-value converters)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _net_adjustment():
    """Bonus minus deductions of a submission, uncapped (an aggregate over its adjustments)."""
    signed = Case(
        When(adjustments__kind=AdjustmentKind.DEDUCTION, then=F("adjustments__points") * Value(Decimal(-1))),
        default=F("adjustments__points"),
        output_field=_POINTS_FIELD,
    )
    return Sum(signed)


def _unit_results(period: Period, *, provisional: bool) -> tuple[dict[int, UnitResult], dict[int, int]]:
    """Every submitting unit's aggregated points, and the cluster of the year of those in one.

    Three queries: the task areas, the units (with adjustments and cluster), the points.
    """
    areas = dict(
        TaskArea.objects.filter(movement_id=period.movement_id)
        .order_by()
        .values_list("number")
        .annotate(full=Sum("criteria__max_points"))
    )
    # A self-assessment never submitted is not ranked (nor does it block finalisation).
    submissions = Submission.objects.filter(period=period)
    submissions = (
        submissions.exclude(state=SubmissionState.DRAFT)
        if provisional
        else submissions.filter(state=SubmissionState.FINALISED)
    )
    # One row per unit (one submission per unit and period) with its net adjustment and its cluster
    # of the year (a unit is in at most one cluster per year: a constraint of the memberships).
    cluster = ClusterMembership.objects.filter(unit_id=OuterRef("unit_id"), year=period.year).values(
        "cluster_id"
    )
    units = (
        submissions.order_by()
        .values_list("unit_id", "unit__code")
        .annotate(net=_net_adjustment(), cluster=Subquery(cluster[:1]))
    )
    numbers = sorted(areas)
    area_points_of = _provisional_area_points if provisional else _final_area_points
    points = {row[0]: row[1:] for row in area_points_of(period, numbers)} if numbers else {}
    missing = (None,) * len(numbers)
    limit = period.movement.bonus_limit
    full_marks = [(number, _points(maximum)) for number, maximum in areas.items() if maximum]
    results = {}
    clusters = {}
    for unit_id, code, net, cluster_id in _tuples(units):
        unit_points = points.get(unit_id, missing)
        area_points = {number: _points(value) for number, value in zip(numbers, unit_points, strict=True)}
        results[unit_id] = UnitResult(
            unit_id=unit_id,
            code=code,
            area_points=area_points,
            adjustment=max(min(_points(net), limit), -limit),
            full_areas=sum(1 for number, maximum in full_marks if area_points[number] >= maximum),
        )
        if cluster_id is not None:
            clusters[unit_id] = cluster_id
    return results, clusters


# --- The compile ------------------------------------------------------------------------------


@dataclass
class _Scope:
    key: str
    cluster_id: int | None
    results: list[UnitResult] = field(default_factory=list)


def _scopes(results: dict[int, UnitResult], clusters: dict[int, int]) -> list[_Scope]:
    """Each cluster or block of the year with its submitting units (by id), then the movement.

    A cluster of the year without any submitting unit has no scope: its current snapshot, if
    any, is retired like that of a cluster gone from the year.
    """
    by_cluster: dict[int, _Scope] = {}
    for unit_id, cluster_id in sorted(clusters.items(), key=lambda item: (item[1], item[0])):
        scope = by_cluster.setdefault(cluster_id, _Scope(cluster_scope_key(cluster_id), cluster_id))
        scope.results.append(results[unit_id])
    movement = _Scope(MOVEMENT_SCOPE_KEY, None, list(results.values()))
    return [*by_cluster.values(), movement]


def compile_rankings(period: Period, *, provisional: bool | None = None) -> list[RankingSnapshot]:
    """Compile the period's rankings; return the snapshots written (empty when nothing changed).

    `provisional` defaults to "the period is not finalised". A final compile of a period that is
    not finalised is refused (EmulationError). A scope whose current snapshot (of the same kind)
    has the same inputs hash is left alone, so a recompute of unchanged inputs writes nothing;
    otherwise, in one transaction, the old current snapshot stops being current and the new one
    is written with its entries. A final compile never touches provisional snapshots, nor the
    reverse. A scope left without any ranked unit (or gone from the year) loses its current
    snapshot.

    Two compiles at once are serialised by a lock on the period row; should the partial unique
    constraint (one current snapshot per scope and kind) still refuse a write, the whole compile is
    rolled back and tried once more against the then-current snapshots.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _compile(period.pk, provisional=provisional)
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("rankings: concurrent compile of period %s, retrying once", period.pk)
    return []  # unreachable: the loop returns or raises


def _compile(period_id: int, *, provisional: bool | None) -> list[RankingSnapshot]:
    # The lock serialises compiles of one period: the second waits, then finds the first's
    # snapshots current with the same hashes and writes nothing.
    period = Period.objects.select_for_update(of=("self",)).select_related("movement").get(pk=period_id)
    if provisional is None:
        provisional = not period.is_finalised
    elif not provisional and not period.is_finalised:
        raise EmulationError(
            _("The period %(year)s is not finalised: only a provisional ranking can be compiled.")
            % {"year": period.year}
        )
    results, clusters = _unit_results(period, provisional=provisional)
    scopes = _scopes(results, clusters)
    canonical = {unit_id: result.canonical() for unit_id, result in results.items()}
    current = {
        key: (pk, digest)
        for pk, key, digest in RankingSnapshot.objects.filter(
            period=period, is_provisional=provisional, is_current=True
        ).values_list("pk", "scope_key", "inputs_hash")
    }
    now = timezone.now()
    retire: list[int] = []
    new_snapshots: list[RankingSnapshot] = []
    ranked_by_scope: list[list[tuple[int, UnitResult, str]]] = []
    # A scope gone from the year (its cluster emptied) keeps no current snapshot.
    live = {scope.key for scope in scopes if scope.results}
    retire.extend(pk for key, (pk, _digest) in current.items() if key not in live)
    for scope in scopes:
        old = current.get(scope.key)
        if not scope.results:
            continue
        digest = inputs_hash(scope.key, scope.results, canonical)
        if old is not None and old[1] == digest:
            continue
        if old is not None:
            retire.append(old[0])
        new_snapshots.append(
            RankingSnapshot(
                period=period,
                scope=RankingScope.CLUSTER if scope.cluster_id else RankingScope.MOVEMENT,
                cluster_id=scope.cluster_id,
                scope_key=scope.key,
                is_provisional=provisional,
                is_current=True,
                computed_at=now,
                formula_version=FORMULA_VERSION,
                inputs_hash=digest,
            )
        )
        ranked_by_scope.append(rank(scope.results))
    if retire:
        RankingSnapshot.objects.filter(pk__in=retire).update(is_current=False)
    if not new_snapshots and not retire:
        return []
    write_snapshots(new_snapshots)
    write_entries(
        (snapshot.pk, result, place, key)
        for snapshot, ranked in zip(new_snapshots, ranked_by_scope, strict=True)
        for place, result, key in ranked
    )
    record_audit(
        period,
        action="ranking.compiled",
        actor=None,
        after={
            "provisional": provisional,
            "snapshots": [snapshot.scope_key for snapshot in new_snapshots],
            "retired": len(retire),
        },
    )
    return new_snapshots


# --- Reads for the ranking pages and the command -------------------------------------------------


def preferred_kind_first(period: Period) -> tuple[bool, bool]:
    """The kinds of snapshot to show, preferred first: final for a finalised period, else provisional.

    A period reopened after finalisation still has its old final snapshots; until it is finalised
    again the provisional ones (compiled from the current scores) are the truer picture.
    """
    return (False, True) if period.is_finalised else (True, False)


def current_snapshots(period: Period, *, viewer) -> list[RankingSnapshot]:
    """One current snapshot per scope (the preferred kind, else the other), clusters then movement,
    among those the viewer may read (`RankingSnapshot.objects.visible_to`).

    One query; the clusters come with their snapshot (select_related).
    """
    rows = (
        RankingSnapshot.objects.visible_to(viewer)
        .filter(period=period, is_current=True)
        .select_related("cluster")
        .order_by("scope_key", "is_provisional")
    )
    preference = preferred_kind_first(period)
    chosen: dict[str, RankingSnapshot] = {}
    for snapshot in rows:
        held = chosen.get(snapshot.scope_key)
        if held is None or preference.index(snapshot.is_provisional) < preference.index(held.is_provisional):
            chosen[snapshot.scope_key] = snapshot
    return sorted(
        chosen.values(),
        key=lambda s: (
            s.scope == RankingScope.MOVEMENT,
            s.cluster.kind if s.cluster else "",
            s.cluster.code if s.cluster else "",
        ),
    )


@dataclass(frozen=True)
class AreaLine:
    """One task area on the "explain my rank" page."""

    number: int
    title: str
    points: Decimal
    best: Decimal
    median: Decimal
    previous: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        return None if self.previous is None else self.points - self.previous


@dataclass(frozen=True)
class RankExplanation:
    """Why a unit stands where it does in its cluster (or, outside any cluster, the movement)."""

    unit: Unit
    period: Period
    snapshot: RankingSnapshot
    entry: RankingEntry
    size: int
    above: RankingEntry | None
    movement_entry: RankingEntry | None
    movement_size: int
    lines: list[AreaLine]
    previous_snapshot: RankingSnapshot | None
    previous_entry: RankingEntry | None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous snapshot (positive: moved up)."""
        if self.previous_entry is None:
            return None
        return self.previous_entry.rank - self.entry.rank

    @property
    def places_moved(self) -> int:
        return abs(self.rank_change or 0)

    @property
    def total_change(self) -> Decimal | None:
        return None if self.previous_entry is None else self.entry.total - self.previous_entry.total


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(statistics.median(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def latest_compiled_period_id(*, viewer) -> int | None:
    """The latest period with a current ranking the viewer may read (the ranking page opens on it)."""
    return (
        RankingSnapshot.objects.visible_to(viewer)
        .filter(is_current=True)
        .order_by("-period__year", "-period_id")
        .values_list("period_id", flat=True)
        .first()
    )


def latest_ranked_period(unit: Unit, *, viewer) -> Period | None:
    """The latest period in which the unit has a current ranking entry the viewer may read."""
    entry = (
        RankingEntry.objects.visible_to(viewer)
        .filter(unit=unit, snapshot__is_current=True)
        .select_related("snapshot__period__movement")
        .order_by("-snapshot__period__year", "-snapshot__period_id")
        .first()
    )
    return entry.snapshot.period if entry else None


def explain_rank(unit: Unit, period: Period, *, viewer) -> RankExplanation | None:
    """The unit's place, points per task area against its scope's best and median, and the change
    since the previous snapshot of that scope, from the snapshots the viewer may read. None when
    the unit has no current ranking entry among them."""
    preference = preferred_kind_first(period)
    entries = sorted(
        RankingEntry.objects.visible_to(viewer)
        .filter(unit=unit, snapshot__period=period, snapshot__is_current=True)
        .select_related("snapshot__cluster")
        .order_by("snapshot__scope_key"),
        key=lambda e: preference.index(e.snapshot.is_provisional),
    )
    cluster_entry = next((e for e in entries if e.snapshot.scope == RankingScope.CLUSTER), None)
    movement_entry = next((e for e in entries if e.snapshot.scope == RankingScope.MOVEMENT), None)
    entry = cluster_entry or movement_entry
    if entry is None:
        return None
    snapshot = entry.snapshot
    peers = list(RankingEntry.objects.filter(snapshot=snapshot).order_by("rank"))
    if movement_entry is None or movement_entry is entry:
        movement_size = len(peers) if movement_entry else 0
    else:
        movement_size = RankingEntry.objects.filter(snapshot_id=movement_entry.snapshot_id).count()
    above = next((peer for peer in peers if peer.rank == entry.rank - 1), None)
    # The snapshot written before this one for the same scope, final or provisional: after a
    # finalisation that is the last provisional ranking, so the page shows what finalising changed.
    previous_snapshot = (
        RankingSnapshot.objects.visible_to(viewer)
        .filter(period=period, scope_key=snapshot.scope_key, pk__lt=snapshot.pk)
        .order_by("-pk")
        .first()
    )
    previous_entry = (
        RankingEntry.objects.filter(snapshot=previous_snapshot, unit=unit).first()
        if previous_snapshot
        else None
    )
    titles = dict(TaskArea.objects.filter(movement_id=period.movement_id).values_list("number", "title"))
    numbers = sorted({int(number) for number in entry.area_points} | set(titles))
    lines = []
    for number in numbers:
        key = str(number)
        values = [Decimal(peer.area_points.get(key, "0")) for peer in peers]
        lines.append(
            AreaLine(
                number=number,
                title=titles.get(number, ""),
                points=Decimal(entry.area_points.get(key, "0")),
                best=max(values),
                median=_median(values),
                previous=Decimal(previous_entry.area_points.get(key, "0")) if previous_entry else None,
            )
        )
    return RankExplanation(
        unit=unit,
        period=period,
        snapshot=snapshot,
        entry=entry,
        size=len(peers),
        above=above,
        movement_entry=movement_entry,
        movement_size=movement_size,
        lines=lines,
        previous_snapshot=previous_snapshot,
        previous_entry=previous_entry,
    )

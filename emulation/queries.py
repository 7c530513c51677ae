"""Read pipelines of the emulation app used by several pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q, Sum

from emulation.enums import Measure
from emulation.models import ClusterCovenant, Criterion, Pledge, PledgeTarget


@dataclass(frozen=True)
class CriterionSummary:
    criterion: Criterion
    pledged: int  # members that entered a target
    total: Decimal | None  # sum (counts, money) or mean (percent, points), or "yes" count
    low: Decimal | None
    high: Decimal | None


def covenant_summary(covenant: ClusterCovenant) -> tuple[list, list[CriterionSummary]]:
    """The members' pledges and the cluster's combined targets per criterion, in four queries.

    Counts and amounts are added up; percentages and points are averaged; yes/no targets count
    the members that pledged "yes".
    """
    memberships = list(covenant.cluster.memberships.select_related("unit").order_by("unit__code"))
    member_ids = [membership.unit_id for membership in memberships]
    pledges = {
        pledge.unit_id: pledge
        for pledge in Pledge.objects.filter(period=covenant.period, unit_id__in=member_ids).select_related(
            "unit"
        )
    }
    members = [(membership, pledges.get(membership.unit_id)) for membership in memberships]
    rows = (
        PledgeTarget.objects.filter(pledge__period=covenant.period, pledge__unit_id__in=member_ids)
        .values("criterion")
        .annotate(
            pledged=Count("pk", filter=Q(value__isnull=False)),
            total=Sum("value"),
            mean=Avg("value"),
            low=Min("value"),
            high=Max("value"),
        )
    )
    by_criterion = {row["criterion"]: row for row in rows}
    criteria = Criterion.objects.filter(task_area__movement_id=covenant.period.movement_id).select_related(
        "task_area"
    )
    summaries = []
    for criterion in criteria.order_by("task_area__number", "order", "code"):
        row = by_criterion.get(criterion.pk, {})
        combined = (
            row.get("mean") if criterion.measure in (Measure.PERCENT, Measure.POINTS) else row.get("total")
        )
        summaries.append(
            CriterionSummary(
                criterion=criterion,
                pledged=row.get("pledged", 0),
                total=None if combined is None else Decimal(combined).quantize(Decimal("0.01")),
                low=row.get("low"),
                high=row.get("high"),
            )
        )
    return members, summaries

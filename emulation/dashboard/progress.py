"""Progress of a period: the tiles per cluster and in total, and a cluster's members."""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from emulation.dashboard.common import share
from emulation.enums import PledgeState, SubmissionState
from emulation.models import Period, Pledge, ScorerAssignment, Submission
from emulation.services.reminders import PLEDGE_DONE_STATES, SUBMISSION_DONE_STATES
from units.models import Cluster, ClusterMembership, Unit

# --- Progress tiles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """Where one cluster (or, with `cluster_id` None, the whole movement) stands in a period."""

    cluster_id: int | None
    name: str
    code: str
    units: int
    pledges_submitted: int  # submitted or accepted
    pledges_accepted: int
    submissions_submitted: int  # submitted, being scored, scored or finalised
    assignments_total: int
    assignments_done: int
    late_units: int

    @property
    def pledges_submitted_share(self) -> Decimal | None:
        return share(self.pledges_submitted, self.units)

    @property
    def pledges_accepted_share(self) -> Decimal | None:
        return share(self.pledges_accepted, self.units)

    @property
    def submissions_share(self) -> Decimal | None:
        return share(self.submissions_submitted, self.units)

    @property
    def scoring_share(self) -> Decimal | None:
        return share(self.assignments_done, self.assignments_total)


@dataclass(frozen=True)
class PeriodProgress:
    period: Period
    today: datetime.date
    clusters: list[ProgressRow]
    total: ProgressRow
    pledging_closed: bool
    self_assessment_closed: bool


def period_progress(period: Period, today: datetime.date) -> PeriodProgress:
    """The progress tiles of a period, per cluster and in total, in two queries.

    N (units) is the number of members of the clusters and blocks of the period's year; a unit
    belongs to one cluster per year, so the totals are the sums of the cluster rows.
    """
    return assemble_progress(period, today, progress_rows(period, today))


def progress_rows(period: Period, today: datetime.date) -> list[ProgressRow]:
    """The cluster rows of `period_progress` (2 queries): plain values, what the cache keeps."""
    same_unit = {"unit_id": OuterRef("unit_id"), "period_id": period.pk}
    pledged = Exists(Pledge.objects.filter(**same_unit, state__in=PLEDGE_DONE_STATES))
    accepted = Exists(Pledge.objects.filter(**same_unit, state=PledgeState.ACCEPTED))
    submitted = Exists(Submission.objects.filter(**same_unit, state__in=SUBMISSION_DONE_STATES))
    pledging_closed = today > period.pledging_closes
    self_assessment_closed = today > period.self_assessment_closes
    counts = {
        "units": Count("pk"),
        "pledges_submitted": Count("pk", filter=Q(pledged)),
        "pledges_accepted": Count("pk", filter=Q(accepted)),
        "submissions_submitted": Count("pk", filter=Q(submitted)),
    }
    # Late: owing a document whose deadline has passed (each unit once, whatever it owes).
    owing = [
        ~Q(condition)
        for closed, condition in ((pledging_closed, pledged), (self_assessment_closed, submitted))
        if closed
    ]
    if owing:
        counts["late_units"] = Count("pk", filter=functools.reduce(operator.or_, owing))
    rows = (
        ClusterMembership.objects.filter(year=period.year)
        .order_by("cluster__kind", "cluster__code", "cluster_id")
        .values("cluster_id", "cluster__name", "cluster__code", "cluster__kind")
        .annotate(**counts)
    )
    # One membership per unit and year: the join to the unit's membership does not multiply rows.
    assignments = {
        row["submission__unit__cluster_memberships__cluster_id"]: row
        for row in ScorerAssignment.objects.filter(
            submission__period=period, submission__unit__cluster_memberships__year=period.year
        )
        .order_by()
        .values("submission__unit__cluster_memberships__cluster_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False)))
    }
    clusters = []
    for row in rows:
        scoring = assignments.get(row["cluster_id"], {})
        clusters.append(
            ProgressRow(
                cluster_id=row["cluster_id"],
                name=row["cluster__name"],
                code=row["cluster__code"],
                units=row["units"],
                pledges_submitted=row["pledges_submitted"],
                pledges_accepted=row["pledges_accepted"],
                submissions_submitted=row["submissions_submitted"],
                assignments_total=scoring.get("total", 0),
                assignments_done=scoring.get("done", 0),
                late_units=row.get("late_units", 0),
            )
        )
    return clusters


def assemble_progress(period: Period, today: datetime.date, clusters: list[ProgressRow]) -> PeriodProgress:
    """The progress from its cluster rows: the total row (named in today's language), the closures."""
    total = ProgressRow(
        cluster_id=None,
        name=str(_("All clusters and blocks")),
        code="",
        **{
            name: sum(getattr(row, name) for row in clusters)
            for name in (
                "units",
                "pledges_submitted",
                "pledges_accepted",
                "submissions_submitted",
                "assignments_total",
                "assignments_done",
                "late_units",
            )
        },
    )
    return PeriodProgress(
        period=period,
        today=today,
        clusters=clusters,
        total=total,
        pledging_closed=today > period.pledging_closes,
        self_assessment_closed=today > period.self_assessment_closes,
    )


# --- A cluster's members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberProgress:
    """One member unit of a cluster: its pledge, its self-assessment and its scoring, in a period."""

    membership: ClusterMembership
    period: Period
    today: datetime.date
    pledge_state: str
    submission_state: str
    assignments_total: int
    assignments_done: int

    @property
    def unit(self) -> Unit:
        return self.membership.unit

    @property
    def pledge_label(self) -> str:
        return str(PledgeState(self.pledge_state).label) if self.pledge_state else str(_("Not started"))

    @property
    def submission_label(self) -> str:
        if not self.submission_state:
            return str(_("Not started"))
        return str(SubmissionState(self.submission_state).label)

    @property
    def is_late(self) -> bool:
        """Late by the dashboard's definition (see the module docstring)."""
        late_pledge = self.today > self.period.pledging_closes and self.pledge_state not in PLEDGE_DONE_STATES
        late_submission = (
            self.today > self.period.self_assessment_closes
            and self.submission_state not in SUBMISSION_DONE_STATES
        )
        return late_pledge or late_submission


def cluster_members(cluster: Cluster, period: Period, today: datetime.date) -> list[MemberProgress]:
    """The cluster's members with their documents' states and scorer progress, in one query."""
    same_unit = {"unit_id": OuterRef("unit_id"), "period_id": period.pk}
    assignments = ScorerAssignment.objects.filter(
        submission__unit_id=OuterRef("unit_id"), submission__period_id=period.pk
    ).order_by()

    def counted(queryset):
        return Coalesce(
            Subquery(queryset.values("submission__unit_id").annotate(n=Count("pk")).values("n")[:1]), 0
        )

    memberships = (
        ClusterMembership.objects.filter(cluster=cluster)
        .select_related("unit")
        .annotate(
            pledge_state=Subquery(Pledge.objects.filter(**same_unit).values("state")[:1]),
            submission_state=Subquery(Submission.objects.filter(**same_unit).values("state")[:1]),
            assignments_total=counted(assignments),
            assignments_done=counted(assignments.filter(completed_at__isnull=False)),
        )
        .order_by("unit__code", "pk")
    )
    return [
        MemberProgress(
            membership=membership,
            period=period,
            today=today,
            pledge_state=membership.pledge_state or "",
            submission_state=membership.submission_state or "",
            assignments_total=membership.assignments_total,
            assignments_done=membership.assignments_done,
        )
        for membership in memberships
    ]

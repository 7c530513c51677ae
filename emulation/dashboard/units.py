"""One unit: its record for the drill-down, and what it owes next for the officer's home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from emulation.dashboard.rankings import RankYear, rank_history
from emulation.enums import PledgeState, SubmissionState
from emulation.models import CriterionResult, IndividualRegistration, Period, Pledge, Submission
from emulation.services.reminders import PLEDGE_DONE_STATES, SUBMISSION_DONE_STATES
from units.models import ClusterMembership, Unit


@dataclass(frozen=True)
class ScoreRow:
    """The committee's final points for one criterion, one value per finalised year."""

    code: str
    title: str
    max_points: Decimal
    points: list[Decimal | None]


@dataclass(frozen=True)
class ScoreTable:
    years: list[int]
    rows: list[ScoreRow]
    totals: list[Decimal]


def final_scores(unit: Unit) -> ScoreTable:
    """The unit's `CriterionResult` points per criterion and finalised year (1 query)."""
    rows = (
        CriterionResult.objects.filter(submission__unit=unit, submission__period__is_finalised=True)
        .order_by("criterion__task_area__number", "criterion__order", "criterion__code", "criterion_id")
        .values_list(
            "submission__period__year",
            "criterion_id",
            "criterion__code",
            "criterion__title",
            "criterion__max_points",
            "points",
        )
    )
    years: set[int] = set()
    criteria: dict[int, tuple[str, str, Decimal]] = {}
    points: dict[tuple[int, int], Decimal] = {}
    for year, criterion_id, code, title, max_points, value in rows:
        years.add(year)
        criteria.setdefault(criterion_id, (code, title, max_points))
        points[(criterion_id, year)] = value
    ordered_years = sorted(years)
    table_rows = [
        ScoreRow(code, title, max_points, [points.get((criterion_id, year)) for year in ordered_years])
        for criterion_id, (code, title, max_points) in criteria.items()
    ]
    totals = [
        sum((value for (_c, y), value in points.items() if y == year), Decimal(0)) for year in ordered_years
    ]
    return ScoreTable(years=ordered_years, rows=table_rows, totals=totals)


@dataclass(frozen=True)
class UnitRecord:
    """Everything the unit drill-down shows, read in a fixed number of queries."""

    unit: Unit
    memberships: list[ClusterMembership]
    children: list[Unit]
    pledges: list[Pledge]
    submissions: list[Submission]
    scores: ScoreTable
    history: list[RankYear]
    registrations: list[IndividualRegistration]


def unit_record(unit: Unit, *, with_staff: bool, viewer) -> UnitRecord:
    """The unit's clusters, sub-units, pledges, self-assessments, final scores and rank history.

    `with_staff` adds its staff's individual registrations (personal data: only for the roles
    that may read staff records). 6 queries, 7 with the registrations.
    """
    memberships = list(
        ClusterMembership.objects.filter(unit=unit).select_related("cluster").order_by("-year")
    )
    children = list(Unit.objects.filter(parent=unit).order_by("code", "pk"))
    pledges = list(
        Pledge.objects.filter(unit=unit)
        .select_related("period")
        .annotate(
            targets_set=Count("targets", filter=Q(targets__value__isnull=False), distinct=True),
            registrations_count=Count("registrations", distinct=True),
        )
        .order_by("-period__year", "-pk")
    )
    submissions = list(
        Submission.objects.filter(unit=unit)
        .select_related("period")
        .annotate(committee_points=Sum("results__points"))
        .order_by("-period__year", "-pk")
    )
    registrations = (
        list(
            IndividualRegistration.objects.filter(pledge__unit=unit)
            .select_related("staff", "pledge__period")
            .order_by("-pledge__period__year", "staff__full_name", "pk")
        )
        if with_staff
        else []
    )
    return UnitRecord(
        unit=unit,
        memberships=memberships,
        children=children,
        pledges=pledges,
        submissions=submissions,
        scores=final_scores(unit),
        history=rank_history(unit, viewer=viewer),
        registrations=registrations,
    )


@dataclass(frozen=True)
class Duty:
    """Something the unit owes (or owed) for a period: its pledge or its self-assessment."""

    kind: str  # "pledge" or "self_assessment"
    period: Period
    state: str  # the document's state, "" when not started
    state_label: str
    opens: datetime.date
    deadline: datetime.date
    today: datetime.date
    return_reason: str = ""
    url: str = ""  # the document's own page, once it exists

    @property
    def is_done(self) -> bool:
        done = PLEDGE_DONE_STATES if self.kind == "pledge" else SUBMISSION_DONE_STATES
        return self.state in done

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.deadline

    @property
    def is_upcoming(self) -> bool:
        return self.today < self.opens

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.today > self.deadline

    @property
    def is_returned(self) -> bool:
        return self.state in (PledgeState.RETURNED, SubmissionState.RETURNED)

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def days_to_open(self) -> int:
        return (self.opens - self.today).days


@dataclass(frozen=True)
class Outlook:
    """The unit officer's home: what the unit owes and by when, returned items, rank and trend."""

    unit: Unit
    today: datetime.date
    duties: list[Duty]
    returned: list[Duty]
    history: list[RankYear]

    @property
    def next_duty(self) -> Duty | None:
        """The earliest deadline still ahead among what is not done (returned items first)."""
        waiting = [duty for duty in self.duties if not duty.is_done and duty.deadline >= self.today]
        return min(waiting, key=lambda duty: (not duty.is_returned, duty.deadline), default=None)

    @property
    def latest_rank(self) -> RankYear | None:
        return self.history[-1] if self.history else None


def _pledge_deadline(pledge: Pledge | None, period: Period) -> datetime.date:
    """The pledging deadline, or the later day until which the secretary reopened the pledge."""
    if pledge is not None and pledge.reopened_until and pledge.reopened_until > period.pledging_closes:
        return pledge.reopened_until
    return period.pledging_closes


def unit_outlook(unit: Unit, today: datetime.date, *, viewer) -> Outlook:
    """The unit's pledge and self-assessment for every unfinalised period, in 4 queries.

    Returned documents of any period are listed with their reasons, whatever the dates say.
    """
    periods = list(Period.objects.filter(is_finalised=False).order_by("year", "pk"))
    pledges = {
        pledge.period_id: pledge for pledge in Pledge.objects.filter(unit=unit).select_related("period")
    }
    submissions = {
        submission.period_id: submission
        for submission in Submission.objects.filter(unit=unit).select_related("period")
    }
    duties = []
    for period in periods:
        pledge = pledges.get(period.pk)
        submission = submissions.get(period.pk)
        duties.append(
            Duty(
                kind="pledge",
                period=period,
                state=pledge.state if pledge else "",
                state_label=pledge.get_state_display() if pledge else str(_("Not started")),
                opens=period.pledging_opens,
                deadline=_pledge_deadline(pledge, period),
                today=today,
                return_reason=pledge.return_reason if pledge else "",
                url=pledge.get_absolute_url() if pledge else "",
            )
        )
        duties.append(
            Duty(
                kind="self_assessment",
                period=period,
                state=submission.state if submission else "",
                state_label=submission.get_state_display() if submission else str(_("Not started")),
                opens=period.self_assessment_opens,
                deadline=period.self_assessment_closes,
                today=today,
                return_reason=submission.return_reason if submission else "",
                url=submission.get_absolute_url() if submission else "",
            )
        )
    returned = [
        Duty(
            kind=kind,
            period=document.period,
            state=document.state,
            state_label=document.get_state_display(),
            opens=opens(document.period),
            deadline=deadline(document),
            today=today,
            return_reason=document.return_reason,
            url=document.get_absolute_url(),
        )
        for kind, documents, opens, deadline in (
            ("pledge", pledges, lambda p: p.pledging_opens, lambda d: _pledge_deadline(d, d.period)),
            (
                "self_assessment",
                submissions,
                lambda p: p.self_assessment_opens,
                lambda d: d.period.self_assessment_closes,
            ),
        )
        for document in documents.values()
        if document.state in (PledgeState.RETURNED, SubmissionState.RETURNED)
    ]
    returned.sort(key=lambda duty: (duty.period.year, duty.kind))
    return Outlook(
        unit=unit, today=today, duties=duties, returned=returned, history=rank_history(unit, viewer=viewer)
    )

"""What is due: the deadlines, the stage due today and the people who still owe something.

Read only: `due_reminders(today)` returns the candidates that `planning.plan_reminders` writes.
The limits shared by the whole run (`MAX_ATTEMPTS`, `EMAIL_LANGUAGE`) are defined here too,
because both the planning and the sending modules read them.

When reminders are due, counted in days in Asia/Ho_Chi_Minh (settings.TIME_ZONE):

- stage "t-N" for each N in settings.REMINDER_OFFSETS_DAYS: only on the exact day
  `deadline − N`, and not before the work can be started (a missed day is not caught up);
- "overdue" (to the unit head, or its officers when it has no head with an address; to the
  member for scoring) and "late_list" (to every committee secretary): on any day after the
  deadline, within `OVERDUE_WINDOW_DAYS`, until decided once;
- never for a finalised period.

Who owes what: the units taking part in the period (members of a cluster or block of the
period's year, plus any unit that started a pledge or a self-assessment) whose pledge or
self-assessment is not submitted (none, draft or returned), and the committee members with an
unfinished assignment on a self-assessment that can be scored. Reminders go to the owing unit's
emulation officers (group unit_officer, Staff.unit = the unit), at User.email or else Staff.email;
people without any address are skipped and logged.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import translation

from emulation.enums import (
    SUBMISSION_SCORABLE_STATES,
    PledgeState,
    ReminderKind,
    ReminderStage,
    SubmissionState,
)
from emulation.models import Period, Pledge, ScorerAssignment, Submission
from units.enums import Position, Role
from units.models import ClusterMembership, Staff, Unit

# One logger for the whole reminder run, under the package's name.
log = logging.getLogger(__package__)

# A row is tried at most this many times (one try per run); then it shows as failed.
MAX_ATTEMPTS = 5
# Overdue notices are decided on any day from the day after the deadline up to this many days
# after it, so a run missed on the first day still sends them, while deadlines of years ago
# (a period left unfinalised) never flood anyone.
OVERDUE_WINDOW_DAYS = 30
# After this many transient failures in a row the SMTP server is taken to be down: the run stops
# and the rest waits for the task's retry instead of timing out once per message.
EMAIL_LANGUAGE = "vi"

PLEDGE_DONE_STATES = (PledgeState.SUBMITTED, PledgeState.ACCEPTED)
SUBMISSION_DONE_STATES = (
    SubmissionState.SUBMITTED,
    SubmissionState.UNDER_REVIEW,
    SubmissionState.SCORED,
    SubmissionState.FINALISED,
)
ALL_SUBJECT = "all"


# --- What is due ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One deadline of a period: what is owed by then, and the first day it can be done."""

    period: Period
    kind: str
    day: datetime.date
    opens: datetime.date


def deadlines_of(period: Period) -> list[Deadline]:
    return [
        Deadline(period, ReminderKind.PLEDGE, period.pledging_closes, period.pledging_opens),
        Deadline(
            period, ReminderKind.SELF_ASSESSMENT, period.self_assessment_closes, period.self_assessment_opens
        ),
        Deadline(period, ReminderKind.SCORING, period.scoring_closes, period.self_assessment_opens),
    ]


def reminder_offsets() -> list[int]:
    """The configured offsets in days, largest first (settings.REMINDER_OFFSETS_DAYS)."""
    return sorted({int(days) for days in settings.REMINDER_OFFSETS_DAYS}, reverse=True)


def stage_for_offset(days: int) -> str:
    return f"t-{days}"


def stage_due(deadline: Deadline, today: datetime.date, offsets: list[int]) -> str | None:
    """The "before" stage due today (exact day only), "overdue" after the deadline, else None."""
    if today > deadline.day:
        if (today - deadline.day).days <= OVERDUE_WINDOW_DAYS:
            return ReminderStage.OVERDUE
        return None
    if today < deadline.opens:
        return None
    for days in offsets:
        if deadline.day - datetime.timedelta(days=days) == today:
            return stage_for_offset(days)
    return None


def stage_label(stage: str) -> str:
    """A readable name of a stage, also for offsets configured beyond the three of the enum."""
    if stage in ReminderStage.values:
        return str(ReminderStage(stage).label)
    days = stage.removeprefix("t-")
    if days.isdigit():
        return translation.ngettext("%(days)s day before", "%(days)s days before", int(days)) % {"days": days}
    return stage


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str


@dataclass(frozen=True)
class DueReminder:
    """A reminder decided for today, before it is written as a ReminderLog row."""

    deadline: Deadline
    stage: str
    person: Person
    unit: Unit | None = None
    late_count: int = 0

    @property
    def subject_key(self) -> str:
        return f"unit:{self.unit.pk}" if self.unit is not None else ALL_SUBJECT

    @property
    def key(self) -> tuple:
        return (
            self.deadline.period.pk,
            self.deadline.kind,
            self.stage,
            self.deadline.day,
            self.person.user_id,
            self.subject_key,
        )


@dataclass
class DuePlan:
    reminders: list[DueReminder] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)


def _participating_unit_ids(period: Period):
    """Units taking part in a period: clustered in its year, or with a pledge or self-assessment."""
    return (
        Q(pk__in=ClusterMembership.objects.filter(year=period.year).values("unit_id"))
        | Q(pk__in=Pledge.objects.filter(period=period).values("unit_id"))
        | Q(pk__in=Submission.objects.filter(period=period).values("unit_id"))
    )


def units_owing(deadline: Deadline):
    """The units, active on the deadline, that still owe the pledge or the self-assessment."""
    period = deadline.period
    units = Unit.objects.active(deadline.day).filter(_participating_unit_ids(period))
    done: QuerySet
    if deadline.kind == ReminderKind.PLEDGE:
        done = Pledge.objects.filter(period=period, state__in=PLEDGE_DONE_STATES)
    else:
        done = Submission.objects.filter(period=period, state__in=SUBMISSION_DONE_STATES)
    return units.exclude(pk__in=done.values("unit_id")).order_by("code", "pk")


def open_assignments(period: Period):
    """Scorer assignments not completed on self-assessments of the period that can be scored."""
    return ScorerAssignment.objects.filter(
        submission__period=period,
        submission__state__in=SUBMISSION_SCORABLE_STATES,
        completed_at__isnull=True,
        member__is_active=True,
    )


def _person(
    user_id: int, user_email: str, staff_email: str | None, name: str, plan: DuePlan
) -> Person | None:
    email = (user_email or staff_email or "").strip()
    if not email:
        plan.without_address.append(name)
        log.warning("Reminder skipped: user %s (%s) has no email address.", user_id, name)
        return None
    return Person(user_id, email, name)


def _officers_by_unit(unit_ids: list[int], plan: DuePlan) -> dict[int, list[Person]]:
    rows = (
        Staff.objects.filter(
            unit_id__in=unit_ids,
            user__isnull=False,
            user__is_active=True,
            user__groups__name=Role.UNIT_OFFICER,
        )
        .order_by("unit_id", "user_id")
        .values_list("unit_id", "user_id", "user__email", "email", "full_name")
    )
    officers: dict[int, list[Person]] = defaultdict(list)
    for unit_id, user_id, user_email, staff_email, name in rows:
        person = _person(user_id, user_email, staff_email, name, plan)
        if person is not None:
            officers[unit_id].append(person)
    return officers


def _heads_by_unit(unit_ids: list[int]) -> dict[int, list[Person]]:
    """Heads of unit with a login and an address (a head without one falls back to the officers)."""
    rows = (
        Staff.objects.filter(
            unit_id__in=unit_ids,
            is_leader=True,
            position=Position.HEAD,
            user__isnull=False,
            user__is_active=True,
        )
        .order_by("unit_id", "user_id")
        .values_list("unit_id", "user_id", "user__email", "email", "full_name")
    )
    heads: dict[int, list[Person]] = defaultdict(list)
    for unit_id, user_id, user_email, staff_email, name in rows:
        email = (user_email or staff_email or "").strip()
        if email:
            heads[unit_id].append(Person(user_id, email, name))
    return heads


def _secretaries(plan: DuePlan) -> list[Person]:
    rows = (
        get_user_model()
        .objects.filter(groups__name=Role.COMMITTEE_SECRETARY, is_active=True)
        .order_by("pk")
        .values_list("pk", "email", "staff__email", "staff__full_name", "username")
    )
    people = []
    for user_id, user_email, staff_email, full_name, username in rows:
        person = _person(user_id, user_email, staff_email, full_name or username, plan)
        if person is not None:
            people.append(person)
    return people


def _members_owing(period: Period, plan: DuePlan) -> list[Person]:
    rows = (
        open_assignments(period)
        .order_by("member_id")
        .values_list("member_id", "member__email", "member__staff__email", "member__staff__full_name")
        .distinct()
    )
    people = []
    for user_id, user_email, staff_email, name in rows:
        person = _person(user_id, user_email, staff_email, name or str(user_id), plan)
        if person is not None:
            people.append(person)
    return people


def _unit_reminders(deadline: Deadline, stage: str, plan: DuePlan) -> int:
    """Add the reminders of one unit deadline; return the number of units late or owing."""
    units = list(units_owing(deadline))
    if not units:
        return 0
    unit_ids = [unit.pk for unit in units]
    officers = _officers_by_unit(unit_ids, plan)
    heads = _heads_by_unit(unit_ids) if stage == ReminderStage.OVERDUE else {}
    for unit in units:
        recipients = heads.get(unit.pk) or officers.get(unit.pk, [])
        if not recipients:
            log.warning(
                "Reminder skipped: %s owes %s but has no officer with an email address.",
                unit.code,
                deadline.kind,
            )
        plan.reminders.extend(DueReminder(deadline, stage, person, unit) for person in recipients)
    return len(units)


def due_reminders(today: datetime.date, *, offsets: list[int] | None = None) -> DuePlan:
    """Everything due today (read only): the candidates `plan_reminders` writes, before de-duplication."""
    offsets = reminder_offsets() if offsets is None else offsets
    plan = DuePlan()
    earliest = today - datetime.timedelta(days=OVERDUE_WINDOW_DAYS)
    latest = today + datetime.timedelta(days=max(offsets, default=0))
    periods = Period.objects.filter(is_finalised=False).filter(
        Q(pledging_closes__range=(earliest, latest))
        | Q(self_assessment_closes__range=(earliest, latest))
        | Q(scoring_closes__range=(earliest, latest))
    )
    for period in periods.select_related("movement").order_by("year", "pk"):
        for deadline in deadlines_of(period):
            stage = stage_due(deadline, today, offsets)
            if stage is None:
                continue
            if deadline.kind == ReminderKind.SCORING:
                late = _members_owing(period, plan)
                plan.reminders.extend(DueReminder(deadline, stage, person) for person in late)
                late_count = len(late)
            else:
                late_count = _unit_reminders(deadline, stage, plan)
            if stage == ReminderStage.OVERDUE and late_count:
                plan.reminders.extend(
                    DueReminder(deadline, ReminderStage.LATE_LIST, person, late_count=late_count)
                    for person in _secretaries(plan)
                )
    return plan

"""Reminder emails before and after every deadline (DESIGN.md section 6), decided once, sent once.

A run has two steps, both safe to repeat at any time and from several processes at once:

1. `plan_reminders(today)` decides what is due today and writes one `ReminderLog` row per
   reminder, in the transaction that decides. The unique constraint on the row (period, kind,
   stage, deadline, recipient, subject) makes a rerun, a retried task or a second beat find the
   rows already there and add nothing.
2. `send_due_reminders()` sends every row not yet sent, oldest first, over one SMTP connection.
   Each row is locked (`SELECT … FOR UPDATE SKIP LOCKED`) in its own short transaction, checked
   again for `sent_at IS NULL`, marked sent, handed to the SMTP server and committed straight
   after the server accepted it. Two workers never send the same row: the second one skips the
   locked row, or finds it sent once the lock is released. A failed send rolls the mark back,
   counts the attempt and keeps the error on the row; the next run (and the task's retry with
   backoff for transient errors) sends it again, up to `MAX_ATTEMPTS`. Nothing is dropped
   silently: a row that used up its attempts stays on the reminders page as failed.

Residual window: when a process dies after the SMTP server accepted a message but before the
`COMMIT` that records `sent_at` reached the database (one round trip on a local network), the
row is still unsent and the next run sends that one message again. The mark is written before
the send, so the window is the `COMMIT` alone; SMTP offers no way to make it smaller. Each
message carries a Message-ID derived from its row, so a second copy is recognisable as such.

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
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from emulation.enums import (
    SUBMISSION_SCORABLE_STATES,
    PledgeState,
    ReminderKind,
    ReminderStage,
    SubmissionState,
)
from emulation.models import Period, Pledge, ReminderLog, ScorerAssignment, Submission
from units.enums import Position, Role
from units.models import ClusterMembership, Staff, Unit

log = logging.getLogger(__name__)

# A row is tried at most this many times (one try per run); then it shows as failed.
MAX_ATTEMPTS = 5
# Overdue notices are decided on any day from the day after the deadline up to this many days
# after it, so a run missed on the first day still sends them, while deadlines of years ago
# (a period left unfinalised) never flood anyone.
OVERDUE_WINDOW_DAYS = 30
# After this many transient failures in a row the SMTP server is taken to be down: the run stops
# and the rest waits for the task's retry instead of timing out once per message.
CONSECUTIVE_FAILURE_LIMIT = 3
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


# --- Deciding: one row per reminder, written in the transaction that decides ------------------


@dataclass
class PlanResult:
    decided: int = 0
    already_decided: int = 0
    without_address: int = 0


def _site_link(url_name: str, *, args: tuple = (), query: dict | None = None) -> str:
    try:
        path = reverse(url_name, args=args)
    except NoReverseMatch:
        # A page not there yet must not stop every other reminder: link to the start page instead.
        log.exception("Reminder link: no page named %s; linking to the start page.", url_name)
        path = "/"
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{settings.SITE_URL}{path}{suffix}"


def link_for(kind: str, stage: str, period: Period) -> str:
    """The page the recipient acts on: its own pledge, self-assessment or scoring queue; the
    secretary's list of the period for the late-units list."""
    if stage == ReminderStage.LATE_LIST:
        if kind == ReminderKind.PLEDGE:
            return _site_link("emulation:pledge-list", query={"period": period.pk})
        if kind == ReminderKind.SELF_ASSESSMENT:
            return _site_link("emulation:submission-list", query={"period": period.pk})
        return _site_link("emulation:period-scoring", args=(period.pk,))
    return _site_link(
        {
            ReminderKind.PLEDGE: "emulation:pledge-mine",
            ReminderKind.SELF_ASSESSMENT: "emulation:submission-mine",
            ReminderKind.SCORING: "emulation:scoring-queue",
        }[kind]
    )


def _render_subject(context: dict) -> str:
    with translation.override(EMAIL_LANGUAGE):
        template = (
            "emails/late_units_subject.txt"
            if context["stage"] == ReminderStage.LATE_LIST
            else "emails/reminder_subject.txt"
        )
        subject = " ".join(render_to_string(template, context).split())
    return subject[: ReminderLog._meta.get_field("subject").max_length]


def _subject_context(reminder: DueReminder, today: datetime.date) -> dict:
    deadline = reminder.deadline
    return {
        "kind": deadline.kind,
        "stage": reminder.stage,
        "unit": reminder.unit,
        "year": deadline.period.year,
        "deadline": deadline.day,
        "days_left": (deadline.day - today).days,
        "late_count": reminder.late_count,
    }


def _existing_keys(reminders: list[DueReminder]) -> set[tuple]:
    groups = {(r.deadline.period.pk, r.deadline.kind, r.stage, r.deadline.day) for r in reminders}
    if not groups:
        return set()
    condition = Q()
    for period_id, kind, stage, day in groups:
        condition |= Q(period_id=period_id, kind=kind, stage=stage, deadline=day)
    return set(
        ReminderLog.objects.filter(condition).values_list(
            "period_id", "kind", "stage", "deadline", "recipient_id", "subject_key"
        )
    )


def plan_reminders(today: datetime.date | None = None) -> PlanResult:
    """Decide the reminders due today and write a ReminderLog row for each one not yet decided.

    Side effects: inserts ReminderLog rows, in one transaction with the queries that decided
    them. Rows that already exist (a rerun, a retry, a second beat) are left as they are: the
    unique constraint ignores the duplicate even when two runs insert at the same moment.
    Sends nothing.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = due_reminders(today)
        existing = _existing_keys(plan.reminders)
        new = [reminder for reminder in plan.reminders if reminder.key not in existing]
        # One timestamp for the rows of this run: counting them afterwards tells the rows this
        # run inserted from those a concurrent run inserted first (their insert was ignored).
        decided_at = timezone.now()
        links: dict[tuple, str] = {}
        rows = []
        for reminder in new:
            link_key = (
                reminder.deadline.kind,
                reminder.stage == ReminderStage.LATE_LIST,
                reminder.deadline.period.pk,
            )
            if link_key not in links:
                links[link_key] = link_for(reminder.deadline.kind, reminder.stage, reminder.deadline.period)
            rows.append(
                ReminderLog(
                    period=reminder.deadline.period,
                    kind=reminder.deadline.kind,
                    stage=reminder.stage,
                    deadline=reminder.deadline.day,
                    recipient_id=reminder.person.user_id,
                    email=reminder.person.email,
                    unit=reminder.unit,
                    subject_key=reminder.subject_key,
                    subject=_render_subject(_subject_context(reminder, today)),
                    link=links[link_key],
                    created_at=decided_at,
                )
            )
        ReminderLog.objects.bulk_create(rows, ignore_conflicts=True)
        decided = ReminderLog.objects.filter(created_at=decided_at).count() if rows else 0
    result = PlanResult(
        decided=decided,
        already_decided=len(plan.reminders) - decided,
        without_address=len(plan.without_address),
    )
    log.info(
        "Reminders decided for %s: %d new, %d already decided, %d people without an address.",
        today.isoformat(),
        result.decided,
        result.already_decided,
        result.without_address,
    )
    return result


@dataclass(frozen=True)
class PreviewLine:
    recipient: str
    email: str
    stage: str
    kind: str
    unit: str
    deadline: datetime.date
    status: str  # "new": would be decided now; "waiting": decided earlier, not sent yet


def preview_reminders(today: datetime.date | None = None) -> list[PreviewLine]:
    """What a run would send today, without writing or sending anything (`send_reminders --dry-run`)."""
    today = today or timezone.localdate()
    plan = due_reminders(today)
    existing = _existing_keys(plan.reminders)
    lines = [
        PreviewLine(
            recipient=r.person.name,
            email=r.person.email,
            stage=r.stage,
            kind=r.deadline.kind,
            unit=r.unit.name if r.unit else "",
            deadline=r.deadline.day,
            status="new",
        )
        for r in plan.reminders
        if r.key not in existing
    ]
    waiting = (
        ReminderLog.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .select_related("unit", "recipient")
        .order_by("created_at", "pk")
    )
    lines.extend(
        PreviewLine(
            recipient=row.recipient.get_full_name() or row.recipient.get_username(),
            email=row.email,
            stage=row.stage,
            kind=row.kind,
            unit=row.unit.name if row.unit else "",
            deadline=row.deadline,
            status="waiting",
        )
        for row in waiting
    )
    return lines


# --- Sending: one connection, one short locked transaction per message ------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0
    transient: bool = False
    stopped_early: bool = False
    last_error: str = ""


def is_transient(error: BaseException) -> bool:
    """True for errors worth retrying soon: 4xx replies, a lost or refused connection, a timeout."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)


def _message_id(row: ReminderLog) -> str:
    """Stable per row: a second copy sent after a crash carries the same Message-ID."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder.{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"


def _person_name(user) -> str:
    staff = getattr(user, "staff", None)
    if staff is not None and staff.full_name:
        return staff.full_name
    return user.get_full_name() or user.get_username()


def _late_lines(row: ReminderLog, cache: dict) -> list[dict]:
    """The late units (or, for scoring, self-assessments with unfinished scorers), computed now."""
    key = (row.period_id, row.kind, row.deadline)
    if key in cache:
        return cache[key]
    if row.kind == ReminderKind.SCORING:
        by_unit: dict[int, dict] = {}
        assignments = (
            open_assignments(row.period)
            .select_related("submission__unit", "member__staff")
            .order_by("submission__unit__code", "member__username")
        )
        for assignment in assignments:
            unit = assignment.submission.unit
            line = by_unit.setdefault(unit.pk, {"unit": unit, "people": []})
            line["people"].append(_person_name(assignment.member))
        lines = list(by_unit.values())
    else:
        deadline = Deadline(row.period, row.kind, row.deadline, row.deadline)
        lines = [{"unit": unit, "people": []} for unit in units_owing(deadline)]
    cache[key] = lines
    return lines


def _to_score(row: ReminderLog) -> list[Unit]:
    return [
        assignment.submission.unit
        for assignment in open_assignments(row.period)
        .filter(member_id=row.recipient_id)
        .select_related("submission__unit")
        .order_by("submission__unit__code")
    ]


def _tidy_text(text: str) -> str:
    """Drop the blank lines template tags leave behind: at most one empty line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy = [line for index, line in enumerate(lines) if line or (index and lines[index - 1])]
    return "\n".join(tidy) + "\n"


def build_message(row: ReminderLog, *, today: datetime.date, connection=None, cache: dict | None = None):
    """The email of one ReminderLog row: Vietnamese subject, text and HTML bodies."""
    cache = {} if cache is None else cache
    days = (row.deadline - today).days
    context = {
        "reminder": row,
        "recipient_name": _person_name(row.recipient),
        "kind": row.kind,
        "stage": row.stage,
        "unit": row.unit,
        "year": row.period.year,
        "movement": row.period.movement.title,
        "deadline": row.deadline,
        "days_left": max(days, 0),
        "days_late": max(-days, 0),
        "link": row.link,
    }
    if row.stage == ReminderStage.LATE_LIST:
        context["late_lines"] = _late_lines(row, cache)
        name = "late_units"
    else:
        if row.kind == ReminderKind.SCORING:
            context["to_score"] = _to_score(row)
        name = "reminder"
    with translation.override(EMAIL_LANGUAGE):
        text = _tidy_text(render_to_string(f"emails/{name}_body.txt", context))
        html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
        connection=connection,
        headers={"Message-ID": _message_id(row), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _short(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text[: ReminderLog._meta.get_field("last_error").max_length]


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except OSError:  # the server went away already; the socket is closed either way
        log.debug("SMTP connection closed with an error", exc_info=True)


@dataclass(frozen=True)
class _Outcome:
    status: str  # "sent", "skipped", "failed" (counted), "unreachable" (server down: not counted)
    error: BaseException | None = None
    attempts: int = 0


def _send_one(pk: int, connection, today: datetime.date, cache: dict) -> _Outcome:
    """Lock, re-check, mark, send and commit one row."""
    with transaction.atomic():
        row = (
            ReminderLog.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("period__movement", "unit", "recipient__staff")
            .filter(pk=pk, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if row is None:  # sent meanwhile, or another worker holds it right now
            return _Outcome("skipped")
        attempt = row.attempts + 1
        try:
            message = build_message(row, today=today, connection=connection, cache=cache)
        except Exception as error:  # a broken row (template, link) must not block the rows after it
            log.exception("Reminder %s could not be rendered.", pk)
            ReminderLog.objects.filter(pk=pk).update(attempts=attempt, last_error=_short(error))
            return _Outcome("failed", error, attempt)
        try:
            connection.open()  # no-op while the run's connection is open
        except OSError as error:
            # The server cannot be reached: not this message's fault, so no attempt is counted;
            # the error is kept on the row so the reminders page shows why it waits.
            ReminderLog.objects.filter(pk=pk).update(last_error=_short(error))
            return _Outcome("unreachable", error, row.attempts)
        # Marked sent before the send, committed right after it: the crash window between the
        # server's acceptance and the record is the COMMIT alone (see the module docstring).
        ReminderLog.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=attempt, last_error="")
        try:
            if connection.send_messages([message]) != 1:
                raise smtplib.SMTPException("the server did not accept the message")
        except OSError as error:  # smtplib.SMTPException is an OSError too
            ReminderLog.objects.filter(pk=pk).update(sent_at=None, attempts=attempt, last_error=_short(error))
            level = logging.ERROR if attempt >= MAX_ATTEMPTS else logging.WARNING
            log.log(
                level,
                "Reminder %s to %s not sent (attempt %d of %d): %s",
                pk,
                row.email,
                attempt,
                MAX_ATTEMPTS,
                _short(error),
            )
            return _Outcome("failed", error, attempt)
    return _Outcome("sent", attempts=attempt)


def send_due_reminders(*, today: datetime.date | None = None, connection=None) -> SendResult:
    """Send every ReminderLog row not yet sent (fewer than MAX_ATTEMPTS tries), oldest first.

    Side effects: emails through one SMTP connection (`get_connection()` unless given), opened
    once and reopened only after a connection error; sets `sent_at` of each row the server
    accepted, or counts the attempt and stores the error on the row. A server that cannot be
    reached stops the run at once (no attempt counted); CONSECUTIVE_FAILURE_LIMIT transient
    send failures in a row stop it too. The rows left wait for the task's retry or the next
    day's run. See the module docstring for the exactly-once argument.
    """
    today = today or timezone.localdate()
    result = SendResult()
    pending = list(
        ReminderLog.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return result
    connection = connection or get_connection()
    cache: dict = {}
    consecutive = 0
    try:
        for pk in pending:
            outcome = _send_one(pk, connection, today, cache)
            if outcome.status == "sent":
                result.sent += 1
                consecutive = 0
                continue
            if outcome.status == "skipped":
                result.skipped += 1
                continue
            error = outcome.error
            result.last_error = _short(error) if error is not None else ""
            if outcome.status == "unreachable":
                result.transient = result.stopped_early = True
                log.warning("SMTP server unreachable; reminder run stopped: %s", result.last_error)
                break
            result.failed += 1
            if outcome.attempts >= MAX_ATTEMPTS:
                result.gave_up += 1
            if error is not None and is_transient(error):
                result.transient = True
                consecutive += 1
                _close_quietly(connection)  # a broken connection is reopened for the next row
                if consecutive >= CONSECUTIVE_FAILURE_LIMIT:
                    result.stopped_early = True
                    log.warning("SMTP server failing; reminder run stopped: %s", result.last_error)
                    break
    finally:
        _close_quietly(connection)
    log.info(
        "Reminders sent: %d, failed: %d (%d gave up), skipped: %d.",
        result.sent,
        result.failed,
        result.gave_up,
        result.skipped,
    )
    return result


def run_reminders(today: datetime.date | None = None, *, connection=None) -> dict:
    """Plan then send: the daily job. Returns the counts (JSON-serialisable, for the task result)."""
    today = today or timezone.localdate()
    planned = plan_reminders(today)
    sent = send_due_reminders(today=today, connection=connection)
    return {
        "date": today.isoformat(),
        "decided": planned.decided,
        "already_decided": planned.already_decided,
        "without_address": planned.without_address,
        "sent": sent.sent,
        "failed": sent.failed,
        "gave_up": sent.gave_up,
        "skipped": sent.skipped,
        "transient": sent.transient,
        "stopped_early": sent.stopped_early,
    }

"""Deciding: one `ReminderLog` row per reminder, written in the transaction that decides.

`plan_reminders(today)` decides what is due today (`due.due_reminders`) and writes one
`ReminderLog` row per reminder, in the transaction that decides. The unique constraint on the
row (period, kind, stage, deadline, recipient, subject) makes a rerun, a retried task or a
second beat find the rows already there and add nothing. `preview_reminders(today)` shows what
a run would send, writing nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from emulation.enums import ReminderKind, ReminderStage
from emulation.models import Period, ReminderLog
from emulation.services.reminders.due import EMAIL_LANGUAGE, MAX_ATTEMPTS, DueReminder, due_reminders

# One logger for the whole reminder run, under the package's name.
log = logging.getLogger(__package__)


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

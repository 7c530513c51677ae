"""Sending: one SMTP connection, one short locked transaction per message.

`send_due_reminders()` sends every row not yet sent, oldest first, over one SMTP connection.
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

`run_reminders(today)`, the daily job, plans then sends.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from emulation.enums import ReminderKind, ReminderStage
from emulation.models import ReminderLog
from emulation.services.reminders.due import (
    EMAIL_LANGUAGE,
    MAX_ATTEMPTS,
    Deadline,
    open_assignments,
    units_owing,
)
from emulation.services.reminders.planning import plan_reminders
from units.models import Unit

# One logger for the whole reminder run, under the package's name.
log = logging.getLogger(__package__)

# After this many transient failures in a row the SMTP server is taken to be down: the run stops
# and the rest waits for the task's retry instead of timing out once per message.
CONSECUTIVE_FAILURE_LIMIT = 3


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


def message_id(row: ReminderLog) -> str:
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
        headers={"Message-ID": message_id(row), "Auto-Submitted": "auto-generated"},
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

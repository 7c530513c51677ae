"""Weaker job designs, for the negative controls of tests/integration/test_job_faults.py.

Loaded only by the test's worker (`celery worker --include=tests.integration.naive_tasks`);
production code never imports it.

Reminders, the naive design: one task per reminder: render, send over a connection of its
own, then record `sent_at`, without looking at the record first. The two tasks differ only in
when the broker is told the task is done:

- `faults.send_one_early_ack`: acknowledged when the worker takes it (task_acks_late=False,
  Celery's default): a worker killed while the message is in flight loses that reminder;
- `faults.send_one_late_ack`: acknowledged when it returns (acks_late, reject on worker lost,
  as configured), but with no idempotency record: a worker killed after the server accepted the
  message and before the acknowledgement gets the task back, and the reminder goes out twice.

The production task (emulation.tasks.send_reminders) adds the missing piece: a ReminderLog row
locked, checked and marked in the transaction around each send.

Rankings: `faults.compile_rankings_early_ack` is the production compile acknowledged early; a
worker killed during the compile loses it (the transaction rolls back, nothing comes back).
"""

import datetime

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from emulation.models import Period, ReminderLog
from emulation.services.rankings import compile_rankings
from emulation.services.reminders import build_message


def _send_then_record(row_id: int, today: str) -> None:
    row = ReminderLog.objects.select_related("period__movement", "unit", "recipient__staff").get(pk=row_id)
    build_message(row, today=datetime.date.fromisoformat(today)).send()  # its own SMTP connection
    ReminderLog.objects.filter(pk=row_id).update(sent_at=timezone.now(), attempts=F("attempts") + 1)


@shared_task(name="faults.send_one_early_ack", acks_late=False, ignore_result=True)
def send_one_early_ack(*, row_id: int, today: str) -> None:
    _send_then_record(row_id, today)


@shared_task(name="faults.send_one_late_ack", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_one_late_ack(*, row_id: int, today: str) -> None:
    _send_then_record(row_id, today)


@shared_task(name="faults.compile_rankings_early_ack", acks_late=False)
def compile_rankings_early_ack(*, period_id: int) -> int:
    return len(compile_rankings(Period.objects.get(pk=period_id)))

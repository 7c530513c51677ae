"""Exactly one run of a scheduled job per time slot, enforced by a unique row in the database.

`CELERY_BEAT_SCHEDULE` fires the nightly jobs; nothing stops two beat processes from running at
once. The jobs therefore claim their slot first (`claim_slot`), and only the claimant works.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from emulation.models import ScheduledRun


def current_slot(now: datetime.datetime | None = None, *, seconds: int | None = None) -> str:
    """The slot `now` falls in: the local day for daily jobs (SCHEDULE_SLOT_SECONDS = 86400).

    Slots are counted in Asia/Ho_Chi_Minh time, so a daily job's slot is the local date.
    """
    length = seconds or settings.SCHEDULE_SLOT_SECONDS
    local = timezone.localtime(now or timezone.now())
    offset = local.utcoffset()  # localtime() is always aware: never None
    wall_clock = local.timestamp() + (offset.total_seconds() if offset else 0)  # seconds in local time
    index = int(wall_clock // length)
    if length == 86400:
        return local.date().isoformat()
    return f"{length}s-{index}"


def claim_slot(job: str, slot: str, task_id: str) -> bool:
    """True when this task may run `job` for `slot`: it claimed it first, or it is the same task
    redelivered after its worker died and the run has not finished."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, slot=slot, task_id=task_id)
            return True
    except IntegrityError:
        run = ScheduledRun.objects.filter(job=job, slot=slot).first()
        return run is not None and run.task_id == task_id and run.finished_at is None


def finish_slot(job: str, slot: str, *, result: dict) -> None:
    ScheduledRun.objects.filter(job=job, slot=slot).update(finished_at=timezone.now(), result=result)

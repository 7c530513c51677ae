"""Celery tasks of the emulation app: thin, named, idempotent wrappers over the services.

Each takes keyword-only primitive ids, loads its objects, returns quietly when they are gone,
and calls one service. Listed with their schedule in docs/architecture.md.
"""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from emulation.enums import Phase
from emulation.models import Period
from emulation.services import rankings as ranking_services
from emulation.services import reminders as reminder_services
from emulation.services.scheduling import claim_slot, current_slot, finish_slot

logger = logging.getLogger(__name__)

# --- Rankings ---------------------------------------------------------------------------------

# Phases in which the nightly job refreshes the provisional ranking.
PROVISIONAL_RANKING_PHASES = frozenset({Phase.SCORING, Phase.AWAITING_FINALISATION})


@shared_task(name="emulation.compile_rankings", bind=True, acks_late=True, max_retries=3)
def compile_rankings(self, *, period_id: int) -> dict:
    """Compile the rankings of a period (final once finalised, else provisional).

    Queued on commit by `finalise_period` and by the nightly `compile_provisional_rankings`.
    Idempotent: unchanged inputs (same hash) write nothing, so a redelivered or repeated task is
    harmless. A lost database connection or a lock timeout is retried with exponential backoff.
    """
    period = Period.objects.filter(pk=period_id).select_related("movement").first()
    if period is None:
        logger.warning("compile_rankings: period %s no longer exists", period_id)
        return {"period_id": period_id, "snapshots": 0}
    try:
        written = ranking_services.compile_rankings(period)
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    logger.info("compile_rankings: period %s, %d new snapshots", period.year, len(written))
    return {"period_id": period_id, "snapshots": len(written)}


@shared_task(name="emulation.compile_provisional_rankings", bind=True)
def compile_provisional_rankings(self) -> dict:
    """Nightly (beat): queue a ranking compile for every period being scored or awaiting finalisation.

    Runs once per slot (a day) even when two beat processes queue it: the first task claims the
    slot in the database (emulation.services.scheduling), any other stops at once.
    """
    slot = current_slot()
    if not claim_slot(self.name, slot, self.request.id or "local"):
        logger.info("compile_provisional_rankings: slot %s already taken, skipped", slot)
        return {"skipped": slot}
    periods = [
        period.pk
        for period in Period.objects.filter(is_finalised=False).order_by("year", "pk")
        if period.phase in PROVISIONAL_RANKING_PHASES
    ]
    for period_id in periods:
        compile_rankings.delay(period_id=period_id)
    finish_slot(self.name, slot, result={"queued": periods})
    logger.info("compile_provisional_rankings: slot %s ran, queued %s", slot, periods)
    return {"queued": periods}


# --- Reminders --------------------------------------------------------------------------------


def _backoff(retries: int) -> int:
    return 30 * 2**retries


@shared_task(name="emulation.send_reminders", bind=True, acks_late=True, max_retries=5)
def send_reminders(self, *, today: str | None = None) -> dict:
    """Daily (beat, 07:00 Asia/Ho_Chi_Minh): decide the reminders due today, then send the unsent ones.

    Safe to run twice, to redeliver after a killed worker and to retry: deciding writes unique
    ReminderLog rows, sending locks each row and sends only rows without `sent_at`
    (emulation.services.reminders explains the one residual window). Transient trouble (an SMTP
    4xx reply, a lost or refused connection, a lost database connection, the soft time limit)
    is retried with exponential backoff, 30 s × 2^retries; rows still unsent after the last
    retry wait for the next day's run. `today` (ISO date) is for tests and the command.
    """
    day = datetime.date.fromisoformat(today) if today else None
    # The scheduled run (no date given) claims its slot, so a second beat sends nothing more.
    slot = None if day else current_slot()
    if slot and not claim_slot(self.name, slot, self.request.id or "local"):
        logger.info("send_reminders: slot %s already taken, skipped", slot)
        return {"skipped": slot}
    try:
        counts = reminder_services.run_reminders(day)
    except (OperationalError, SoftTimeLimitExceeded) as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    if counts["transient"]:
        if self.request.retries < self.max_retries:
            logger.warning("send_reminders: transient SMTP trouble, retrying: %s", counts)
            raise self.retry(countdown=_backoff(self.request.retries))
        logger.error("send_reminders: SMTP still failing after %d retries: %s", self.max_retries, counts)
    if slot:
        finish_slot(self.name, slot, result=counts)
    logger.info("send_reminders: slot %s ran: %s", slot, counts)
    return counts

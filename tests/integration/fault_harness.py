"""Helpers of the kill tests (test_job_faults.py, test_ranking_faults.py): broker state and draining.

A worker killed with SIGKILL leaves its task in kombu's "unacked" hash in Redis; a running
worker puts it back in the queue once it is older than the visibility timeout (settings,
CELERY_BROKER_TRANSPORT_OPTIONS). The kill tests shorten that timeout and the sweep interval
(FAULT_WORKER_ENV) so that each kill costs seconds, not minutes.
"""

import time

from config.celery import app as celery_app

# Redelivery of a dead worker's task after VISIBILITY_TIMEOUT_SECONDS (+ up to one sweep interval).
# Each task execution in these tests stays well below it, as production's hard limit does.
VISIBILITY_TIMEOUT_SECONDS = 4
RESTORE_INTERVAL_SECONDS = 1
FAULT_WORKER_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
    "CELERY_UNACKED_RESTORE_INTERVAL": str(RESTORE_INTERVAL_SECONDS),
}
QUEUE = "celery"
UNACKED_KEYS = ("unacked", "unacked_index", "unacked_mutex")


def broker_backlog() -> tuple[int, int]:
    """(messages waiting in the queue, messages handed out and not acknowledged)."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        waiting = channel.queue_declare(QUEUE).message_count  # the queue exists anyway: no-op
        return waiting, channel.client.hlen("unacked")


def clear_broker() -> None:
    """Nothing from an earlier test (queued, or handed to a killed worker) may reach this one."""
    celery_app.control.purge()
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.delete(*UNACKED_KEYS)


def wait_drained(timeout: float) -> float:
    """Wait until the queue is empty, nothing is handed out and the worker is idle; return when.

    Idle: a ping queued behind everything else was answered (one pool process, tasks in order).
    Raises TimeoutError naming what is still there.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker_backlog() == (0, 0):
            celery_app.send_task("config.ping").get(timeout=max(deadline - time.monotonic(), 1))
            if broker_backlog() == (0, 0):
                return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError(f"queue not drained after {timeout}s: (waiting, unacknowledged) = {broker_backlog()}")

"""Issue 10: a reminder run of 300+ emails survives repeated SIGKILLs of its worker, and two weaker designs do not.

One harness, three configurations. A real `celery worker` on Redis sends through a local SMTP
sink (smtp_sink.py); the test SIGKILLs the whole worker (parent and pool process, as a lost
machine) four times, restarting it after each kill:

1. 2. 3. at a random message in the first quarter, around the middle and in the last third of
   the run, while that message is in flight (the sink holds its DATA reply);
4. a few messages later, while the SMTP connection closes (the sink holds its QUIT reply): the
   message before was accepted by the server, the task has not yet returned.

(Killing only the pool process would bring the task back at once through reject on worker lost,
but the parent noticed the loss up to 5 s later here (its pool upkeep runs every 5 s), longer than
the 4 s visibility timeout of these tests: the task came back twice, an artefact of the shortened
timeout. The ranking test
kills the pool process once, where a task running twice is harmless.)

The configurations:

- production: `emulation.send_reminders`, late acknowledgement and a ReminderLog row decided in
  the task's transaction, locked, checked and marked around each send: 0 lost, 0 sent twice;
- early acknowledgement without a record (tests/integration/naive_tasks.py, one task per
  reminder): a task killed with its message in flight is gone, its reminder is lost;
- late acknowledgement without a record: the task killed while the connection closes comes back,
  and its reminder goes out twice.

The kill moments are varied but never in the one window no SMTP client can close, between the
server's acceptance of a message and the COMMIT that records it (about a millisecond per message,
emulation/services/reminders/sending.py): a kill there sends that one message twice in any design.

The run prints, under "robustness figures", the kills survived, the reminders lost and doubled
per configuration and the time from the last kill to a drained queue; recovery is bounded by the
visibility timeout plus one sweep interval (fault_harness.py, config/settings.py).
"""

import collections
import datetime
import random
import time

import pytest
from django.contrib.auth.models import Group

from config.celery import app as celery_app
from emulation.models import ReminderLog
from emulation.services.reminders import message_id, plan_reminders
from emulation.tasks import send_reminders
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    PeriodFactory,
    StaffFactory,
    UnitFactory,
    UserFactory,
)
from tests.figures import record
from tests.integration.conftest import WorkerProcess, worker_env
from tests.integration.fault_harness import FAULT_WORKER_ENV, clear_broker, wait_drained
from units.enums import Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REMINDERS = 300
TODAY = "2026-01-24"  # T-7 before pledging closes on 31/01/2026
HOLD_WAIT_SECONDS = 90
DRAIN_SECONDS = 90

PRODUCTION = "late ack + ReminderLog"
EARLY_ACK = "early ack, no record"
LATE_ACK = "late ack, no record"
NAIVE_TASKS = {EARLY_ACK: "faults.send_one_early_ack", LATE_ACK: "faults.send_one_late_ack"}


def kill_plan(rng: random.Random) -> list[tuple[str, int]]:
    """(command the sink holds, messages received before) for the four kills."""
    first = rng.randint(REMINDERS * 15 // 100, REMINDERS * 25 // 100)
    second = rng.randint(REMINDERS * 40 // 100, REMINDERS * 50 // 100)
    third = rng.randint(REMINDERS * 65 // 100, REMINDERS * 75 // 100)
    return [
        ("DATA", first),
        ("DATA", second),
        ("DATA", third),
        ("QUIT", third + rng.randint(1, 10)),
    ]


@pytest.fixture
def owing_units(requires_postgresql):
    """REMINDERS units of a 2026 cluster, none with a submitted pledge; one officer each."""
    clear_broker()
    for role in Role.values:  # an earlier transactional test's flush emptied the groups table
        Group.objects.get_or_create(name=role)
    period = PeriodFactory(year=2026)
    cluster = ClusterFactory(year=2026)
    officers = Group.objects.get(name=Role.UNIT_OFFICER)
    for index in range(REMINDERS):
        unit = UnitFactory(code=f"K{index:03d}", name=f"Đơn vị chịu lỗi {index}")
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        user = UserFactory(username=f"faulted{index:03d}")
        user.groups.add(officers)
        StaffFactory(user=user, unit=unit)
    yield period
    clear_broker()


def tally(sink) -> tuple[int, int]:
    """(reminders decided that never reached the server, extra copies the server received)."""
    expected = {message_id(row) for row in ReminderLog.objects.all()}
    per_id = collections.Counter(message.message_id for message in sink.received())
    assert set(per_id) <= expected, "the server received a message no ReminderLog row accounts for"
    lost = sum(1 for message_id in expected if per_id[message_id] == 0)
    doubled = sum(count - 1 for count in per_id.values())
    return lost, doubled


@pytest.mark.parametrize("config", [PRODUCTION, EARLY_ACK, LATE_ACK])
def test_reminder_run_under_repeated_kills(config, owing_units, smtp_sink, tmp_path):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_sink.port),
        "EMAIL_TIMEOUT": "5",
        **FAULT_WORKER_ENV,
    }
    worker = WorkerProcess(
        worker_env(env), tmp_path / "worker.log", include=("tests.integration.naive_tasks",)
    )
    worker.start()
    try:
        if config == PRODUCTION:
            send_reminders.apply_async(kwargs={"today": TODAY})
        else:
            assert plan_reminders(datetime.date.fromisoformat(TODAY)).decided == REMINDERS
            for row_id in ReminderLog.objects.order_by("pk").values_list("pk", flat=True):
                celery_app.send_task(NAIVE_TASKS[config], kwargs={"row_id": row_id, "today": TODAY})

        kills = 0
        for verb, after in kill_plan(rng):
            holding = smtp_sink.hold(verb, after=after)
            assert holding.wait(HOLD_WAIT_SECONDS), f"seed {seed}: no {verb} after {after}\n{worker.log()}"
            worker.kill()
            last_kill = time.monotonic()
            kills += 1
            smtp_sink.release()
            worker.start()
        recovery = wait_drained(DRAIN_SECONDS) - last_kill
    finally:
        smtp_sink.release()
        worker.stop()

    lost, doubled = tally(smtp_sink)
    record(f"job faults: reminders ({config}): kills survived", kills)
    record(f"job faults: reminders ({config}): lost of {REMINDERS}", lost)
    record(f"job faults: reminders ({config}): sent twice", doubled)
    record(f"job faults: reminders ({config}): last kill to drained queue (s)", round(recovery, 1))
    summary = f"seed {seed}: {lost} lost, {doubled} sent twice, drained {recovery:.1f} s after the last kill"
    print(f"{config}: {summary}")  # noqa: T201 - the figures of issue 10, also in the run's summary

    if config == PRODUCTION:
        assert (lost, doubled) == (0, 0), summary
        assert ReminderLog.objects.count() == REMINDERS
        assert not ReminderLog.objects.filter(sent_at__isnull=True).exists(), summary
    elif config == EARLY_ACK:
        assert lost >= 1, f"the control saw no loss, so the kills proved nothing: {summary}"
    else:
        assert doubled >= 1, f"the control saw no double, so the kills proved nothing: {summary}"
        assert lost == 0, summary

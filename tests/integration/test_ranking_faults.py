"""Issue 10: a ranking compile killed again and again ends with the snapshot an undisturbed compile writes.

The compile (emulation.services.rankings) is one transaction. The test stops the worker at three
chosen points inside it by holding a PostgreSQL lock from a connection of its own, kills the
worker there, then lets go:

1. waiting for the period row lock, before anything is read: SIGKILL of the whole worker;
2. writing the ranking entries, after the new snapshot rows went in: SIGKILL of the pool
   process only (the parent requeues the task when it notices: reject on worker lost; with the
   shortened visibility timeout the sweep may requeue it too, and the second run writes nothing);
3. writing the audit entry, after the entries went in, just before COMMIT: the whole worker.

After each kill nothing of the compile is left in the database, and the task comes back (after
the visibility timeout, or at once after a pool process kill). The final snapshots (scopes,
inputs hash, every entry with its rank, points and deciding key) equal those of an undisturbed
compile of the same data, none is doubled, and a further delivery of the task writes nothing.
As a negative control the same compile acknowledged early (naive_tasks.py) is lost at the first
kill: the queue drains and no ranking is ever written.
"""

import random
import time
from decimal import Decimal as D

import psycopg2
import pytest
from django.db import connection

from config.celery import app as celery_app
from emulation.enums import SubmissionState
from emulation.models import CriterionResult, Period, RankingEntry, RankingSnapshot, Submission
from emulation.services.rankings import compile_rankings
from emulation.tasks import compile_rankings as compile_rankings_task
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    TaskAreaFactory,
    UnitFactory,
)
from tests.figures import record
from tests.integration.conftest import WorkerProcess, worker_env
from tests.integration.fault_harness import FAULT_WORKER_ENV, clear_broker, wait_drained
from units.models import AuditEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLUSTERS, UNITS_PER_CLUSTER = 3, 20
WAIT_SECONDS = 60
# (what the compile is doing, the lock that stops it there, what is killed)
STAGES = (
    (
        "waiting for the period row",
        f"SELECT 1 FROM {Period._meta.db_table} WHERE id = %(period)s FOR UPDATE",  # noqa: S608 - a model table
        "worker",
    ),
    ("writing the entries", f"LOCK TABLE {RankingEntry._meta.db_table} IN SHARE MODE", "pool process"),
    ("writing the audit entry", f"LOCK TABLE {AuditEntry._meta.db_table} IN SHARE MODE", "worker"),
)
WAITING_ON = (Period._meta.db_table, RankingEntry._meta.db_table, AuditEntry._meta.db_table)

PRODUCTION = "late ack + inputs hash"
EARLY_ACK = "early ack"


@pytest.fixture
def finalised_period(requires_postgresql):
    """A finalised 2026 period: 60 units in three clusters, results drawn so that ties occur."""
    clear_broker()
    rng = random.Random(10)
    movement = MovementFactory()
    criteria = []
    for number, codes in ((4, ("4.1", "4.2")), (5, ("5.1",))):
        area = TaskAreaFactory(movement=movement, number=number, max_points=15)
        criteria += [CriterionFactory(task_area=area, code=code, max_points=10) for code in codes]
    period = PeriodFactory(movement=movement, year=2026, is_finalised=True)
    for cluster_index in range(CLUSTERS):
        cluster = ClusterFactory(year=2026)
        for index in range(UNITS_PER_CLUSTER):
            unit = UnitFactory(code=f"F{cluster_index}{index:02d}")
            ClusterMembershipFactory(cluster=cluster, unit=unit)
            submission = Submission.objects.create(unit=unit, period=period, state=SubmissionState.FINALISED)
            CriterionResult.objects.bulk_create(
                CriterionResult(
                    submission=submission, criterion=criterion, raw_points=points, points=points, scorers=3
                )
                for criterion in criteria
                for points in [D(rng.choice((6, 8, 10)))]
            )
    yield period
    clear_broker()


def snapshot_table(period) -> list[tuple]:
    """Every snapshot of the period with its entries, in a stable order (ids left out)."""
    return [
        (
            snapshot.scope_key,
            snapshot.is_provisional,
            snapshot.is_current,
            snapshot.formula_version,
            snapshot.inputs_hash,
            list(
                snapshot.entries.order_by("rank", "unit__code").values_list(
                    "rank",
                    "unit__code",
                    "total",
                    "criteria_points",
                    "adjustment",
                    "area_points",
                    "full_areas",
                    "decided_by",
                )
            ),
        )
        for snapshot in RankingSnapshot.objects.filter(period=period).order_by("scope_key", "pk")
    ]


def compiled_audits(period) -> int:
    return AuditEntry.objects.for_record(period).filter(action="ranking.compiled").count()


def open_blocker():
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def wait_for_lock_waiter(marker: str) -> tuple[int, str]:
    """The backend (the worker's) waiting for a lock, once its query names `marker`."""
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            for pid, query in cursor.fetchall():
                if marker in query:
                    return pid, query
            time.sleep(0.05)
    raise TimeoutError(f"no compile waited on {marker} within {WAIT_SECONDS}s")


def wait_for_backend_gone(pid: int) -> None:
    """A killed client's backend ends (rolling back) once the lock it waited for is released."""
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.05)
    raise TimeoutError(f"backend {pid} of the killed worker still there after {WAIT_SECONDS}s")


@pytest.mark.parametrize("config", [PRODUCTION, EARLY_ACK])
def test_ranking_compile_under_repeated_kills(config, finalised_period, tmp_path):
    period = finalised_period
    compile_rankings(period)  # the undisturbed compile, in this process
    expected = snapshot_table(period)
    assert len(expected) == CLUSTERS + 1
    RankingSnapshot.objects.filter(period=period).delete()

    worker = WorkerProcess(
        worker_env(FAULT_WORKER_ENV), tmp_path / "worker.log", include=("tests.integration.naive_tasks",)
    )
    stages = STAGES if config == PRODUCTION else STAGES[:1]  # an early-acknowledged task never returns
    blockers = [open_blocker(), open_blocker()]
    worker.start()
    try:
        blocker = blockers[0]
        blocker.cursor().execute(stages[0][1], {"period": period.pk})
        if config == PRODUCTION:
            compile_rankings_task.apply_async(kwargs={"period_id": period.pk})
        else:
            celery_app.send_task("faults.compile_rankings_early_ack", kwargs={"period_id": period.pk})
        kills = 0
        for index, (doing, _lock, victim) in enumerate(stages):
            pid, _query = wait_for_lock_waiter(WAITING_ON[index])
            if victim == "worker":
                worker.kill()
            else:
                worker.kill_pool_process()
            last_kill = time.monotonic()
            kills += 1
            if index + 1 < len(stages):  # hold the next point before the task can come back
                following = blockers[(index + 1) % 2]
                following.cursor().execute(stages[index + 1][1], {"period": period.pk})
            blocker.rollback()
            wait_for_backend_gone(pid)
            assert not RankingSnapshot.objects.filter(period=period).exists(), f"killed {doing}: half-written"
            if victim == "worker":
                worker.start()
            if index + 1 < len(stages):
                blocker = following
        recovery = wait_drained(WAIT_SECONDS) - last_kill

        if config == PRODUCTION:  # a further delivery, as after a kill between COMMIT and acknowledgement
            compile_rankings_task.apply_async(kwargs={"period_id": period.pk}).get(timeout=WAIT_SECONDS)
    finally:
        for blocker in blockers:
            blocker.close()
        worker.stop()

    compiled = snapshot_table(period)
    lost = 0 if compiled else 1
    record(f"job faults: ranking compile ({config}): kills survived", kills)
    record(f"job faults: ranking compile ({config}): compiles lost", lost)
    record(f"job faults: ranking compile ({config}): last kill to drained queue (s)", round(recovery, 1))
    print(f"{config}: {kills} kills, {lost} lost, drained {recovery:.1f} s after the last kill")  # noqa: T201

    if config == PRODUCTION:
        assert compiled == expected
        assert compiled_audits(period) == 2  # the undisturbed compile's and one more: no killed one counted
    else:
        assert compiled == [], "the control lost nothing, so the kill proved nothing"
        assert compiled_audits(period) == 1

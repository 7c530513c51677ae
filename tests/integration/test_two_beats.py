"""Two beat processes running at once for three schedule periods: each job still runs once per period.

Both beats queue every job every few seconds; the database claim (one ScheduledRun row per job
and slot) lets exactly one task per job and slot do the work, and the others stop at once.
"""

import re
import subprocess
import sys
import time

import pytest

from emulation.models import ScheduledRun
from tests.figures import record
from tests.integration.conftest import ROOT, WorkerProcess, worker_env
from tests.integration.fault_harness import clear_broker, wait_drained

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PERIOD_SECONDS = 6
PERIODS = 3
READY_SECONDS = 90  # the most any wait may take on a loaded machine before the test fails
JOBS = ("emulation.compile_provisional_rankings", "emulation.send_reminders")


def start_beat(env: dict, schedule_file, log_file) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={schedule_file}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds (a slow machine
    only makes the test take longer, never fail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not reached after {timeout:.0f} s")


def slots_of(job: str) -> list[str]:
    return list(ScheduledRun.objects.filter(job=job).values_list("slot", flat=True))


def test_two_beats_give_one_run_per_job_and_period(tmp_path, requires_postgresql):
    env = worker_env() | {
        "BEAT_EVERY_SECONDS": str(PERIOD_SECONDS),
        "SCHEDULE_SLOT_SECONDS": str(PERIOD_SECONDS),
    }
    worker = WorkerProcess(env, tmp_path / "worker.log")
    worker.start()
    clear_broker()
    log_paths = [tmp_path / f"beat{index}.log" for index in (1, 2)]
    logs = [path.open("ab") for path in log_paths]
    beats = [start_beat(env, tmp_path / f"beat{index}", log) for index, log in zip((1, 2), logs, strict=True)]
    try:
        # Ready: each beat has sent its first batch (however long the start took on this machine).
        wait_until(
            lambda: all("Sending due task" in path.read_text(errors="replace") for path in log_paths),
            READY_SECONDS,
            "both beats sending",
        )
        # Then both keep sending until every job has run in PERIODS slots and duplicates were refused.
        wait_until(
            lambda: (
                all(len(set(slots_of(job))) >= PERIODS for job in JOBS)
                and worker.log().count("already taken, skipped") >= PERIODS
            ),
            PERIOD_SECONDS * PERIODS + READY_SECONDS,
            f"{PERIODS} slots run per job with duplicates skipped",
        )
    finally:
        for beat in beats:
            beat.terminate()
            beat.wait(timeout=15)
        for log in logs:
            log.close()
    try:
        wait_drained(timeout=READY_SECONDS)  # the worker finishes what the beats queued last
    finally:
        worker.stop()

    worker_log = worker.log()
    for job in JOBS:
        runs = ScheduledRun.objects.filter(job=job)
        slots = slots_of(job)
        short_name = job.split(".")[-1]
        executions = len(re.findall(rf"Task {re.escape(job)}\[[^\]]+\] succeeded", worker_log))
        assert len(slots) >= PERIODS, f"{job}: only {len(slots)} slots ran"
        assert len(slots) == len(set(slots))  # one run per slot (the database enforces it)
        assert runs.filter(finished_at__isnull=True).count() == 0
        assert worker_log.count(f"{short_name}: slot") >= len(slots)
        assert executions > len(slots)  # both beats did queue the job...
        assert worker_log.count("already taken, skipped") >= PERIODS  # ...and the duplicates stopped
        record(f"two beats: {short_name} periods run once", len(slots))
        record(f"two beats: {short_name} duplicates skipped", executions - len(slots))

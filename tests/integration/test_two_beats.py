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

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PERIOD_SECONDS = 6
PERIODS = 3
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


def test_two_beats_give_one_run_per_job_and_period(tmp_path, requires_postgresql):
    env = worker_env() | {
        "BEAT_EVERY_SECONDS": str(PERIOD_SECONDS),
        "SCHEDULE_SLOT_SECONDS": str(PERIOD_SECONDS),
    }
    worker = WorkerProcess(env, tmp_path / "worker.log")
    worker.start()
    logs = [(tmp_path / f"beat{index}.log").open("ab") for index in (1, 2)]
    beats = [start_beat(env, tmp_path / f"beat{index}", log) for index, log in zip((1, 2), logs, strict=True)]
    try:
        time.sleep(PERIOD_SECONDS * PERIODS + 2)
    finally:
        for beat in beats:
            beat.terminate()
            beat.wait(timeout=15)
        for log in logs:
            log.close()
        time.sleep(3)  # let the worker finish the last tasks the beats queued
        worker.stop()

    worker_log = worker.log()
    for job in JOBS:
        runs = ScheduledRun.objects.filter(job=job)
        slots = list(runs.values_list("slot", flat=True))
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

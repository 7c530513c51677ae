"""f. Peak memory (VmHWM) of the Celery worker during the ranking compile and the eligibility run.

A `celery -A config worker --concurrency=1` is started against the scale's bench database and the
machine's Redis, on a queue of its own (so it never takes another process's tasks, nor they its),
and stopped by its process group id at the end. The task runs in the worker's one pool process,
whose VmHWM (peak resident set size since it started) is read before and after each task.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from bench.common import (
    PYTHON,
    ROOT,
    BenchError,
    Config,
    Log,
    child_env,
    children_of,
    memory_kib,
    run_inproc,
    stop_process_group,
    wait_until,
)

TASK_TIMEOUT_SECONDS = 600
# Names an eligibility task may have; none exists yet (then a plain process runs the service).
ELIGIBILITY_TASK_HINT = "eligib"


def _client(cfg: Config):
    from celery import Celery  # noqa: PLC0415 - only this measurement needs a Celery client

    app = Celery("bench", broker=cfg.redis_url, backend=cfg.redis_url)
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    return app


class Worker:
    def __init__(self, cfg: Config, scale: int, var_dir: Path) -> None:
        self.cfg, self.scale, self.var_dir = cfg, scale, var_dir
        self.queue = f"bench-{uuid.uuid4().hex[:10]}"
        self.name = f"{self.queue}@localhost"
        self.process: subprocess.Popen | None = None
        self._log = None

    def __enter__(self) -> Worker:
        self._log = (self.var_dir / "celery.log").open("ab")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                "--pool=prefork",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                self.queue,
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=child_env(self.cfg, self.scale, var_dir=self.var_dir),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def pool_process(self) -> int | None:
        children = children_of(self.process.pid) if self.process else []
        return children[0] if children else None

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_process_group(self.process)
        if self._log is not None:
            self._log.close()


def measure_worker(cfg: Config, scale: int, fixtures: dict, *, var_dir: Path, log: Log) -> dict:
    app = _client(cfg)
    result: dict = {"scale": scale}
    with Worker(cfg, scale, var_dir) as worker:
        if not wait_until(lambda: bool(app.control.ping(destination=[worker.name], timeout=0.5)), timeout=60):
            raise BenchError(f"The Celery worker did not answer within 60 s; see {var_dir / 'celery.log'}")
        pool = worker.pool_process()
        result["idle_kib"] = memory_kib(pool) if pool else None
        registered = (app.control.inspect([worker.name], timeout=2).registered() or {}).get(worker.name, [])
        retired = run_inproc(cfg, scale, "retire-snapshots", var_dir=var_dir)
        try:
            answer = app.send_task(
                "emulation.compile_rankings", kwargs={"period_id": retired["period"]}, queue=worker.queue
            ).get(timeout=TASK_TIMEOUT_SECONDS)
        finally:
            restored = run_inproc(cfg, scale, "restore-snapshots", *map(str, retired["ids"]), var_dir=var_dir)
        result["compile_kib"] = memory_kib(worker.pool_process() or 0)
        result["compile_snapshots"] = answer.get("snapshots")
        result["restored"] = restored
        task = next((name for name in registered if ELIGIBILITY_TASK_HINT in name), None)
        result["eligibility_task"] = task
        if task is not None:
            app.send_task(task, kwargs={"year": 2025}, queue=worker.queue).get(timeout=TASK_TIMEOUT_SECONDS)
            result["eligibility_kib"] = memory_kib(worker.pool_process() or 0)
            result["eligibility_where"] = f"Celery task {task}"
    app.close()
    if result.get("eligibility_task") is None:
        peak = run_inproc(cfg, scale, "eligibility-peak", var_dir=var_dir)
        result["eligibility_where"] = "a plain process running evaluate_year (no eligibility task exists)"
        result["eligibility_status"] = peak["status"]
        result["eligibility_kib"] = peak.get("peak_kib")
        result["eligibility_idle_kib"] = peak.get("idle_kib")
    log(
        "worker peak: idle {idle} KiB, after the compile {compile} KiB, eligibility {elig} KiB".format(
            idle=result.get("idle_kib"), compile=result.get("compile_kib"), elig=result.get("eligibility_kib")
        )
    )
    return result

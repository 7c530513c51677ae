"""A real Celery worker process on the real Redis, for the tests marked `integration`."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 30


class WorkerProcess:
    """A `celery worker` child process that the test can stop, kill and restart."""

    def __init__(self, env: dict[str, str], log_path: Path, *, include: tuple[str, ...] = ()) -> None:
        self.env = env
        self.log_path = log_path
        self.include = include  # extra task modules (`celery worker -I`), e.g. a test's own tasks
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen | None = None
        self._log_file = None

    def start(self) -> None:
        self._close_log()
        self._log_file = log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "-n",
                self.name,
                *(f"--include={module}" for module in self.include),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            replies = celery_app.control.ping(destination=[self.name], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"celery worker not ready after {READY_TIMEOUT_SECONDS}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker dies without acknowledging anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_log()

    def kill_pool_process(self) -> None:
        """SIGKILL the pool process running the task, as the OOM killer would; the parent lives on."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REDIS_URL"):
        return
    reason = "integration tests need a real Redis: set REDIS_URL (CI does)"
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.skip(reason=reason))


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The worker's environment: the same settings, pointed at the test database, plus `extra`."""
    env = dict(os.environ)
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        user = database.get("USER") or "postgres"
        password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{connection.settings_dict['NAME']}"
    env["DEBUG"] = "true"
    env.update(extra or {})
    return env


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment variables for the worker; a test module overrides this fixture."""
    return {}


@pytest.fixture
def celery_worker(tmp_path, celery_worker_env) -> Iterator[WorkerProcess]:
    """Start a real worker for one test and stop it afterwards, printing its log on failure."""
    worker = WorkerProcess(worker_env(celery_worker_env), tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def requires_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def smtp_sink():
    """A local SMTP server on 127.0.0.1 that records what it accepts (tests/integration/smtp_sink.py)."""
    from tests.integration.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()

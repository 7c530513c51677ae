"""What every part of the benchmark shares: its configuration, the bench databases' addresses, the
environment of the processes it starts, running a measurement inside Django, and the statistics.

The orchestrator (run.py) never imports Django: everything that needs the application runs in a
child process (`python -m bench.inproc ...`, gunicorn, a Celery worker) with the environment built
here, so each measurement starts clean and a crash in one cannot leave the others half-configured.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
# Uploaded files of the bench databases (evidence PDFs of the scale-1 demo) live beside them.
BENCH_VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
DEFAULT_PREFIX = "emulation_bench"
DEFAULT_SCALES = (1, 10, 100)
JSON_MARK = "BENCH_JSON "
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")

Log = Callable[[str], None]


class BenchError(Exception):
    """A condition the benchmark cannot run under; the message says what to do about it."""


@dataclass
class Config:
    """One run of the benchmark. The defaults are those of `make bench`."""

    scales: tuple[int, ...] = DEFAULT_SCALES
    seed: int = 2021
    reps: int = 5  # repetitions of each in-process measurement (medians are reported)
    load_seconds: int = 12  # length of one load run of one page
    load_rounds: int = 3  # every page and the floor once per round; medians over the rounds
    warmup_seconds: int = 2
    connections: int = 16
    load_scale: int | None = None  # the data size the pages are loaded at (default 10, else the largest)
    fresh: bool = False  # drop and rebuild the bench databases
    prefix: str = DEFAULT_PREFIX
    load: bool = True
    celery: bool = True
    profile: bool = True  # profile every missed target (pyinstrument) into the results
    pages: tuple[str, ...] | None = None  # a subset of the load scenarios (None: all)
    write_results: bool = True
    results_dir: Path = RESULTS_DIR
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(64))
    officer_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def effective_load_scale(self) -> int:
        if self.load_scale is not None:
            return self.load_scale
        return 10 if 10 in self.scales else max(self.scales)


# --- Databases --------------------------------------------------------------------------------


def require_services(cfg: Config, environ: dict[str, str] | None = None) -> None:
    """Fill the database and Redis addresses from the environment, refusing what cannot be measured."""
    environ = os.environ if environ is None else environ
    url = (cfg.database_url or environ.get("DATABASE_URL", "")).strip()
    if not url or urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(
            "make bench needs PostgreSQL, the database production runs on: SQLite would measure "
            "something else. Set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/emulation make bench "
            "(the bench creates its own databases <prefix>_1, _10, _100 beside that one)."
        )
    redis_url = (cfg.redis_url or environ.get("REDIS_URL", "")).strip()
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise BenchError(
            "make bench needs Redis (the cache of the ranking tables and the Celery broker). "
            "Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0."
        )
    if not _NAME.match(cfg.prefix) or "bench" not in cfg.prefix:
        raise BenchError(f"The database prefix {cfg.prefix!r} must be a plain name containing 'bench'.")
    cfg.database_url, cfg.redis_url = url, redis_url


def db_name(cfg: Config, scale: int) -> str:
    return f"{cfg.prefix}_{scale}"


def url_with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def db_url(cfg: Config, scale: int) -> str:
    return url_with_database(cfg.database_url, db_name(cfg, scale))


def media_dir(cfg: Config, scale: int) -> Path:
    return BENCH_VAR / db_name(cfg, scale) / "media"


def child_env(
    cfg: Config, scale: int, *, var_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of every process started against a bench database: production settings.

    DEBUG off (no query log, compressed static files, the checks of a real start), a key made for
    this run, loopback only, no HTTPS redirect or HSTS (nothing here speaks TLS), the cache keys
    prefixed by the database's name (snapshot ids repeat from one bench database to the next).
    """
    env = dict(os.environ)
    for name in ("EMAIL_HOST", "DJANGO_SETTINGS_MODULE", "SITE_URL"):
        env.pop(name, None)
    env.update(
        DEBUG="false",
        SECRET_KEY=cfg.secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=db_url(cfg, scale),
        REDIS_URL=cfg.redis_url,
        CACHE_KEY_PREFIX=db_name(cfg, scale),
        VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(media_dir(cfg, scale)),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


# --- Child processes ---------------------------------------------------------------------------


def run_inproc(
    cfg: Config,
    scale: int,
    command: str,
    *args: str,
    var_dir: Path,
    timeout: float = 1800,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """Run `python -m bench.inproc COMMAND ARGS` against the scale's database; return its JSON answer."""
    completed = subprocess.run(
        [PYTHON, "-m", "bench.inproc", command, *args],
        cwd=ROOT,
        env=child_env(cfg, scale, var_dir=var_dir, extra=extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    answer = next(
        (
            line[len(JSON_MARK) :]
            for line in reversed(completed.stdout.splitlines())
            if line.startswith(JSON_MARK)
        ),
        None,
    )
    if completed.returncode != 0 or answer is None:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-25:])
        raise BenchError(
            f"bench.inproc {command} at scale {scale} failed (exit {completed.returncode}):\n{tail}"
        )
    return json.loads(answer)


def run_manage(
    cfg: Config, scale: int, *args: str, var_dir: Path, timeout: float, extra: dict[str, str] | None = None
) -> str:
    """`manage.py ARGS` against the scale's database; its output, or BenchError with the tail."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=child_env(cfg, scale, var_dir=var_dir, extra=extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-25:])
        raise BenchError(f"manage.py {' '.join(args)} at scale {scale} failed:\n{tail}")
    return completed.stdout


def stop_process_group(process: subprocess.Popen, *, grace: float = 15) -> None:
    """Stop a child started with start_new_session=True, and everything it started (by its id)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """The direct children of a process (the gunicorn or Celery workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kib(pid: int, key: str = "VmHWM") -> int | None:
    """A memory figure of /proc/<pid>/status in KiB (VmHWM: the peak resident set size)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def wait_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


# --- Statistics --------------------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    items = [value for value in values if value is not None]
    return statistics.median(items) if items else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator

"""PostgreSQL restarted under a running app: a calm 503 while it is down, nothing half-written,
and the same requests succeed again once it is back, without restarting the app.

Everything runs for real and apart from the machine's shared PostgreSQL server: a private
PostgreSQL 15 cluster (initdb in a temporary folder, its own port, trust authentication), migrated,
and the app served by gunicorn with production settings (DEBUG off) in a subprocess. The test
signs in, saves a pledge draft, then stops the database with `pg_ctl stop -m immediate` (a crash:
no clean shutdown) while a second save is halfway through its transaction, asks for pages while
the database is down, starts it again and asks once more.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.figures import record

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
READY_SECONDS = 60
UNAVAILABLE_MARK = 'data-testid="unavailable"'

# Runs in `manage.py shell` against the private database: one unit officer and a pledge open today.
SETUP_SCRIPT = """
import datetime, json
from django.utils import timezone
from emulation.services import start_pledge
from tests.factories import (
    CriterionFactory, MovementFactory, PeriodFactory, StaffFactory, TaskAreaFactory, UnitFactory,
    UserFactory,
)
today = timezone.localdate()
days = datetime.timedelta(days=1)
unit = UnitFactory(code="KV1", name="Chi cục Hải quan khu vực I", kind="branch")
officer = UserFactory(username="officer", roles=["unit_officer"])
StaffFactory(user=officer, unit=unit, full_name="Cán bộ thi đua")
movement = MovementFactory(start_year=today.year - 1, end_year=today.year + 1)
area = TaskAreaFactory(movement=movement, number=4, max_points=20)
criterion = CriterionFactory(task_area=area, code="4.1", measure="percent", max_points=10)
period = PeriodFactory(
    movement=movement,
    year=today.year,
    pledging_opens=today - 30 * days,
    pledging_closes=today + 30 * days,
    self_assessment_opens=today + 31 * days,
    self_assessment_closes=today + 40 * days,
    scoring_closes=today + 50 * days,
)
pledge = start_pledge(unit, period, actor=officer)
print(json.dumps({"pledge": pledge.pk, "criterion": criterion.pk, "version": pledge.version}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """A throwaway PostgreSQL 15 cluster in its own folder, on its own port, run as `postgres`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dbrestart-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.root, user="postgres", group="postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _pg(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_postgres, str(PG_BIN / program), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    def init(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")

    def start(self) -> None:
        # fsync=off only matters when the operating system crashes, not the server: WAL recovery
        # after `-m immediate` works the same, and the run is faster on a busy machine.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off"
        )
        self._pg(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(READY_SECONDS),
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    def is_running(self) -> bool:
        result = subprocess.run(
            [*self.as_postgres, str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name: str):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)
        connection.autocommit = True
        return connection

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def destroy(self) -> None:
        if self.data.exists() and self.is_running():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        self.status, self.headers, self.body = status, headers, body

    def __repr__(self) -> str:
        return f"<Reply {self.status}>"


class Browser:
    """A minimal HTTP client that keeps cookies (the app's cookies are Secure, so no cookie jar)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, timeout: float = 60) -> Reply:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Reply(response.status, dict(response.headers), response.read().decode(errors="replace"))
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Reply:
        return self.request("POST", path, data)


def app_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off), pointed at the private database and a private var/."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "restart-test-" + "k9Qz7vX2mB4nR8tL1pW6yH3jC5dF0gS" * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CACHE_KEY_PREFIX": f"dbrestart-{os.getpid()}",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(var_dir),
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"manage.py {' '.join(args[:1])} failed:\n{result.stderr}"
    return result.stdout


class AppServer:
    """gunicorn serving the app with two sync workers, as in the image."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log()}"
            with contextlib.suppress(OSError):
                if Browser(self.port).get("/healthz?worker=0").status == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"gunicorn not ready after {READY_SECONDS}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            f"PostgreSQL 15 server binaries are absent ({PG_BIN}/initdb): cannot start a private instance"
        )
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    except subprocess.CalledProcessError as error:
        raise AssertionError(f"{error.cmd} failed:\n{error.stderr}\n{server.log()}") from error
    finally:
        print("--- private PostgreSQL log ---\n" + server.log()[-4000:])  # noqa: T201 - pytest shows it when the test fails
        server.destroy()


@pytest.fixture
def served_app(private_postgres, tmp_path) -> Iterator[tuple[AppServer, dict]]:
    """The private cluster migrated, one open pledge, and gunicorn serving the app on it."""
    private_postgres.connect("postgres").cursor().execute("CREATE DATABASE app")
    env = app_env(private_postgres.url("app"), tmp_path)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the manifest production pages need
    ids = json.loads(manage(env, "shell", "-v", "0", "-c", SETUP_SCRIPT).strip().splitlines()[-1])
    server = AppServer(env, tmp_path / "gunicorn.log")
    try:
        server.wait_ready()
        yield server, ids
    finally:
        server.stop()
        print("--- gunicorn log ---\n" + server.log()[-6000:])  # noqa: T201 - pytest shows it when the test fails


def sign_in(browser: Browser) -> None:
    assert browser.get(reverse("login")).status == 200
    reply = browser.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD})
    assert reply.status == 302, reply.body[:2000]
    assert "sessionid" in browser.cookies


def draft(ids: dict, *, version: int, title: str, target: str) -> dict:
    criterion = ids["criterion"]
    return {
        "version": version,
        "collective_title": title,
        "action": "save",
        f"target_{criterion}": target,
        f"note_{criterion}": "",
        "reg-TOTAL_FORMS": 0,
        "reg-INITIAL_FORMS": 0,
        "reg-MIN_NUM_FORMS": 0,
        "reg-MAX_NUM_FORMS": 1000,
    }


def pledge_state(postgres: PrivatePostgres, pledge_id: int) -> tuple:
    """The pledge row, its targets and its audit entries, read straight from the database."""
    with contextlib.closing(postgres.connect("app")) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT version, collective_title FROM emulation_pledge WHERE id = %s", [pledge_id])
        pledge = cursor.fetchone()
        cursor.execute(
            "SELECT value FROM emulation_pledgetarget WHERE pledge_id = %s ORDER BY id", [pledge_id]
        )
        targets = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM units_auditentry WHERE action = 'pledge.saved'")
        saves = cursor.fetchone()[0]
    return pledge, targets, saves


def assert_friendly_503(reply: Reply) -> None:
    assert reply.status == 503, (reply.status, reply.body[:2000])
    assert UNAVAILABLE_MARK in reply.body
    assert "Traceback" not in reply.body
    assert reply.headers.get("Retry-After") == "30"


def wait_until_blocked_on_audit(watcher) -> int:
    """The backend of the interrupted save, once it waits for the audit table after its updates.

    `watcher` is an autocommit connection: inside a transaction pg_stat_activity is a snapshot.
    """
    deadline = time.monotonic() + READY_SECONDS
    with watcher.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                ['INSERT INTO "units_auditentry"%'],
            )
            row = cursor.fetchone()
            if row:
                return row[0]
            time.sleep(0.1)
        cursor.execute("SELECT pid, state, wait_event_type, left(query, 120) FROM pg_stat_activity")
        raise AssertionError(f"the pledge save never reached its audit entry: {cursor.fetchall()}")


def tables_written_by(watcher, backend: int) -> set[str]:
    with watcher.cursor() as cursor:
        cursor.execute(
            "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock'",
            [backend],
        )
        return {row[0] for row in cursor.fetchall()}


def test_database_restart_gives_503_writes_nothing_half_and_recovers(private_postgres, served_app):
    server, ids = served_app
    browser = Browser(server.port)
    edit = reverse("emulation:pledge-edit", kwargs={"pk": ids["pledge"]})
    first = ids["version"]
    sign_in(browser)
    assert browser.get(edit).status == 200
    saved = browser.post(edit, draft(ids, version=first, title="TTLDXS", target="95"))
    assert saved.status == 302, saved.body[:2000]
    before = pledge_state(private_postgres, ids["pledge"])
    assert before == ((first + 1, "TTLDXS"), [Decimal(95)], 1)

    # A second save runs until its audit entry, which waits behind a lock the test holds; the
    # pledge and its target are already updated inside that transaction when the server dies.
    locker, watcher = private_postgres.connect("app"), private_postgres.connect("app")
    locker.autocommit = False
    locker.cursor().execute("LOCK TABLE units_auditentry IN EXCLUSIVE MODE")
    interrupted: list[Reply | Exception] = []

    def interrupted_save() -> None:
        try:
            interrupted.append(browser.post(edit, draft(ids, version=first + 1, title="TTLDTT", target="99")))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            interrupted.append(error)

    save = threading.Thread(target=interrupted_save, daemon=True)
    save.start()
    try:
        backend = wait_until_blocked_on_audit(watcher)
        assert {"emulation_pledge", "emulation_pledgetarget"} <= tables_written_by(watcher, backend)
    finally:
        private_postgres.stop("immediate")
        save.join(timeout=READY_SECONDS)
        for connection in (locker, watcher):
            with contextlib.suppress(psycopg2.Error):
                connection.close()

    assert len(interrupted) == 1, "the interrupted save got no answer"
    assert_friendly_503(interrupted[0])
    down = [browser.get(edit), browser.post(edit, draft(ids, version=first + 1, title="TTLDTT", target="99"))]
    down += [browser.get(reverse("home")), browser.get(reverse("emulation:pledge-mine"))]
    for reply in down:
        assert_friendly_503(reply)
    health = browser.get("/healthz?worker=0")
    assert health.status == 503
    record("database restart: requests answered 503 while down", len(down) + 2)

    started = time.monotonic()
    private_postgres.start()
    assert pledge_state(private_postgres, ids["pledge"]) == before  # the interrupted save left nothing
    page = browser.get(edit)
    again = browser.post(edit, draft(ids, version=first + 1, title="TTLDTT", target="99"))
    record("database restart: seconds from start to first page served", round(time.monotonic() - started, 1))

    assert page.status == 200, page.body[:2000]
    assert again.status == 302, again.body[:2000]
    pledge, targets, saves = pledge_state(private_postgres, ids["pledge"])
    assert pledge == (first + 2, "TTLDTT")
    assert targets == [Decimal(99)]
    assert saves == before[2] + 1
    assert browser.get("/healthz?worker=0").status == 200
    assert server.process.poll() is None  # the same gunicorn, never restarted
    assert re.findall(r'" 500 ', server.log()) == []  # no request ever answered 500

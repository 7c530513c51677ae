"""The /healthz endpoint used by compose and load balancers.

Anyone may ask whether the site is alive (database and Redis reachable, no worker round trip);
the worker round trip is for a caller with the token or on the machine itself, and runs at most
once per interval whoever asks.
"""

import datetime
import json
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from config.views import worker_state
from tests.test_settings import GOOD_KEY, run_django

OUTSIDE = "203.0.113.5"
TOKEN = "hz-9vQ2LkP0sX7mB4tR1yW6"
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_healthz_reports_database_and_worker_to_the_machine_itself(client):
    response = client.get(reverse("healthz"), REMOTE_ADDR="127.0.0.1")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_can_skip_the_worker_round_trip(client):
    response = client.get(reverse("healthz"), {"worker": "0"})

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "redis"}


def test_healthz_answers_503_when_the_database_is_down():
    # A real unreachable PostgreSQL (nothing listens on port 1), in a process of its own.
    script = (
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client; import json;"
        "r = Client().get('/healthz', {'worker': '0'});"
        "print(r.status_code); print(r.content.decode())"
    )

    result = run_django(
        {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"},
        "shell",
        "-v",
        "0",
        "-c",
        script,
    )

    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503", result.stderr
    assert json.loads(body)["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_pages_answer_503_with_a_friendly_page_when_the_database_is_down():
    # A signed-in visitor (a session cookie) makes the first query, to the sessions table.
    script = (
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False); c.cookies['sessionid'] = 'a' * 32;"
        "r = c.get('/');"
        "print(r.status_code); print(r.get('Retry-After')); print(r.content.decode())"
    )
    env = {
        "DEBUG": "false",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECURE_SSL_REDIRECT": "false",
    }

    result = run_django(env, "shell", "-v", "0", "-c", script)

    status, retry_after, body = result.stdout.split("\n", 2)
    assert status == "503", result.stderr
    assert retry_after == "30"
    assert 'data-testid="unavailable"' in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_healthz_anonymous_caller_gets_liveness_without_a_worker_round_trip(client, settings):
    settings.HEALTHZ_TOKEN = TOKEN

    response = client.get(reverse("healthz"), REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert set(response.json()["checks"]) == {"database", "redis"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configured", "sent", "gets_worker"),
    [
        (TOKEN, TOKEN, True),
        (TOKEN, "hz-guess", False),
        (TOKEN, "", False),
        ("", "", False),  # no token configured: the header opens nothing
    ],
)
def test_healthz_worker_round_trip_needs_the_token_from_outside(
    client, settings, configured, sent, gets_worker
):
    settings.HEALTHZ_TOKEN = configured

    response = client.get(reverse("healthz"), REMOTE_ADDR=OUTSIDE, HTTP_X_HEALTHZ_TOKEN=sent)

    assert response.status_code == 200
    assert ("worker" in response.json()["checks"]) is gets_worker


@pytest.mark.django_db
def test_healthz_worker_round_trip_runs_once_per_interval(client, settings):
    settings.HEALTHZ_WORKER_INTERVAL = 60
    url = reverse("healthz")
    with time_machine.travel(NOON, tick=False) as clock:
        first = client.get(url)
        clock.shift(datetime.timedelta(seconds=30))
        same_interval = client.get(url)
        clock.shift(datetime.timedelta(seconds=31))
        next_interval = client.get(url)

    first_worker = first.json()["checks"]["worker"]
    assert first_worker["ok"] is True
    assert first_worker["checked_at"] == "2026-03-02T12:00:00+00:00"
    assert same_interval.json()["checks"]["worker"]["checked_at"] == "2026-03-02T12:00:00+00:00"
    assert same_interval.json()["checks"]["worker"]["cached"] is True
    assert next_interval.json()["checks"]["worker"]["checked_at"] == "2026-03-02T12:01:01+00:00"


def test_healthz_concurrent_callers_share_one_probe():
    started, release = threading.Event(), threading.Event()
    probes = []

    def slow_probe(redis_ok: bool) -> dict:
        probes.append(redis_ok)
        started.set()
        release.wait(timeout=10)
        return {"ok": True, "mode": "queue"}

    with time_machine.travel(NOON, tick=False):
        first = {}
        runner = threading.Thread(target=lambda: first.update(worker_state(True, probe=slow_probe)))
        runner.start()
        assert started.wait(timeout=10)
        while_probing = worker_state(True, probe=slow_probe)
        release.set()
        runner.join(timeout=10)
        afterwards = worker_state(True, probe=slow_probe)

    assert len(probes) == 1
    assert while_probing == {"ok": None, "pending": True}
    assert first["ok"] is True
    assert afterwards == first | {"cached": True}

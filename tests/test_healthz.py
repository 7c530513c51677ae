"""The /healthz endpoint used by compose and load balancers."""

import json

import pytest
from django.urls import reverse

from tests.test_settings import GOOD_KEY, run_django


@pytest.mark.django_db
def test_healthz_reports_database_and_worker_without_login(client):
    response = client.get(reverse("healthz"))

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

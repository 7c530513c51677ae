"""The Celery wiring, proven with a real worker process on the real Redis."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from config.celery import ping
from config.views import LAST_WORKER_STATE

pytestmark = pytest.mark.integration


def test_worker_executes_a_task_sent_through_redis(celery_worker):
    result = ping.delay()

    assert result.get(timeout=20) == "pong"
    assert celery_worker.name in celery_worker.log()
    assert "config.ping" in celery_worker.log()


@pytest.mark.django_db
def test_worker_healthz_reports_the_queue_round_trip(client, celery_worker, settings):
    # The round trip is cached per interval: forget any earlier run's answer (only these keys; a
    # flush would also empty the broker the worker listens on).
    bucket = int(time.time() // settings.HEALTHZ_WORKER_INTERVAL)
    cache.delete_many([LAST_WORKER_STATE, f"healthz:worker:{bucket}", f"healthz:worker:{bucket}:probe"])

    response = client.get(reverse("healthz"))  # from the machine itself (loopback)

    checks = response.json()["checks"]
    assert response.status_code == 200
    assert checks["redis"]["ok"] is True
    assert checks["worker"]["ok"] is True
    assert checks["worker"]["mode"] == "queue"

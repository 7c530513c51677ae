"""The Celery wiring, proven with a real worker process on the real Redis."""

import pytest
from django.urls import reverse

from config.celery import ping

pytestmark = pytest.mark.integration


def test_worker_executes_a_task_sent_through_redis(celery_worker):
    result = ping.delay()

    assert result.get(timeout=20) == "pong"
    assert celery_worker.name in celery_worker.log()
    assert "config.ping" in celery_worker.log()


@pytest.mark.django_db
def test_worker_healthz_reports_the_queue_round_trip(client, celery_worker):
    response = client.get(reverse("healthz"))

    checks = response.json()["checks"]
    assert response.status_code == 200
    assert checks["redis"]["ok"] is True
    assert checks["worker"]["ok"] is True
    assert checks["worker"]["mode"] == "queue"

"""The Celery application. Settings come from Django's settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", acks_late=False, time_limit=10, soft_time_limit=5)
def ping() -> str:
    """Answer "pong": /healthz sends it to prove a worker takes tasks from the queue."""
    return "pong"

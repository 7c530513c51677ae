"""Settings for the test suite: the project's settings in development mode, on a Redis of its own.

pytest loads this module (pyproject.toml), so `pytest`, `pytest path::test` and `pytest -k …` work
from the virtualenv without exporting anything. Tests that check production refusals start
manage.py in a subprocess with an environment of their own (tests/test_settings.py).

Redis: when REDIS_URL is set, the tests use database REDIS_TEST_DB of the same server (15 unless
set) and a key prefix unique to this run for the cache, the broker's queues and the results. A
developer's `make worker` on REDIS_URL's own database therefore never takes a test's task, and a
test worker never takes the developer's. tests/conftest.py deletes the run's keys at the end.
The environment is changed in place so the Celery workers and servers the tests start inherit it.
"""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "true")


def _test_redis_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = "&".join(item for item in parts.query.split("&") if item and not item.startswith("db="))
        return urlunsplit(parts._replace(query="&".join(filter(None, [query, f"db={database}"]))))
    return urlunsplit(parts._replace(path=f"/{database}"))


if os.environ.get("REDIS_URL") and not os.environ.get("TEST_REDIS_READY"):
    os.environ["REDIS_URL"] = _test_redis_url(os.environ["REDIS_URL"], os.environ.get("REDIS_TEST_DB", "15"))
    os.environ.setdefault("REDIS_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}:")
    os.environ["TEST_REDIS_READY"] = "1"  # a process the tests start keeps the same database and prefix

from config.settings import *  # noqa: E402, F403

"""Project-level views: the home page, the sign-in page and the health check."""

import ipaddress
import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import __version__
from config.celery import app as celery_app
from config.celery import ping
from config.client_ip import client_ip
from config.login_throttle import remember_device
from emulation.views import dashboard as dashboard_views
from units.enums import Role
from units.permissions import has_role

logger = logging.getLogger(__name__)

WORKER_TIMEOUT_SECONDS = 3.0
LAST_WORKER_STATE = "healthz:worker:last"


def home(request: HttpRequest) -> HttpResponse:
    """The home page depends on the role: "Overview" in the menu is this page for everyone.

    Leaders, the committee secretary and administrators get the movement dashboard itself (no
    separate menu entry: their Overview is the dashboard); a unit officer gets what its unit owes
    next and its rank; everyone else (committee members) the shortcuts page.
    """
    if has_role(request.user, Role.LEADER, Role.COMMITTEE_SECRETARY):
        return dashboard_views.movement_dashboard(request)
    if has_role(request.user, Role.UNIT_OFFICER):
        return dashboard_views.officer_home(request)
    return render(request, "home.html")


class SignInView(auth_views.LoginView):
    """Django's login page; a successful sign-in also marks the browser as a known device
    (config.login_throttle), which the per-account delay lets through with the right password."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.get_user().get_username())
        return response


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz: database unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis  # noqa: PLC0415 - only needed when a broker is configured

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        queued = client.llen("celery")
    except redis.RedisError as exc:
        logger.warning("healthz: redis unreachable: %s", exc)
        return {"ok": False, "configured": True, "error": exc.__class__.__name__}
    return {
        "ok": True,
        "configured": True,
        "queued": queued,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def _check_worker(redis_ok: bool) -> dict:
    """Send the ping task through the queue and wait briefly for a worker to answer."""
    if celery_app.conf.task_always_eager:
        return {"ok": ping.delay().get() == "pong", "mode": "eager"}
    if not redis_ok:
        return {"ok": False, "mode": "queue", "error": "broker unavailable"}
    started = time.monotonic()
    try:
        answer = ping.apply_async(expires=WORKER_TIMEOUT_SECONDS).get(
            timeout=WORKER_TIMEOUT_SECONDS, disable_sync_subtasks=False
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "no worker answered"
        return {"ok": False, "mode": "queue", "error": exc.__class__.__name__}
    return {
        "ok": answer == "pong",
        "mode": "queue",
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def may_probe_worker(request: HttpRequest) -> bool:
    """The worker round trip is for a caller with the token (X-Healthz-Token) or on this machine.

    Anyone else gets the cheap liveness answer: a round trip through the queue costs a worker
    slot for up to WORKER_TIMEOUT_SECONDS, and anonymous callers could otherwise tie up every
    web worker with it. The loopback test uses the client's address (config.client_ip), so a
    reverse proxy on the same machine does not make every caller "local" once
    TRUSTED_PROXY_COUNT is set.
    """
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Healthz-Token", "")
    if token and sent and constant_time_compare(token, sent):
        return True
    address = client_ip(request)
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def worker_state(redis_ok: bool, *, probe: Callable[[bool], dict] = _check_worker) -> dict:
    """The worker's state, probed at most once per HEALTHZ_WORKER_INTERVAL seconds.

    The result is cached under the interval's number (time // interval): a new interval is a new
    key, nothing to invalidate. The first caller of an interval takes the probe lock (cache.add
    is atomic in Redis) and probes; callers arriving meanwhile get the previous interval's result
    (marked cached) or "pending", and never queue a second ping.
    """
    if not redis_ok and not celery_app.conf.task_always_eager:
        return {"ok": False, "mode": "queue", "error": "broker unavailable"}
    interval = max(1, settings.HEALTHZ_WORKER_INTERVAL)
    bucket = int(time.time() // interval)
    result_key, lock_key = f"healthz:worker:{bucket}", f"healthz:worker:{bucket}:probe"
    cached = cache.get(result_key)
    if cached is not None:
        return cached | {"cached": True}
    if cache.add(lock_key, True, timeout=interval + int(WORKER_TIMEOUT_SECONDS) + 1):
        result = probe(redis_ok) | {"checked_at": timezone.now().isoformat()}
        cache.set(result_key, result, timeout=interval * 2)
        cache.set(LAST_WORKER_STATE, result, timeout=interval * 10)
        return result
    previous = cache.get(LAST_WORKER_STATE)
    return previous | {"cached": True} if previous is not None else {"ok": None, "pending": True}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report database and Redis state (and the worker's, to the machine or a token); 503 only
    when the database is down.

    A missing worker does not make the web tier unhealthy (pages still serve), so it is reported
    but does not change the status code. Add ?worker=0 to skip the worker state.
    """
    database = _check_database()
    redis_state = _check_redis()
    checks = {"database": database, "redis": redis_state}
    if request.GET.get("worker") != "0" and may_probe_worker(request):
        checks["worker"] = worker_state(redis_state["ok"])
    healthy = database["ok"]
    body = {"status": "ok" if healthy else "error", "version": __version__, "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that does not answer is a 503 with a calm page, anything else a 500.

    Both templates stand alone (no context processors, no database) so they render even when
    the database is down. Connection health checks (CONN_HEALTH_CHECKS) reconnect by themselves
    once the database is back.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", exc)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)

"""Login throttling: a growing delay per account, a limit per address, and known devices.

Three rules, each where it fits best:

- **Per address, across accounts** (password spraying: a few guesses at every account):
  django-axes counts failures by client address (AXES_LOCKOUT_PARAMETERS = ["ip_address"]) and
  refuses the address for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures, whatever the
  usernames. The limit is well above what one office's typing errors reach.
- **Per account** (guessing one person's password from anywhere): ThrottledModelBackend below.
  After LOGIN_ACCOUNT_FAILURE_LIMIT failures on a username within the cool-off, a sign-in from an
  unknown device must wait LOGIN_BACKOFF_SECONDS after the last failure, doubling with every
  further failure, up to the cool-off. It is a delay, not a lock-out: a colleague behind the same
  office address is never refused because of failures on another account.
- **Known devices**: a successful sign-in leaves a signed cookie naming the account and a random
  device id (LOGIN_DEVICE_DAYS). With it, the right password passes both rules above, so whoever
  hammers an account cannot lock its owner out of the computer the owner always uses. A known
  device has its own budget: after LOGIN_ACCOUNT_FAILURE_LIMIT failures with it (counted in the
  cache) it is treated as unknown until the cool-off has passed.

Failures are the rows django-axes writes (AccessAttempt: username, address, count, last time),
so the per-account count needs no table of its own. A success from an unknown device clears the
account's rows; AXES_RESET_ON_SUCCESS stays off, or a sprayer signing in to its own account would
clear its address's count.
"""

from __future__ import annotations

import datetime
import math
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

DEVICE_SALT = "config.login_throttle.known-device"
MAX_DOUBLINGS = 16  # 60 s x 2^16 is far beyond any cool-off: the cap applies long before


def _device_failures_key(device: str) -> str:
    return f"login:device-failures:{device}"


def known_device(request: HttpRequest, username: str | None) -> str | None:
    """The device id of this request's known-device cookie for `username`, or None.

    None when there is no cookie, its signature or age is wrong, it names another account, or
    the device has used up its own failure budget.
    """
    raw = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME)
    if not raw or not username:
        return None
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=settings.LOGIN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username or not isinstance(data.get("d"), str):
        return None
    if cache.get(_device_failures_key(data["d"]), 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return None
    return data["d"]


def remember_device(response: HttpResponse, username: str) -> None:
    """After a successful sign-in: the signed cookie that makes this browser a known device."""
    value = signing.dumps({"u": username, "d": secrets.token_urlsafe(16)}, salt=DEVICE_SALT)
    response.set_cookie(
        settings.LOGIN_DEVICE_COOKIE_NAME,
        value,
        max_age=settings.LOGIN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_known_device(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: a known device is not held by the per-address limit."""
    return known_device(request, (credentials or {}).get("username")) is not None


def account_wait(username: str, now: datetime.datetime) -> datetime.timedelta | None:
    """How long an unknown device must still wait before trying `username`, or None.

    Failures within the cool-off, from every address: below the limit, no wait; at the limit,
    LOGIN_BACKOFF_SECONDS after the last failure; each further failure doubles it, up to the
    cool-off.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cool_off).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = recent["failures"] or 0
    if failures < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return None
    doublings = min(failures - settings.LOGIN_ACCOUNT_FAILURE_LIMIT, MAX_DOUBLINGS)
    delay = min(datetime.timedelta(seconds=settings.LOGIN_BACKOFF_SECONDS * 2**doublings), cool_off)
    remaining = recent["last"] + delay - now
    return remaining if remaining > datetime.timedelta(0) else None


class ThrottledModelBackend(ModelBackend):
    """ModelBackend with the per-account delay and the known-device budget.

    A refused attempt raises PermissionDenied: Django then reports a failed login, which
    django-axes records (so a refused attempt counts too) and its middleware turns into the
    lockout page (lockout_response), because the request is flagged as locked out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username or not settings.AXES_ENABLED:
            return super().authenticate(request, username, password, **kwargs)
        device = known_device(request, username)
        if device is None:
            wait = account_wait(username, timezone.now())
            if wait is not None:
                request.login_refusal_wait = wait
                request.axes_locked_out = True
                request.axes_credentials = {"username": username}
                raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None and device is not None:
            key = _device_failures_key(device)
            cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME.total_seconds()))
            cache.incr(key)
        elif user is not None and device is not None:
            cache.delete(_device_failures_key(device))
        elif user is not None:
            # Not reached while the account is delayed (refused above), so the failures cleared
            # here are only those of an account that was not under attack.
            AccessAttempt.objects.filter(username=username).delete()
        return user


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page for a refused sign-in, saying which rule refused it."""
    wait = getattr(request, "login_refusal_wait", None)
    if wait is not None:
        kind, minutes = "account", max(1, math.ceil(wait.total_seconds() / 60))
    else:
        kind, minutes = "address", max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"kind": kind, "minutes": minutes}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)

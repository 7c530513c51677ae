"""Session limits: signed out after SESSION_IDLE_MINUTES without a request, and after
SESSION_MAX_HOURS however active the session was.

Django only offers a cookie age, which a saved session pushes forward; here the session itself
carries when it was signed in (set by the user_logged_in receiver, connected in config/apps.py)
and when it was last used, in Unix seconds. The last use is written at most once a minute, so a
page view does not rewrite the session row every time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# [session key, signed in at, last seen at]: the key tells a new sign-in (Django gives the session a
# new key at every sign-in, and on a password change) from the same session's next request.
CLOCK = "_session_clock"
LAST_SEEN_RESOLUTION = 60  # seconds between two writes of the last use


def _now() -> int:
    return int(timezone.now().timestamp())


def start_session_clock(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_in receiver: the session signed in now starts its lifetime and idle count."""
    if request is not None and hasattr(request, "session"):
        now = _now()
        if request.session.session_key is None:
            # Signing in over another user's session flushes it without a new key yet: take the
            # key now, so the first page after the sign-in finds its own clock and writes nothing.
            request.session.save()
        request.session[CLOCK] = [request.session.session_key, now, now]


def expiry_reason(clock: list, now: int) -> str | None:
    """Why the session with this clock has ended, in the user's language, or None while valid."""
    _key, signed_in_at, last_seen_at = clock
    if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
        return _("Your session ended %(hours)s hours after you signed in. Please sign in again.") % {
            "hours": settings.SESSION_MAX_HOURS
        }
    if now - last_seen_at > settings.SESSION_IDLE_MINUTES * 60:
        return _("Your session ended after %(minutes)s minutes without activity. Please sign in again.") % {
            "minutes": settings.SESSION_IDLE_MINUTES
        }
    return None


class SessionTimeoutMiddleware:
    """Signs out an expired session before the view runs; the login page then says why.

    Placed after the authentication and message middleware. The login requirement
    (LoginRequiredMiddleware, a view middleware) then sends the now anonymous user to the login
    page with ?next=, as for any anonymous visit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session, now = request.session, _now()
            clock = session.get(CLOCK)
            if clock is None or clock[0] != session.session_key:
                # A session signed in before this middleware existed, or whose key changed
                # without a sign-in (a password change): its clock starts now.
                session[CLOCK] = [session.session_key, now, now]
            elif (reason := expiry_reason(clock, now)) is not None:
                logout(request)
                messages.warning(request, reason)
            elif now - clock[2] >= LAST_SEEN_RESOLUTION:
                session[CLOCK] = [clock[0], clock[1], now]
        return self.get_response(request)

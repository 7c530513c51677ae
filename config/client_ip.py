"""The address of the person at the keyboard, for login throttling (django-axes).

Behind reverse proxies every request arrives from the proxy's address: throttling by
REMOTE_ADDR would then count every user's failures together. Each trusted proxy appends the
address it was connected from to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies in front
of the application the client is the entry that many places from the right; entries further left
come from the client itself and are never believed. With no trusted proxy (the default), the
header is ignored and REMOTE_ADDR is the client.

Hand-written rather than django-ipware: its proxy count also counts the proxies' own entries,
which a single nginx with `$proxy_add_x_forwarded_for` does not write, and it then answers no
address at all.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")

"""Template context shared by every page: the version and the user's navigation."""

from django.http import HttpRequest

from config import __version__
from config.navigation import navigation_for


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    entries = navigation_for(user, request.resolver_match) if user else []
    return {
        "app_version": __version__,
        "nav_items": entries,
        # The same links, flat, for the home page's shortcuts.
        "nav_links": [link for entry in entries for link in entry.get("children", [entry])],
    }

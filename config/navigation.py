"""The main navigation: one list, each entry naming the roles that may open it.

A feature adds its pages here. The context processor shows a user only the entries its roles
allow, so the menu never offers a page that would answer 403.
"""

from dataclasses import dataclass

from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from units.enums import Role
from units.permissions import user_roles

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    icon: str = ""


NAVIGATION: list[NavItem] = [
    NavItem("home", _("Overview"), ALL_ROLES, "house"),
    NavItem("emulation:pledge-mine", _("Our pledge"), frozenset({Role.UNIT_OFFICER}), "pencil-square"),
    NavItem(
        "emulation:pledge-list",
        _("Pledges"),
        frozenset({Role.COMMITTEE_SECRETARY, Role.LEADER}),
        "clipboard-check",
    ),
    NavItem("emulation:covenant-list", _("Covenants"), ALL_ROLES, "people-fill"),
    NavItem("units:unit-list", _("Units"), ALL_ROLES, "diagram-3"),
    NavItem("units:cluster-list", _("Clusters"), ALL_ROLES, "grid-3x2-gap"),
    NavItem(
        "units:staff-list",
        _("Staff"),
        frozenset({Role.UNIT_OFFICER, Role.COMMITTEE_SECRETARY, Role.LEADER}),
        "people",
    ),
]


def navigation_for(user, resolver_match: ResolverMatch | None) -> list[dict]:
    """Return the entries this user may open, marking the one the current page belongs to."""
    if not user.is_authenticated:
        return []
    roles = user_roles(user)
    current = resolver_match.view_name if resolver_match else ""
    items = []
    for item in NAVIGATION:
        if not (user.is_superuser or roles & item.roles):
            continue
        # "units:staff-list" is also the active entry on "units:staff-detail".
        family = item.url_name.rsplit("-", 1)[0] + "-" if "-" in item.url_name else None
        active = current == item.url_name or bool(family and current.startswith(family))
        items.append(
            {"url": reverse(item.url_name), "label": item.label, "icon": item.icon, "active": active}
        )
    return items

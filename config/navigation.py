"""The main navigation: one list, each entry naming the roles that may open it.

A feature adds its pages here. The context processor shows a user only the entries its roles
allow, so the menu never offers a page that would answer 403.
"""

import functools
from dataclasses import dataclass

from django.urls import ResolverMatch, get_script_prefix, get_urlconf, reverse
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
    group: str = ""  # empty: a top-level link; otherwise the key of a NAV_GROUPS menu


# The menus of the bar, in order, with their labels and icons.
NAV_GROUPS: dict[str, tuple[str | Promise, str]] = {
    "emulation": (_("Emulation"), "flag"),
    "awards": (_("Awards"), "award"),
    "organisation": (_("Organisation"), "diagram-3"),
}

SECRETARY_AND_LEADER = frozenset({Role.COMMITTEE_SECRETARY, Role.LEADER})

NAVIGATION: list[NavItem] = [
    NavItem("home", _("Overview"), ALL_ROLES, "house"),
    NavItem(
        "emulation:pledge-mine", _("Our pledge"), frozenset({Role.UNIT_OFFICER}), "pencil-square", "emulation"
    ),
    NavItem(
        "emulation:submission-mine",
        _("Our self-assessment"),
        frozenset({Role.UNIT_OFFICER}),
        "journal-check",
        "emulation",
    ),
    NavItem("emulation:pledge-list", _("Pledges"), SECRETARY_AND_LEADER, "clipboard-check", "emulation"),
    NavItem(
        "emulation:submission-list", _("Self-assessments"), SECRETARY_AND_LEADER, "journal-text", "emulation"
    ),
    NavItem(
        "emulation:scoring-queue",
        _("Scoring"),
        frozenset({Role.COMMITTEE_MEMBER}),
        "check2-square",
        "emulation",
    ),
    NavItem("emulation:covenant-list", _("Covenants"), ALL_ROLES, "people-fill", "emulation"),
    NavItem("emulation:ranking-list", _("Rankings"), ALL_ROLES, "trophy", "emulation"),
    NavItem("emulation:reminder-list", _("Reminders"), ALL_ROLES, "bell", "emulation"),
    NavItem("emulation:movement-list", _("Movement"), SECRETARY_AND_LEADER, "gear", "emulation"),
    NavItem("awards:dashboard", _("Awards overview"), SECRETARY_AND_LEADER, "bar-chart", "awards"),
    NavItem(
        "awards:eligibility-list",
        _("Eligibility"),
        SECRETARY_AND_LEADER | {Role.UNIT_OFFICER},
        "patch-check",
        "awards",
    ),
    NavItem(
        "awards:nomination-mine",
        _("Our nominations"),
        frozenset({Role.UNIT_OFFICER}),
        "file-earmark-person",
        "awards",
    ),
    NavItem("awards:nomination-list", _("Nominations"), SECRETARY_AND_LEADER, "card-checklist", "awards"),
    NavItem(
        "awards:session-list",
        _("Council"),
        frozenset({Role.COMMITTEE_SECRETARY, Role.COMMITTEE_MEMBER, Role.LEADER}),
        "people",
        "awards",
    ),
    NavItem("awards:decision-list", _("Decisions"), SECRETARY_AND_LEADER, "file-earmark-check", "awards"),
    NavItem("units:unit-list", _("Units"), ALL_ROLES, "diagram-3", "organisation"),
    NavItem("units:cluster-list", _("Clusters"), ALL_ROLES, "grid-3x2-gap", "organisation"),
    NavItem(
        "units:staff-list",
        _("Staff"),
        frozenset({Role.UNIT_OFFICER, Role.COMMITTEE_SECRETARY, Role.LEADER}),
        "people",
        "organisation",
    ),
]


def _is_active(item: NavItem, current: str) -> bool:
    # "units:staff-list" is also the active entry on "units:staff-detail".
    family = item.url_name.rsplit("-", 1)[0] + "-" if "-" in item.url_name else None
    return current == item.url_name or bool(family and current.startswith(family))


@functools.cache
def _url(url_name: str, script_prefix: str, urlconf: str | None) -> str:
    """A menu entry's address, reversed once per process and prefix (every page draws the menu)."""
    return reverse(url_name, urlconf=urlconf)


def navigation_for(user, resolver_match: ResolverMatch | None) -> list[dict]:
    """The bar for this user: top-level links and menus, each holding only what its roles allow.

    Returns dicts: a link {"url", "label", "icon", "active"} or a menu {"label", "icon",
    "active", "children": [links]}; a menu with no allowed entry is left out.
    """
    if not user.is_authenticated:
        return []
    roles = user_roles(user)
    current = resolver_match.view_name if resolver_match else ""
    entries: list[dict] = []
    menus: dict[str, dict] = {}
    for item in NAVIGATION:
        if not (user.is_superuser or roles & item.roles):
            continue
        link = {
            "url": _url(item.url_name, get_script_prefix(), get_urlconf()),
            "label": item.label,
            "icon": item.icon,
            "active": _is_active(item, current),
        }
        if not item.group:
            entries.append(link)
            continue
        menu = menus.get(item.group)
        if menu is None:
            label, icon = NAV_GROUPS[item.group]
            menu = menus[item.group] = {"label": label, "icon": icon, "active": False, "children": []}
            entries.append(menu)
        menu["children"].append(link)
        menu["active"] = menu["active"] or link["active"]
    return entries

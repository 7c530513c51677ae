"""Who may do what with units and staff: the one implementation every view and app uses.

`get_<obj>_for_user` answers 404 for objects outside the user's scope (no existence leak) and
PermissionDenied (403) when the user may read but not write.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from units.enums import STAFF_WIDE_ROLES, Role
from units.querysets import home_unit_of

_ROLE_CACHE_ATTR = "_units_roles"


def user_roles(user) -> frozenset[str]:
    """Return the role names (group names) of a user, cached on the user object per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ROLE_CACHE_ATTR, None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = frozenset(names)
        setattr(user, _ROLE_CACHE_ATTR, cached)
    return cached


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of the given roles (a superuser holds every role)."""
    return user.is_authenticated and (user.is_superuser or bool(user_roles(user) & set(roles)))


def is_secretary(user) -> bool:
    return has_role(user, Role.COMMITTEE_SECRETARY)


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not has_role(user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))


def can_list_staff(user) -> bool:
    """Staff records (personal data) are for the secretary, leaders and unit officers."""
    return has_role(user, *STAFF_WIDE_ROLES, Role.UNIT_OFFICER)


def get_unit_for_user(user, pk, *, write: bool = False):
    """Fetch a unit the user may see; writing (reference data) is for the secretary only."""
    from units.models import Unit  # noqa: PLC0415 - models import the querysets that import this module

    unit = Unit.objects.visible_to(user).select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise Http404(_("No such unit."))
    if write and not is_secretary(user):
        raise PermissionDenied(_("Only the committee secretary can change units."))
    return unit


def openable_unit_ids(user, unit_ids: Iterable[int]) -> set[int]:
    """Of these units, the ids whose page the user may open, in one query.

    Pages that list units of other scopes (a cluster's members) link only these and show the
    others as plain text, so nobody is offered a page that answers 404.
    """
    from units.models import Unit  # noqa: PLC0415 - see get_unit_for_user

    return set(Unit.objects.visible_to(user).filter(pk__in=set(unit_ids)).values_list("pk", flat=True))


def can_edit_staff(user, staff) -> bool:
    """The secretary edits any staff record; a unit officer those of its own subtree."""
    if is_secretary(user):
        return True
    home = home_unit_of(user)
    return (
        has_role(user, Role.UNIT_OFFICER)
        and home is not None
        and staff.unit is not None
        and staff.unit.path.startswith(home.path)
    )


def get_staff_for_user(user, pk, *, write: bool = False):
    """Fetch a staff record the user may see; 403 when it may only read it."""
    from units.models import Staff  # noqa: PLC0415 - see get_unit_for_user

    staff = Staff.objects.visible_to(user).select_related("unit", "user").filter(pk=pk).first()
    if staff is None:
        raise Http404(_("No such staff member."))
    if write and not can_edit_staff(user, staff):
        raise PermissionDenied(_("You cannot change this staff record."))
    return staff


def has_conflict_of_interest(user, unit) -> bool:
    """A member is in conflict with its own unit, the units above it and the units below it."""
    home = home_unit_of(user)
    if home is None:
        return False
    return unit.path.startswith(home.path) or home.path.startswith(unit.path)

"""Who may do what in the emulation app; built on units.permissions, never beside it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from emulation.models import Pledge
from units.enums import Role
from units.permissions import has_role, is_secretary
from units.querysets import home_unit_of


def is_unit_officer_of(user, unit) -> bool:
    """True for a unit officer whose home unit is this unit or one above it."""
    home = home_unit_of(user)
    return has_role(user, Role.UNIT_OFFICER) and home is not None and unit.path.startswith(home.path)


def get_pledge_for_user(user, pk, *, write: bool = False) -> Pledge:
    """Fetch a pledge in the user's scope (404 otherwise); writing is for the unit's own officer."""
    pledge = Pledge.objects.visible_to(user).with_unit().filter(pk=pk).first()
    if pledge is None:
        raise Http404(_("No such pledge."))
    if write and not is_unit_officer_of(user, pledge.unit):
        raise PermissionDenied(_("Only the unit's emulation officer can change its pledge."))
    return pledge


def require_secretary(user) -> None:
    if not is_secretary(user):
        raise PermissionDenied(_("Only the committee secretary can do this."))


def can_review_pledges(user) -> bool:
    """The review list is for the secretary and for leaders (read-only)."""
    return has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER)

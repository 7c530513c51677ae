"""Enumerations of the units app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN.md section 2, each a Django group of the same name.

    The fifth role, the administrator, is Django's superuser flag rather than a group.
    """

    UNIT_OFFICER = "unit_officer", _("Unit emulation officer")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    COMMITTEE_SECRETARY = "committee_secretary", _("Committee secretary")
    LEADER = "leader", _("Leader")

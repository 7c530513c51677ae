"""Enumerations of the units app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """The roles of docs/design.md section 2, each a Django group of the same name.

    The fifth role, the administrator, is Django's superuser flag rather than a group.
    """

    UNIT_OFFICER = "unit_officer", _("Unit emulation officer")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    COMMITTEE_SECRETARY = "committee_secretary", _("Committee secretary")
    LEADER = "leader", _("Leader")


# Roles that see every unit of the movement (read access).
MOVEMENT_WIDE_ROLES = frozenset({Role.COMMITTEE_SECRETARY, Role.LEADER, Role.COMMITTEE_MEMBER})
# Roles that see every staff record (personal data: gender, Party membership).
STAFF_WIDE_ROLES = frozenset({Role.COMMITTEE_SECRETARY, Role.LEADER})


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department headquarters")
    HQ_UNIT = "hq_unit", _("Headquarters unit")
    REGIONAL_BRANCH = "branch", _("Regional branch")
    OFFICE = "office", _("Office or team")
    BORDER_OFFICE = "border_office", _("Border-gate office")


class ClusterKind(models.TextChoices):
    AREA = "area", pgettext_lazy("cluster kind", "Cluster (by area)")
    FUNCTION = "function", pgettext_lazy("cluster kind", "Block (by function)")


class ClusterRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEADER = "leader", pgettext_lazy("cluster role", "Cluster leader")
    DEPUTY = "deputy", pgettext_lazy("cluster role", "Cluster deputy")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Position(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    HEAD = "head", _("Head of unit")
    DEPUTY_HEAD = "deputy_head", _("Deputy head of unit")
    OFFICER = "officer", _("Civil servant")
    EMPLOYEE = "employee", _("Employee")


LEADERSHIP_POSITIONS = frozenset(
    {Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.HEAD, Position.DEPUTY_HEAD}
)

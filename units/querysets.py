"""Reusable reads of the units app: the tree, validity, scoping."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from units.enums import MOVEMENT_WIDE_ROLES, STAFF_WIDE_ROLES
from units.text import fold

if TYPE_CHECKING:
    from units.models import Unit


def _roles(user) -> frozenset[str]:
    from units.permissions import user_roles  # noqa: PLC0415 - permissions imports the models

    return user_roles(user)


def home_unit_of(user) -> Unit | None:
    """The unit of the staff record linked to this user, or None (cached on the user object)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_units_home_unit"):
        from units.models import Staff  # noqa: PLC0415 - the models import this module

        staff = Staff.objects.filter(user=user).select_related("unit").first()
        user._units_home_unit = staff.unit if staff is not None else None
    return user._units_home_unit


def _unit_scope(user) -> tuple[bool, Unit | None]:
    """(sees every unit, home unit): the one reading of a user's unit scope."""
    if not user.is_authenticated:
        return False, None
    if user.is_superuser or _roles(user) & MOVEMENT_WIDE_ROLES:
        return True, None
    return False, home_unit_of(user)


def _filter_words(queryset, query: str, field: str = "search_text"):
    for word in fold(query).split()[:8]:
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


class UnitQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> UnitQuerySet:
        """Units valid on the given day (today by default)."""
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def subtree(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it (one indexed prefix match on the path)."""
        return self.filter(path__startswith=unit.path)

    def descendants(self, unit: Unit) -> UnitQuerySet:
        return self.subtree(unit).exclude(pk=unit.pk)

    def ancestors(self, unit: Unit) -> UnitQuerySet:
        return self.filter(pk__in=unit.ancestor_ids)

    def related_to(self, unit: Unit) -> UnitQuerySet:
        """The unit, its ancestors and its descendants: the conflict-of-interest set."""
        return self.filter(Q(path__startswith=unit.path) | Q(pk__in=unit.ancestor_ids))

    def search(self, query: str) -> UnitQuerySet:
        """Units whose code, name or short name hold every word of the query, accents ignored."""
        return _filter_words(self, query)

    def visible_to(self, user) -> UnitQuerySet:
        """Units the user may read: everything for movement-wide roles, else its own subtree."""
        sees_all, home = _unit_scope(user)
        if sees_all:
            return self
        if home is None:
            return self.none()
        return self.subtree(home)

    def scope_roots(self, user) -> UnitQuerySet:
        """The top of what the user may read: the units without a parent for movement-wide roles,
        the user's own unit otherwise (the same branches as `visible_to`)."""
        sees_all, home = _unit_scope(user)
        if sees_all:
            return self.filter(parent__isnull=True)
        if home is None:
            return self.none()
        return self.filter(pk=home.pk)

    def with_child_counts(self, *, include_inactive: bool = False) -> UnitQuerySet:
        """Annotate `child_count`: the units directly below each one (active ones unless asked).

        A correlated count per row on the indexed parent column: a page of 50 units costs 50 small
        index lookups, never a pass over the whole table."""
        from units.models import Unit  # noqa: PLC0415 - the models import this module

        children = Unit.objects.filter(parent=models.OuterRef("pk"))
        if not include_inactive:
            children = children.active()
        counted = children.order_by().values("parent").annotate(n=models.Count("pk")).values("n")
        return self.annotate(child_count=Coalesce(models.Subquery(counted), 0))


class StaffQuerySet(models.QuerySet):
    def search(self, query: str) -> StaffQuerySet:
        """Staff whose code or name hold every word of the query, accents ignored."""
        return _filter_words(self, query)

    def in_units_matching(self, query: str) -> StaffQuerySet:
        """Staff whose own unit's code, name or short name hold every word, accents ignored."""
        return _filter_words(self, query, "unit__search_text")

    def visible_to(self, user) -> StaffQuerySet:
        """Staff the user may read: all for the secretary and leaders, else its unit's subtree."""
        if not user.is_authenticated:
            return self.none()
        roles = _roles(user)
        if user.is_superuser or roles & STAFF_WIDE_ROLES:
            return self
        home = home_unit_of(user)
        if home is None or "unit_officer" not in roles:
            return self.none()
        return self.filter(unit__path__startswith=home.path)

    def with_unit(self) -> StaffQuerySet:
        return self.select_related("unit")


class ClusterQuerySet(models.QuerySet):
    def for_year(self, year: int) -> ClusterQuerySet:
        return self.filter(year=year)

    def with_members(self) -> ClusterQuerySet:
        """Prefetch memberships with their units, leader and deputy first, then by unit code."""
        from units.models import ClusterMembership  # noqa: PLC0415 - models import this module

        role_order = models.Case(
            models.When(role="leader", then=0), models.When(role="deputy", then=1), default=2
        )
        memberships = (
            ClusterMembership.objects.select_related("unit")
            .annotate(role_order=role_order)
            .order_by("role_order", "unit__code")
        )
        return self.prefetch_related(models.Prefetch("memberships", queryset=memberships))


class AuditEntryQuerySet(models.QuerySet):
    def for_record(self, record) -> AuditEntryQuerySet:
        """The trail of one record, newest first, with the actors."""
        from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415 - app registry ready

        return (
            self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
            .select_related("actor")
            .order_by("-at", "-pk")
        )

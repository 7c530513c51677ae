"""Write-side use cases of the units app. Each runs in one transaction."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from units.enums import ClusterRole, UnitKind
from units.models import Assignment, AuditEntry, Cluster, ClusterMembership, Staff, Unit, UnitLineage


class UnitsError(Exception):
    """A business rule of the units app was broken; the message is for the user."""


@transaction.atomic
def move_unit(unit: Unit, *, new_parent: Unit | None) -> Unit:
    """Place a unit (and its whole subtree) under another parent, rewriting the tree paths."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise UnitsError(_("A unit cannot be placed below one of its own sub-units."))
    old_path = unit.path
    unit.parent = new_parent
    unit.save()
    for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
        descendant.save()  # recomputes path and depth from the (already moved) parent
    return unit


@transaction.atomic
def assign_staff(staff: Staff, *, unit: Unit, start_date: datetime.date) -> Assignment:
    """Post a staff member to a unit from a date: closes the open assignment, opens a new one."""
    current = Assignment.objects.select_for_update().filter(staff=staff, end_date__isnull=True).first()
    if current is not None:
        if current.unit_id == unit.pk:
            return current
        if start_date <= current.start_date:
            raise UnitsError(
                _("The new posting must start after the current one (%(date)s).")
                % {"date": current.start_date.strftime("%d/%m/%Y")}
            )
        current.end_date = start_date - datetime.timedelta(days=1)
        current.save(update_fields=["end_date"])
    assignment = Assignment.objects.create(staff=staff, unit=unit, start_date=start_date)
    staff.unit = unit
    staff.save(update_fields=["unit"])
    return assignment


@transaction.atomic
def record_lineage(
    successor: Unit, *, predecessors: list[Unit], effective_on: datetime.date, note: str = ""
) -> list[UnitLineage]:
    """Record a merge or split: each predecessor closes the day before and the successor continues it."""
    links = []
    for predecessor in predecessors:
        if predecessor.pk == successor.pk:
            raise UnitsError(_("A unit cannot succeed itself."))
        link, _created = UnitLineage.objects.get_or_create(
            predecessor=predecessor,
            successor=successor,
            defaults={"effective_on": effective_on, "note": note},
        )
        closing = effective_on - datetime.timedelta(days=1)
        if predecessor.valid_to is None or predecessor.valid_to > closing:
            predecessor.valid_to = closing
            predecessor.save(update_fields=["valid_to"])
        links.append(link)
    return links


def cluster_year_problems(year: int) -> list[str]:
    """What is wrong with the clusters of a year, in words for the secretary (empty when sound).

    Checks that each cluster has exactly one leader and one deputy, and that every active
    regional branch and headquarters unit is in a cluster. The database already forbids a second
    leader, a second deputy and a unit in two clusters of the same year.
    """
    problems = []
    clusters = Cluster.objects.for_year(year).annotate(
        leaders=Count("memberships", filter=Q(memberships__role=ClusterRole.LEADER)),
        deputies=Count("memberships", filter=Q(memberships__role=ClusterRole.DEPUTY)),
    )
    for cluster in clusters:
        if cluster.leaders != 1:
            problems.append(_("%(cluster)s has no leader unit.") % {"cluster": cluster.name})
        if cluster.deputies != 1:
            problems.append(_("%(cluster)s has no deputy unit.") % {"cluster": cluster.name})
    unclustered = (
        Unit.objects.active(datetime.date(year, 12, 31))
        .filter(kind__in=[UnitKind.REGIONAL_BRANCH, UnitKind.HQ_UNIT])
        .exclude(cluster_memberships__year=year)
        # A unit already merged into a successor is history, not a unit to rank.
        .exclude(successor_links__isnull=False)
        .order_by("code")
        .values_list("name", flat=True)
    )
    if clusters and unclustered:
        problems.append(
            _("Not in any cluster in %(year)s: %(units)s.") % {"year": year, "units": ", ".join(unclustered)}
        )
    return problems


@transaction.atomic
def set_cluster_roles(cluster: Cluster, *, leader: Unit, deputy: Unit) -> Cluster:
    """Make one member the cluster's leader and another its deputy for the cluster's year."""
    if leader.pk == deputy.pk:
        raise UnitsError(_("The leader and the deputy must be different units."))
    memberships = {
        m.unit_id: m for m in ClusterMembership.objects.select_for_update().filter(cluster=cluster)
    }
    for unit in (leader, deputy):
        if unit.pk not in memberships:
            raise UnitsError(
                _("%(unit)s is not a member of %(cluster)s.") % {"unit": unit, "cluster": cluster.name}
            )
    ClusterMembership.objects.filter(cluster=cluster).exclude(role=ClusterRole.MEMBER).update(
        role=ClusterRole.MEMBER
    )
    ClusterMembership.objects.filter(pk=memberships[leader.pk].pk).update(role=ClusterRole.LEADER)
    ClusterMembership.objects.filter(pk=memberships[deputy.pk].pk).update(role=ClusterRole.DEPUTY)
    return cluster


def record_audit(
    record,
    *,
    action: str,
    actor=None,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append an entry to the audit trail of `record`; call it inside the change's transaction."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
        object_id=record.pk,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        before=before or {},
        after=after or {},
    )

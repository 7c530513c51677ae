"""Write-side use cases of the units app. Each runs in one transaction."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from units.enums import ClusterRole, UnitKind
from units.models import Assignment, AuditEntry, Cluster, ClusterMembership, Staff, Unit, UnitLineage


class UnitsError(Exception):
    """A business rule of the units app was broken; the message is for the user."""


@transaction.atomic
def move_unit(unit: Unit, *, new_parent: Unit | None) -> Unit:
    """Place a unit (and its whole subtree) under another parent, rewriting the tree paths.

    Saves the unit (with any other field changed on it) and rewrites the path and depth of every
    unit below it in one UPDATE: the old path prefix replaced by the new one. The caller records
    the audit entry (the import and the admin do).
    """
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise UnitsError(_("A unit cannot be placed below one of its own sub-units."))
    old_path, old_depth = Unit.objects.filter(pk=unit.pk).values_list("path", "depth").get()
    unit.parent = new_parent
    unit.save()
    Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
        path=Concat(Value(unit.path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + (unit.depth - old_depth),
    )
    return unit


def posting_problem(staff: Staff, *, start_date: datetime.date) -> str | None:
    """Why a new posting from that day cannot be made (None when it can): the rule of `assign_staff`."""
    current = Assignment.objects.filter(staff=staff, end_date__isnull=True).first() if staff.pk else None
    if current is not None and start_date <= current.start_date:
        return _("The new posting must start after the current one (%(date)s).") % {
            "date": current.start_date.strftime("%d/%m/%Y")
        }
    return None


@transaction.atomic
def assign_staff(staff: Staff, *, unit: Unit, start_date: datetime.date) -> Assignment:
    """Post a staff member to a unit from a date: closes the open assignment, opens a new one."""
    current = Assignment.objects.select_for_update().filter(staff=staff, end_date__isnull=True).first()
    if current is not None:
        if current.unit_id == unit.pk:
            return current
        problem = posting_problem(staff, start_date=start_date)
        if problem:
            raise UnitsError(problem)
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

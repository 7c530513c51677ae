"""Read pipelines of the units app used by several pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from units.models import ClusterMembership, Unit


@dataclass
class TreeNode:
    unit: Unit
    children: list[TreeNode] = field(default_factory=list)
    staff_count: int = 0

    @property
    def subtree_staff_count(self) -> int:
        return self.staff_count + sum(child.subtree_staff_count for child in self.children)


def unit_tree(user, *, include_inactive: bool = False) -> list[TreeNode]:
    """The units the user may see, as a forest, in two queries whatever the size.

    Roots are the units whose parent the user cannot see (the department for movement-wide
    roles, the officer's own unit otherwise). Inactive units are left out unless asked for.
    """
    units = Unit.objects.visible_to(user).annotate(staff_total=Count("staff")).order_by("path")
    if not include_inactive:
        units = units.active()
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for unit in units.only(
        "pk",
        "code",
        "name",
        "short_name",
        "kind",
        "parent_id",
        "path",
        "depth",
        "search_text",
        "valid_from",
        "valid_to",
        "is_legal_entity",
    ):
        node = TreeNode(unit=unit, staff_count=unit.staff_total)
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id)
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (child.unit.code, child.unit.pk))
    roots.sort(key=lambda root: (root.unit.code, root.unit.pk))
    return roots


def current_year() -> int:
    return timezone.localdate().year


def memberships_of(unit: Unit) -> list[ClusterMembership]:
    """The unit's cluster memberships over the years, newest first."""
    return list(ClusterMembership.objects.filter(unit=unit).select_related("cluster").order_by("-year"))

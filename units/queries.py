"""Read pipelines of the units app used by several pages."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from core.paging import CappedPage, capped_page
from units.models import ClusterMembership, Unit
from units.querysets import UnitQuerySet

TREE_PAGE_SIZE = 50  # units shown per level of the tree and per page of search results

_TREE_FIELDS = (
    "pk",
    "code",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "valid_from",
    "valid_to",
)


def tree_units(units: UnitQuerySet, *, include_inactive: bool = False) -> UnitQuerySet:
    """These units (active ones unless asked) with their child counts, as the tree shows them."""
    if not include_inactive:
        units = units.active()
    return units.with_child_counts(include_inactive=include_inactive).only(*_TREE_FIELDS)


def tree_roots(user, raw_page: str | None, *, include_inactive: bool = False) -> CappedPage:
    """One page of the top of the user's tree (the department, or the officer's own unit)."""
    roots = tree_units(Unit.objects.scope_roots(user), include_inactive=include_inactive)
    return capped_page(roots.order_by("code", "pk"), raw_page, size=TREE_PAGE_SIZE)


def tree_level(user, parent: Unit, raw_page: str | None, *, include_inactive: bool = False) -> CappedPage:
    """One page of the units directly below `parent`, by code, each with its own child count.

    The caller has fetched `parent` through `get_unit_for_user`, so it is in the user's scope and
    so is every unit below it."""
    children = tree_units(
        Unit.objects.visible_to(user).filter(parent=parent), include_inactive=include_inactive
    )
    return capped_page(children.order_by("code", "pk"), raw_page, size=TREE_PAGE_SIZE)


def unit_search_page(user, query: str, raw_page: str | None, *, include_inactive: bool = False) -> CappedPage:
    """One page of the units matching `query` (accents ignored), by code, each with its `trail`:
    the names of the units above it that the user may read, top first."""
    matches = Unit.objects.visible_to(user).search(query)
    if not include_inactive:
        matches = matches.active()
    page = capped_page(matches.only(*_TREE_FIELDS).order_by("code", "pk"), raw_page, size=TREE_PAGE_SIZE)
    attach_trails(user, page.object_list)
    return page


def attach_trails(user, units: Sequence[Unit]) -> None:
    """Set `unit.trail` to the names of the readable units above each unit, in one query."""
    above = {pk for unit in units for pk in unit.ancestor_ids}
    names = (
        dict(Unit.objects.visible_to(user).filter(pk__in=above).values_list("pk", "name")) if above else {}
    )
    for unit in units:
        # A display attribute for the template, like an annotation (not a model field).
        setattr(unit, "trail", [names[pk] for pk in unit.ancestor_ids if pk in names])  # noqa: B010


UNIT_SUGGESTIONS = 20  # units offered by the search-as-you-type unit field


def unit_suggestions(user, text: str) -> tuple[list[Unit], bool]:
    """Up to UNIT_SUGGESTIONS units the user may read matching `text` (code or name, accents
    ignored), by code, and whether more match; one query, whatever the number of units."""
    if not text.strip():
        return [], False
    found = list(
        Unit.objects.visible_to(user)
        .search(text)
        .only("pk", "code", "name", "valid_from", "valid_to", "kind")
        .order_by("code", "pk")[: UNIT_SUGGESTIONS + 1]
    )
    return found[:UNIT_SUGGESTIONS], len(found) > UNIT_SUGGESTIONS


def current_year() -> int:
    return timezone.localdate().year


def memberships_of(unit: Unit) -> list[ClusterMembership]:
    """The unit's cluster memberships over the years, newest first."""
    return list(ClusterMembership.objects.filter(unit=unit).select_related("cluster").order_by("-year"))

"""Helpers shared by the dashboard's read pipelines: rounding, shares, the period switcher."""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emulation.models import Period, RankingEntry, TaskArea
from emulation.services.rankings import preferred_kind_first

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
# Units shown per cluster on the dashboard; the ranking page has the full table.
TOP_ENTRIES = 5
# Rendered fragments of immutable snapshots: kept a day, rebuilt in one query when gone.
FRAGMENT_CACHE_SECONDS = 24 * 3600


def to_decimal(value, places: Decimal = CENT) -> Decimal | None:
    """A database number (Decimal, float on SQLite, or None) rounded for display."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal place (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def chart_number(value: Decimal | None) -> float | None:
    """Chart.js wants JSON numbers; the tables keep the exact Decimal."""
    return None if value is None else float(value)


def area_label(number: int) -> str:
    return _("TA%(number)s") % {"number": number}


# --- The period switcher ------------------------------------------------------------------------


def default_period(periods: list[Period], today: datetime.date) -> Period | None:
    """The period the dashboard opens on: the latest one whose pledging has opened, else the latest."""
    return next((p for p in periods if p.pledging_opens <= today), periods[0] if periods else None)


def chosen_period(periods: list[Period], wanted: str, today: datetime.date) -> Period | None:
    """The period asked for (?period=<pk>) when it exists, else the default one."""
    return next((p for p in periods if str(p.pk) == wanted), None) or default_period(periods, today)


def task_areas(period: Period) -> list[TaskArea]:
    return list(TaskArea.objects.filter(movement_id=period.movement_id).order_by("number"))


def with_area_list(entries: Iterable[RankingEntry], areas: list[TaskArea]) -> None:
    """Give each entry its points in task-area order (templates cannot index a dict by a variable)."""
    for entry in entries:
        entry.area_list = [to_decimal(entry.area_points.get(str(area.number))) for area in areas]


def preferred_rows(rows, periods: dict[int, Period], key: Callable) -> dict:
    """From rows of both kinds (final, provisional), keep per key the period's preferred kind."""
    chosen: dict = {}
    for row in rows:
        period = periods[row["snapshot__period_id"]]
        order = preferred_kind_first(period).index(row["snapshot__is_provisional"])
        held = chosen.get(key(row))
        if held is None or order < held[0]:
            chosen[key(row)] = (order, row)
    return {name: row for name, (_order, row) in chosen.items()}


def movement_periods(periods: list[Period], period: Period) -> list[Period]:
    """The periods of the same movement, oldest first (the trend's years)."""
    return sorted((p for p in periods if p.movement_id == period.movement_id), key=lambda p: p.year)


# --- Rendered sections, cached under a digest of what they show ----------------------------------


@functools.cache
def _template_digest(template_name: str) -> str:
    """The template's own source, hashed: a changed template (a deploy) never serves old HTML."""
    source = get_template(template_name).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _fragment_key(template_name: str, material) -> str:
    digest = hashlib.sha256(repr(material).encode()).hexdigest()[:32]
    return f"section:{template_name}:{_template_digest(template_name)}:{get_language()}:{digest}"


class CachedSection:
    """A section's HTML: from the cache, or rendered when the page shows it and then cached.

    Rendering waits until the page's template writes the section out, so the page's own template
    is the first one rendered (as without the cache); the context is built before, in the view.
    """

    def __init__(self, key: str, template_name: str, context: dict | None, html: str | None) -> None:
        self.key, self.template_name, self.context, self.html = key, template_name, context, html

    def __html__(self) -> SafeString:
        if self.html is None:
            self.html = render_to_string(self.template_name, self.context)
            cache.set(self.key, self.html, FRAGMENT_CACHE_SECONDS)
        # Our own template's output, cached by us: safe to show as it is.
        return mark_safe(self.html)

    __str__ = __html__


def cached_sections(
    sections: dict[str, tuple[str, dict | Callable[[], dict], object]],
) -> dict[str, CachedSection]:
    """Each section `name: (template, context, material)`, from the cache or rendered when shown.

    `material` is everything the template shows, as plain values (numbers, strings, dates,
    dataclasses of those; never a model instance, whose repr leaves fields out): the section is
    cached under a digest of its repr, the template's source and the language. Equal data gives
    the same HTML, so nothing needs invalidating: changed data is a new key, old keys expire. The
    data itself is still read on every request (a few aggregate queries); what this saves is the
    rendering of a few hundred table cells (make bench: most of the dashboard's time at 10x).
    `context` is the template's context, or a function that returns it (called on a cache miss
    only, when building the context costs queries of its own).
    """
    keys = {
        name: _fragment_key(template, material) for name, (template, _context, material) in sections.items()
    }
    found = cache.get_many(list(keys.values()))
    shown: dict[str, CachedSection] = {}
    for name, (template, context, _material) in sections.items():
        html = found.get(keys[name])
        if html is None and callable(context):
            context = context()
        shown[name] = CachedSection(keys[name], template, None if html is not None else context, html)
    return shown

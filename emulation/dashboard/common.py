"""Helpers shared by the dashboard's read pipelines: rounding, shares, the period switcher."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from emulation.models import Period, RankingEntry, TaskArea
from emulation.services.rankings import preferred_kind_first

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
# Units shown per cluster on the dashboard; the ranking page has the full table.
TOP_ENTRIES = 5


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

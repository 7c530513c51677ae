"""Panels other apps add to the unit and staff pages, without units importing those apps.

An app registers, in its AppConfig.ready(), a template and a function that returns the
template's context for one unit (or staff member) and the viewing user. The units pages render
every registered panel in order. This keeps the dependency direction (units <- emulation <-
awards) while the unit page can still show, say, the unit's award history.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (subject, user) -> dict, or None to hide the panel
    order: int = 100


_PANELS: dict[str, list[Panel]] = {"unit": [], "staff": []}


def register_panel(kind: str, panel: Panel) -> None:
    """kind is "unit" or "staff"."""
    _PANELS[kind].append(panel)
    _PANELS[kind].sort(key=lambda item: item.order)


def panels_for(kind: str, subject, user) -> list[tuple[str, dict]]:
    """(template, context) of every panel that has something to show for this subject and user."""
    result = []
    for panel in _PANELS[kind]:
        context = panel.context(subject, user)
        if context is not None:
            result.append((panel.template, context))
    return result

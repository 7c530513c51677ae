"""Readable names of audit actions. Each app registers its own in AppConfig.ready()."""

from collections.abc import Mapping

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


def register_actions(labels: Mapping[str, str | Promise]) -> None:
    _LABELS.update(labels)


def action_label(action: str) -> str | Promise:
    return _LABELS.get(action, action)

"""The committee secretary's settings of a period's scoring.

Assigning scorers, adjustments, finalisation and reopening live in `emulation.services.scoring`;
this module holds the settings that decide how the members' scores are combined.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from emulation.models import Period
from emulation.services.errors import ClosedForChangesError
from units.services import record_audit

SCORING_SETTINGS_FIELDS = ("aggregation", "normalise_scores", "scorers_per_submission")


@transaction.atomic
def update_scoring_settings(
    period: Period,
    *,
    actor,
    aggregation: str,
    normalise_scores: bool,
    scorers_per_submission: int,
) -> bool:
    """Change how the period's scores are combined; records "period.scoring_settings".

    Returns False when nothing changed (no audit entry then). Raises ClosedForChangesError once
    the period is finalised: its results were fixed with the settings in force at the time.
    The period row is locked so that a concurrent finalisation waits for this change or wins.
    """
    stored = Period.objects.select_for_update().get(pk=period.pk)
    if stored.is_finalised:
        raise ClosedForChangesError(
            _("The period %(year)s is finalised; reopen it before changing how scores are combined.")
            % {"year": stored.year}
        )
    wanted = {
        "aggregation": aggregation,
        "normalise_scores": bool(normalise_scores),
        "scorers_per_submission": int(scorers_per_submission),
    }
    before, after = {}, {}
    for name in SCORING_SETTINGS_FIELDS:
        if getattr(stored, name) != wanted[name]:
            before[name], after[name] = getattr(stored, name), wanted[name]
    for name, value in wanted.items():
        setattr(period, name, value)
    if not after:
        return False
    Period.objects.filter(pk=period.pk).update(**after)
    record_audit(period, action="period.scoring_settings", actor=actor, before=before, after=after)
    return True

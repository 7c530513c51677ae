"""Write-side use cases of the emulation app: pledges and their workflow.

Every state change is recorded in the audit trail (units.services.record_audit) inside the same
transaction. Services assume validated input (forms validate) and raise EmulationError subclasses
for broken business rules, with a message for the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from emulation.enums import COLLECTIVE_TITLES, PLEDGE_EDITABLE_STATES, PledgeState
from emulation.models import (
    ClusterCovenant,
    CovenantConfirmation,
    Criterion,
    IndividualRegistration,
    Period,
    Pledge,
    PledgeTarget,
)
from emulation.services.errors import ClosedForChangesError, EmulationError, StaleVersionError
from units.models import Staff, Unit
from units.services import record_audit

REOPEN_DAYS_AFTER_LATE_RETURN = 7


@dataclass(frozen=True)
class TargetInput:
    value: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class RegistrationInput:
    staff: Staff
    title: str
    planned_initiative: str = ""


def criteria_of(period: Period):
    return Criterion.objects.filter(task_area__movement_id=period.movement_id).select_related("task_area")


@transaction.atomic
def start_pledge(unit: Unit, period: Period, *, actor) -> Pledge:
    """Return the unit's pledge for the period, creating a draft with one empty target per criterion."""
    pledge, created = Pledge.objects.get_or_create(unit=unit, period=period)
    if created:
        PledgeTarget.objects.bulk_create(
            PledgeTarget(pledge=pledge, criterion=criterion) for criterion in criteria_of(period)
        )
        record_audit(pledge, action="pledge.created", actor=actor)
    return pledge


def _ensure_open(pledge: Pledge, today: datetime.date) -> None:
    if pledge.state not in PLEDGE_EDITABLE_STATES:
        raise ClosedForChangesError(
            _("This pledge is %(state)s and can no longer be changed.")
            % {"state": pledge.get_state_display()}
        )
    if not pledge.is_open_for_changes_on(today):
        raise ClosedForChangesError(
            _(
                "The pledging deadline (%(date)s) has passed. Ask the committee secretary to reopen the pledge."
            )
            % {"date": pledge.period.pledging_closes.strftime("%d/%m/%Y")}
        )


def _bump_version(pledge: Pledge, expected_version: int) -> None:
    """Advance the version only if nobody saved in between (compare-and-set in one UPDATE)."""
    updated = Pledge.objects.filter(pk=pledge.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleVersionError(
            _("Someone else saved this pledge after you opened it. Reload the page to see their changes.")
        )
    pledge.version = expected_version + 1


@transaction.atomic
def save_pledge(
    pledge: Pledge,
    *,
    actor,
    version: int,
    collective_title: str,
    targets: dict[int, TargetInput],
    registrations: list[RegistrationInput],
    today: datetime.date | None = None,
) -> Pledge:
    """Save a draft: the title aimed for, targets by criterion id, and the full list of registrations.

    Raises StaleVersionError when the pledge changed since `version` was read, and
    ClosedForChangesError after the deadline or once submitted. Records an audit entry with the
    targets that changed.
    """
    pledge = Pledge.objects.select_for_update().select_related("period").get(pk=pledge.pk)
    _ensure_open(pledge, today or timezone.localdate())
    _bump_version(pledge, version)

    before: dict[str, Any] = {"collective_title": pledge.collective_title}
    after: dict[str, Any] = {"collective_title": collective_title}
    existing = {target.criterion_id: target for target in pledge.targets.select_related("criterion")}
    changed_targets = []
    for criterion_id, entry in targets.items():
        target = existing.get(criterion_id)
        if target is None:
            continue
        if target.value != entry.value or target.note != entry.note:
            before[target.criterion.code] = None if target.value is None else str(target.value)
            after[target.criterion.code] = None if entry.value is None else str(entry.value)
            target.value, target.note = entry.value, entry.note
            changed_targets.append(target)
    PledgeTarget.objects.bulk_update(changed_targets, ["value", "note"])

    pledge.registrations.all().delete()
    IndividualRegistration.objects.bulk_create(
        IndividualRegistration(
            pledge=pledge, staff=entry.staff, title=entry.title, planned_initiative=entry.planned_initiative
        )
        for entry in registrations
    )
    after["registrations"] = len(registrations)
    pledge.collective_title = collective_title
    pledge.save(update_fields=["collective_title", "updated_at"])
    record_audit(pledge, action="pledge.saved", actor=actor, before=before, after=after)
    return pledge


def pledge_gaps(pledge: Pledge) -> list[str]:
    """What is missing before the pledge can be submitted, in words for the unit officer."""
    gaps = []
    if not pledge.collective_title:
        gaps.append(_("Choose the collective title the unit aims for."))
    elif pledge.collective_title not in COLLECTIVE_TITLES:
        gaps.append(_("The title aimed for by the unit must be a collective title."))
    missing = (
        pledge.targets.filter(value__isnull=True)
        .select_related("criterion")
        .order_by("criterion__task_area__number", "criterion__order")
    )
    gaps.extend(
        _("Enter a target for criterion %(code)s (%(title)s).")
        % {"code": target.criterion.code, "title": target.criterion.title}
        for target in missing
    )
    return gaps


@transaction.atomic
def submit_pledge(pledge: Pledge, *, actor, today: datetime.date | None = None) -> Pledge:
    """Submit a complete draft or returned pledge to the committee; records who and when."""
    pledge = Pledge.objects.select_for_update().select_related("period").get(pk=pledge.pk)
    _ensure_open(pledge, today or timezone.localdate())
    gaps = pledge_gaps(pledge)
    if gaps:
        raise EmulationError(" ".join(gaps))
    previous = pledge.state
    pledge.state = PledgeState.SUBMITTED
    pledge.submitted_at = timezone.now()
    pledge.submitted_by = actor
    pledge.reopened_until = None
    pledge.version += 1
    pledge.save(
        update_fields=["state", "submitted_at", "submitted_by", "reopened_until", "version", "updated_at"]
    )
    record_audit(
        pledge,
        action="pledge.submitted",
        actor=actor,
        before={"state": previous},
        after={"state": pledge.state},
    )
    return pledge


@transaction.atomic
def accept_pledge(pledge: Pledge, *, actor) -> Pledge:
    """The secretary accepts a submitted pledge."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.state != PledgeState.SUBMITTED:
        raise EmulationError(_("Only a submitted pledge can be accepted."))
    pledge.state = PledgeState.ACCEPTED
    pledge.reviewed_at = timezone.now()
    pledge.return_reason = ""
    pledge.version += 1
    pledge.save(update_fields=["state", "reviewed_at", "return_reason", "version", "updated_at"])
    record_audit(
        pledge,
        action="pledge.accepted",
        actor=actor,
        before={"state": PledgeState.SUBMITTED},
        after={"state": pledge.state},
    )
    return pledge


@transaction.atomic
def return_pledge(pledge: Pledge, *, actor, reason: str, today: datetime.date | None = None) -> Pledge:
    """The secretary returns a submitted or accepted pledge to the unit with a reason.

    After the pledging deadline a return also reopens the pledge for a week, so the unit can fix it.
    """
    today = today or timezone.localdate()
    pledge = Pledge.objects.select_for_update().select_related("period").get(pk=pledge.pk)
    if pledge.state not in (PledgeState.SUBMITTED, PledgeState.ACCEPTED):
        raise EmulationError(_("Only a submitted or accepted pledge can be returned."))
    if not reason.strip():
        raise EmulationError(_("Give the reason for returning the pledge."))
    previous = pledge.state
    pledge.state = PledgeState.RETURNED
    pledge.return_reason = reason.strip()
    pledge.reviewed_at = timezone.now()
    if today > pledge.period.pledging_closes:
        pledge.reopened_until = today + datetime.timedelta(days=REOPEN_DAYS_AFTER_LATE_RETURN)
    pledge.version += 1
    pledge.save(
        update_fields=["state", "return_reason", "reviewed_at", "reopened_until", "version", "updated_at"]
    )
    record_audit(
        pledge,
        action="pledge.returned",
        actor=actor,
        reason=pledge.return_reason,
        before={"state": previous},
        after={"state": pledge.state},
    )
    return pledge


@transaction.atomic
def reopen_pledge(
    pledge: Pledge, *, actor, reason: str, until: datetime.date, today: datetime.date | None = None
) -> Pledge:
    """After the deadline, the secretary reopens one unit's pledge for changes until a date."""
    today = today or timezone.localdate()
    pledge = Pledge.objects.select_for_update().select_related("period").get(pk=pledge.pk)
    if not reason.strip():
        raise EmulationError(_("Give the reason for reopening the pledge."))
    if until < today:
        raise EmulationError(_("The reopening must last until today or later."))
    previous = {"state": pledge.state, "reopened_until": None}
    if pledge.state != PledgeState.DRAFT:
        pledge.state = PledgeState.RETURNED
    pledge.return_reason = reason.strip()
    pledge.reopened_until = until
    pledge.version += 1
    pledge.save(update_fields=["state", "return_reason", "reopened_until", "version", "updated_at"])
    record_audit(
        pledge,
        action="pledge.reopened",
        actor=actor,
        reason=pledge.return_reason,
        before=previous,
        after={"state": pledge.state, "reopened_until": until.isoformat()},
    )
    return pledge


@transaction.atomic
def open_covenant(cluster, period: Period):
    """The cluster's covenant for the period, created on first use."""
    covenant, _created = ClusterCovenant.objects.get_or_create(cluster=cluster, period=period)
    covenant.cluster, covenant.period = cluster, period  # already loaded: spare the pages two queries
    return covenant


@transaction.atomic
def confirm_covenant(covenant, *, unit: Unit, actor):
    """A member unit confirms its cluster's covenant, once; recorded in the audit trail."""
    if not covenant.cluster.memberships.filter(unit=unit).exists():
        raise EmulationError(_("%(unit)s is not a member of this cluster.") % {"unit": unit.name})
    if CovenantConfirmation.objects.filter(covenant=covenant, unit=unit).exists():
        raise EmulationError(_("%(unit)s has already confirmed this covenant.") % {"unit": unit.name})
    confirmation = CovenantConfirmation.objects.create(covenant=covenant, unit=unit, confirmed_by=actor)
    record_audit(covenant, action="covenant.confirmed", actor=actor, after={"unit": unit.code})
    return confirmation

"""The pledge workflow: draft, submit, return, resubmit, accept, deadline and reopening."""

import datetime
from decimal import Decimal

import pytest

from emulation.enums import PledgeState
from emulation.models import Pledge
from emulation.services import (
    ClosedForChangesError,
    EmulationError,
    StaleVersionError,
    TargetInput,
    accept_pledge,
    pledge_gaps,
    reopen_pledge,
    return_pledge,
    save_pledge,
    start_pledge,
    submit_pledge,
)
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

FULL_TARGETS = {"4.1": "105", "4.2": "98.5", "4.4": "1500000000", "5.1": "40", "5.4": "1"}


def fill(pledge, user, values=FULL_TARGETS, title="TTLDXS", day=datetime.date(2026, 1, 15)):
    targets = {
        t.criterion_id: TargetInput(
            Decimal(values[t.criterion.code]) if values.get(t.criterion.code) else None
        )
        for t in pledge.targets.select_related("criterion")
    }
    return save_pledge(
        pledge,
        actor=user,
        version=pledge.version,
        collective_title=title,
        targets=targets,
        registrations=[],
        today=day,
    )


def actions(pledge) -> list[str]:
    return list(AuditEntry.objects.for_record(pledge).order_by("at", "pk").values_list("action", flat=True))


def test_start_pledge_creates_one_empty_target_per_criterion_once(org, unit_officer, period):
    first = start_pledge(org.branch_a, period, actor=unit_officer)
    again = start_pledge(org.branch_a, period, actor=unit_officer)

    assert first == again
    assert sorted(first.targets.values_list("criterion__code", flat=True)) == [
        "4.1",
        "4.2",
        "4.4",
        "5.1",
        "5.4",
    ]
    assert first.targets.filter(value__isnull=True).count() == 5
    assert actions(first) == ["pledge.created"]


def test_submit_requires_every_target_and_a_collective_title(org, unit_officer, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    fill(pledge, unit_officer, values={**FULL_TARGETS, "5.1": None}, title="")

    gaps = pledge_gaps(pledge)
    with pytest.raises(EmulationError):
        submit_pledge(pledge, actor=unit_officer, today=datetime.date(2026, 1, 15))

    assert len(gaps) == 2
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.DRAFT


def test_full_cycle_submit_return_resubmit_accept(org, unit_officer, secretary, period):
    day = datetime.date(2026, 1, 15)
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    fill(pledge, unit_officer)

    submit_pledge(pledge, actor=unit_officer, today=day)
    return_pledge(pledge, actor=secretary, reason="Chỉ tiêu thu điện tử quá thấp", today=day)
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.RETURNED
    assert pledge.return_reason == "Chỉ tiêu thu điện tử quá thấp"

    fill(pledge, unit_officer, values={**FULL_TARGETS, "4.2": "100"})
    submit_pledge(pledge, actor=unit_officer, today=day)
    accept_pledge(pledge, actor=secretary)

    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ACCEPTED
    assert pledge.targets.get(criterion__code="4.2").value == Decimal("100")
    assert actions(pledge) == [
        "pledge.created",
        "pledge.saved",
        "pledge.submitted",
        "pledge.returned",
        "pledge.saved",
        "pledge.submitted",
        "pledge.accepted",
    ]
    returned = AuditEntry.objects.for_record(pledge).get(action="pledge.returned")
    assert (returned.actor, returned.reason) == (secretary, "Chỉ tiêu thu điện tử quá thấp")


def test_return_needs_a_reason(org, unit_officer, secretary, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    fill(pledge, unit_officer)
    submit_pledge(pledge, actor=unit_officer, today=datetime.date(2026, 1, 15))

    with pytest.raises(EmulationError):
        return_pledge(pledge, actor=secretary, reason="   ", today=datetime.date(2026, 1, 15))

    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.SUBMITTED


def test_save_with_a_stale_version_changes_nothing(org, unit_officer, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    opened_version = pledge.version
    fill(pledge, unit_officer)  # someone else saves first

    stale = Pledge.objects.get(pk=pledge.pk)
    stale.version = opened_version
    with pytest.raises(StaleVersionError):
        fill(stale, unit_officer, values={**FULL_TARGETS, "5.1": "1"})

    assert pledge.targets.get(criterion__code="5.1").value == Decimal("40")
    assert actions(pledge).count("pledge.saved") == 1


def test_after_the_deadline_the_pledge_is_read_only(org, unit_officer, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)

    with pytest.raises(ClosedForChangesError):
        fill(pledge, unit_officer, day=datetime.date(2026, 2, 1))
    with pytest.raises(ClosedForChangesError):
        submit_pledge(pledge, actor=unit_officer, today=datetime.date(2026, 2, 1))

    assert pledge.targets.filter(value__isnull=False).count() == 0


def test_secretary_reopens_one_unit_after_the_deadline(org, unit_officer, secretary, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    late = datetime.date(2026, 2, 10)

    reopen_pledge(
        pledge, actor=secretary, reason="Đơn vị mới thành lập", until=datetime.date(2026, 2, 20), today=late
    )
    pledge.refresh_from_db()
    fill(pledge, unit_officer, day=late)
    submit_pledge(pledge, actor=unit_officer, today=late)

    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SUBMITTED
    assert pledge.reopened_until is None  # the reopening ends with the submission
    assert actions(pledge)[-3:] == ["pledge.reopened", "pledge.saved", "pledge.submitted"]
    with pytest.raises(ClosedForChangesError):
        fill(pledge, unit_officer, day=late)


def test_reopen_needs_a_reason_and_a_future_date(org, unit_officer, secretary, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    late = datetime.date(2026, 2, 10)

    with pytest.raises(EmulationError):
        reopen_pledge(pledge, actor=secretary, reason="", until=datetime.date(2026, 2, 20), today=late)
    with pytest.raises(EmulationError):
        reopen_pledge(pledge, actor=secretary, reason="Lý do", until=datetime.date(2026, 2, 1), today=late)

    pledge.refresh_from_db()
    assert pledge.reopened_until is None


def test_accept_only_a_submitted_pledge(org, unit_officer, secretary, period):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)

    with pytest.raises(EmulationError):
        accept_pledge(pledge, actor=secretary)

    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.DRAFT

"""Scheduled jobs claim their slot: one run per slot, whoever queued them."""

import datetime
import zoneinfo

import pytest

from emulation.models import ScheduledRun
from emulation.services.scheduling import claim_slot, current_slot, finish_slot

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_daily_slot_is_the_local_date():
    late_evening_utc = datetime.datetime(
        2026, 11, 26, 18, 30, tzinfo=datetime.UTC
    )  # 01:30 on the 27th in Hanoi

    assert current_slot(late_evening_utc, seconds=86400) == "2026-11-27"


def test_short_slots_split_time_into_equal_periods():
    start = datetime.datetime(2026, 11, 27, 10, 0, 0, tzinfo=HCM)

    slots = [current_slot(start + datetime.timedelta(seconds=s), seconds=10) for s in (0, 9, 10, 25)]

    assert slots[0] == slots[1] != slots[2] != slots[3]


def test_second_beat_does_not_run_a_claimed_slot():
    assert claim_slot("emulation.send_reminders", "2026-11-27", "task-a") is True
    assert claim_slot("emulation.send_reminders", "2026-11-27", "task-b") is False
    assert claim_slot("emulation.send_reminders", "2026-11-28", "task-b") is True
    assert ScheduledRun.objects.count() == 2


def test_the_same_task_redelivered_may_finish_its_slot_once():
    claim_slot("emulation.compile_provisional_rankings", "2026-11-27", "task-a")

    redelivered = claim_slot("emulation.compile_provisional_rankings", "2026-11-27", "task-a")
    finish_slot("emulation.compile_provisional_rankings", "2026-11-27", result={"queued": [1]})
    after_finish = claim_slot("emulation.compile_provisional_rankings", "2026-11-27", "task-a")

    assert (redelivered, after_finish) == (True, False)
    assert ScheduledRun.objects.get().result == {"queued": [1]}

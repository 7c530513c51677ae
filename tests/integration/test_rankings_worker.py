"""Finalising a period compiles its rankings through a real Celery worker on the real Redis."""

import time
from decimal import Decimal as D

import pytest

from emulation.enums import SubmissionState, TieBreak
from emulation.models import Criterion, RankingSnapshot, Score, ScorerAssignment, Submission
from emulation.services.scoring import finalise_period
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    TaskAreaFactory,
    UnitFactory,
    UserFactory,
)
from units.enums import Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

POLL_SECONDS = 30


def wait_for_snapshots(period, count: int) -> list[RankingSnapshot]:
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        snapshots = list(RankingSnapshot.objects.filter(period=period, is_current=True).order_by("scope_key"))
        if len(snapshots) >= count:
            return snapshots
        time.sleep(0.3)
    return list(RankingSnapshot.objects.filter(period=period))


def test_finalising_a_period_compiles_its_rankings_through_the_worker(requires_postgresql, celery_worker):
    movement = MovementFactory()
    for number in (4, 5):
        area = TaskAreaFactory(movement=movement, number=number, max_points=10)
        CriterionFactory(task_area=area, code=f"{number}.1", max_points=10)
    period = PeriodFactory(movement=movement, year=2026)
    cluster = ClusterFactory(year=2026)
    members = [UserFactory(username=f"iw-member{i}", roles=[Role.COMMITTEE_MEMBER]) for i in range(2)]
    secretary = UserFactory(username="iw-secretary", roles=[Role.COMMITTEE_SECRETARY])
    # (unit code, the two members' points for 4.1, for 5.1)
    for code, area_4, area_5 in (("W1", ("6", "8"), ("9", "9")), ("W2", ("10", "10"), ("5", "7"))):
        unit = UnitFactory(code=code)
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        submission = Submission.objects.create(unit=unit, period=period, state=SubmissionState.SCORED)
        for member in members:
            ScorerAssignment.objects.create(submission=submission, member=member)
        for number, points in ((4, area_4), (5, area_5)):
            criterion = Criterion.objects.get(task_area__movement=movement, code=f"{number}.1")
            for member, value in zip(members, points, strict=True):
                Score.objects.create(
                    submission=submission, criterion=criterion, member=member, points=D(value)
                )

    finalise_period(period, actor=secretary)

    snapshots = wait_for_snapshots(period, 2)
    assert [s.scope_key for s in snapshots] == [f"cluster:{cluster.pk}", "movement"], celery_worker.log()
    assert all(not s.is_provisional for s in snapshots)
    for snapshot in snapshots:
        # W1: 7 + 9 = 16; W2: 10 + 6 = 16, one area at full marks: W2 first.
        assert list(
            snapshot.entries.order_by("rank").values_list(
                "rank", "unit__code", "total", "full_areas", "decided_by"
            )
        ) == [
            (1, "W2", D("16.00"), 1, TieBreak.TOTAL),
            (2, "W1", D("16.00"), 0, TieBreak.FULL_AREAS),
        ]
    assert "emulation.compile_rankings" in celery_worker.log()

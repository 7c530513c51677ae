"""Real concurrency on PostgreSQL: two people saving or finalising at the same moment.

Each contender runs in its own thread, hence its own database connection, released together by a
barrier. Exactly one wins; the other gets a clear refusal; nothing is lost or doubled.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from emulation.models import CriterionResult, Score, SelfScore
from emulation.services import StaleVersionError, TargetInput, save_pledge, start_pledge
from emulation.services.errors import EmulationError
from emulation.services.scoring import (
    assign_scorer,
    finalise_period,
    save_score,
    start_submission,
    submit_submission,
)
from tests.conftest import make_persona
from tests.factories import CriterionFactory, MovementFactory, PeriodFactory, TaskAreaFactory, UnitFactory
from tests.figures import record
from units.enums import Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
DAY = datetime.date(2026, 12, 10)


def race(*contenders):
    """Run the callables at the same moment; return (results, errors) in contender order."""
    barrier = threading.Barrier(len(contenders))
    results: list = [None] * len(contenders)
    errors: list = [None] * len(contenders)

    def run(index, contender):
        try:
            barrier.wait(timeout=10)
            results[index] = contender()
        except Exception as exc:  # noqa: BLE001 - the refusal is what the test inspects
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.fixture
def year(org, requires_postgresql):
    movement = MovementFactory()
    area = TaskAreaFactory(movement=movement, number=4, max_points=20)
    CriterionFactory(task_area=area, code="4.1", measure="count", max_points=10, order=1)
    CriterionFactory(task_area=area, code="4.2", measure="count", max_points=10, order=2)
    return PeriodFactory(
        movement=movement,
        year=2026,
        pledging_opens=datetime.date(2026, 12, 1),
        pledging_closes=datetime.date(2026, 12, 10),
        self_assessment_opens=datetime.date(2026, 12, 10),
        self_assessment_closes=datetime.date(2026, 12, 31),
        scoring_closes=datetime.date(2027, 1, 31),
    )


def scored_submission(org, year, unit_officer, members):
    submission = start_submission(org.branch_a, year, actor=unit_officer)
    SelfScore.objects.filter(submission=submission).update(achieved_value=Decimal(1), points=Decimal(1))
    submit_submission(submission, actor=unit_officer, today=DAY)
    for member in members:
        assign_scorer(submission, member=member, actor=None)
    return submission


def test_two_tabs_saving_the_same_score_at_once_one_wins(org, year, unit_officer):
    member = make_persona("m1", [Role.COMMITTEE_MEMBER], UnitFactory(code="X1", parent=org.dept))
    submission = scored_submission(org, year, unit_officer, [member])
    criterion = submission.self_scores.select_related("criterion__task_area").first().criterion
    save_score(submission, criterion, member=member, points=Decimal(5), comment="", version=0)

    results, errors = race(
        lambda: save_score(
            submission, criterion, member=member, points=Decimal(7), comment="tab A", version=1
        ),
        lambda: save_score(
            submission, criterion, member=member, points=Decimal(3), comment="tab B", version=1
        ),
    )

    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert [type(error) for error in errors if error is not None] == [StaleVersionError]
    score = Score.objects.get()
    assert (score.points, score.comment, score.version) == (winners[0].points, winners[0].comment, 2)
    record("concurrency races: two tabs, one score", 1)


def test_two_members_saving_their_own_scores_at_once_both_kept(org, year, unit_officer):
    members = [
        make_persona(f"m{i}", [Role.COMMITTEE_MEMBER], UnitFactory(code=f"X{i}", parent=org.dept))
        for i in (1, 2)
    ]
    submission = scored_submission(org, year, unit_officer, members)
    criterion = submission.self_scores.select_related("criterion__task_area").first().criterion

    _results, errors = race(
        *[
            (
                lambda m=member: save_score(
                    submission, criterion, member=m, points=Decimal(6), comment="", version=0
                )
            )
            for member in members
        ]
    )

    assert errors == [None, None]
    assert Score.objects.filter(criterion=criterion).count() == 2
    record("concurrency races: two members, own scores", 1)


def test_two_secretaries_finalising_at_once_one_wins(org, year, unit_officer, secretary):
    member = make_persona("m1", [Role.COMMITTEE_MEMBER], UnitFactory(code="X1", parent=org.dept))
    submission = scored_submission(org, year, unit_officer, [member])
    for row in submission.self_scores.select_related("criterion__task_area"):
        save_score(submission, row.criterion, member=member, points=Decimal(8), comment="", version=0)
    second = make_persona("secretary_2", [Role.COMMITTEE_SECRETARY], org.dept)

    results, errors = race(
        lambda: finalise_period(year, actor=secretary),
        lambda: finalise_period(year, actor=second),
    )

    assert sum(result is not None for result in results) == 1
    refusals = [error for error in errors if error is not None]
    assert len(refusals) == 1
    assert isinstance(refusals[0], EmulationError)
    assert CriterionResult.objects.count() == 2  # written once, not twice
    year.refresh_from_db()
    assert year.is_finalised is True
    record("concurrency races: two secretaries finalising", 1)


def test_two_officers_saving_the_same_pledge_at_once_one_wins(org, year, unit_officer):
    pledge = start_pledge(org.branch_a, year, actor=unit_officer)
    criteria = list(pledge.targets.values_list("criterion_id", flat=True))

    def save(value):
        return save_pledge(
            pledge,
            actor=unit_officer,
            version=1,
            collective_title="TTLDTT",
            targets={criterion: TargetInput(Decimal(value)) for criterion in criteria},
            registrations=[],
            today=DAY,
        )

    _results, errors = race(lambda: save(10), lambda: save(20))

    assert sorted(type(error).__name__ for error in errors if error) == ["StaleVersionError"]
    values = set(pledge.targets.values_list("value", flat=True))
    assert len(values) == 1  # one writer's targets, never a mix of the two
    record("concurrency races: one pledge, two officers", 1)

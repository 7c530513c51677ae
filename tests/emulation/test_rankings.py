"""Rankings: the compile on hand-made cases, its hash and idempotence, the task, the command, the pages.

The test movement (tests/emulation/conftest.py) has two task areas: 4 (criteria 4.1 max 10,
4.2 max 5, 4.4 max 5) and 5 (5.1 max 10, 5.4 max 10); the bonus limit is 5.
"""

import datetime
import threading
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from emulation.enums import AdjustmentKind, RankingScope, SubmissionState, TieBreak
from emulation.models import (
    Adjustment,
    Criterion,
    CriterionResult,
    Period,
    RankingEntry,
    RankingSnapshot,
    Score,
    Submission,
)
from emulation.services.errors import EmulationError
from emulation.services.rankings import compile_rankings, inputs_hash
from emulation.services.scoring import finalise_period, reopen_period
from emulation.tasks import compile_provisional_rankings
from emulation.tasks import compile_rankings as compile_rankings_task
from tests.emulation.conftest import at
from tests.factories import (
    AdjustmentFactory,
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionResultFactory,
    PeriodFactory,
    ScoreFactory,
    ScorerAssignmentFactory,
    SubmissionFactory,
    UnitFactory,
    UserFactory,
)
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

CODES = ("4.1", "4.2", "4.4", "5.1", "5.4")
FULL = "10 5 5 10 10"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered tables are cached by snapshot id; ids repeat between tests on SQLite."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def author(db):
    return UserFactory(username="author", roles=[Role.COMMITTEE_SECRETARY])


def criteria(period) -> dict[str, Criterion]:
    return {c.code: c for c in Criterion.objects.filter(task_area__movement_id=period.movement_id)}


def finalised_unit(period, unit, points: str, *, bonus=(), deduction=(), author=None) -> Submission:
    """A finalised submission with its fixed results ("10 5 5 10 0" in the order of CODES)."""
    submission = SubmissionFactory(unit=unit, period=period, state=SubmissionState.FINALISED)
    by_code = criteria(period)
    for code, p in zip(CODES, points.split(), strict=True):
        CriterionResultFactory(submission=submission, criterion=by_code[code], raw_points=D(p))
    for kind, values in ((AdjustmentKind.BONUS, bonus), (AdjustmentKind.DEDUCTION, deduction)):
        for p in values:
            AdjustmentFactory(submission=submission, kind=kind, points=D(p), created_by=author)
    return submission


def finalise(period) -> Period:
    Period.objects.filter(pk=period.pk).update(is_finalised=True)
    period.refresh_from_db()
    return period


def scored_unit(period, unit, members, rows: dict[str, list[str]], *, state=SubmissionState.UNDER_REVIEW):
    """A submission being scored: each criterion code maps to the members' points, in order."""
    submission = SubmissionFactory(unit=unit, period=period, state=state)
    for member in members:
        ScorerAssignmentFactory(submission=submission, member=member)
    by_code = criteria(period)
    for code, points in rows.items():
        for member, p in zip(members, points, strict=False):
            ScoreFactory(submission=submission, criterion=by_code[code], member=member, points=D(p))
    return submission


@pytest.fixture
def members(db):
    return [UserFactory(username=f"scorer{i}", roles=[Role.COMMITTEE_MEMBER]) for i in range(3)]


def table(snapshot) -> list[tuple]:
    return list(snapshot.entries.order_by("rank").values_list("rank", "unit__code", "total", "decided_by"))


def current(period, scope_key="movement", *, provisional=False) -> RankingSnapshot:
    return RankingSnapshot.objects.get(
        period=period, scope_key=scope_key, is_provisional=provisional, is_current=True
    )


# --- Correctness on hand-made cases --------------------------------------------------------------


def test_compile_ranks_each_cluster_and_the_movement_with_known_totals(org, period, author):
    cluster = ClusterFactory(year=period.year, name="Cụm 1")
    other_year = ClusterFactory(year=period.year - 1)
    for unit in (org.branch_a, org.branch_b, org.office_a):
        ClusterMembershipFactory(cluster=cluster, unit=unit)
    ClusterMembershipFactory(cluster=other_year, unit=org.office_b)
    finalised_unit(period, org.branch_a, "10 5 5 10 10", bonus=["2"], author=author)  # 40 + 2
    finalised_unit(period, org.branch_b, "8 4 5 9 10", deduction=["1.5"], author=author)  # 36 - 1.5
    finalised_unit(period, org.office_a, "9 5 5 7 5", author=author)  # 31
    finalised_unit(period, org.office_b, "10 5 5 10 9", author=author)  # 39, in no cluster this year
    finalise(period)

    written = compile_rankings(period)

    assert sorted(s.scope_key for s in written) == [f"cluster:{cluster.pk}", "movement"]
    assert table(current(period, f"cluster:{cluster.pk}")) == [
        (1, "KV1", D("42.00"), TieBreak.TOTAL),
        (2, "KV2", D("34.50"), TieBreak.TOTAL),
        (3, "KV1-01", D("31.00"), TieBreak.TOTAL),
    ]
    assert table(current(period)) == [
        (1, "KV1", D("42.00"), TieBreak.TOTAL),
        (2, "KV2-01", D("39.00"), TieBreak.TOTAL),
        (3, "KV2", D("34.50"), TieBreak.TOTAL),
        (4, "KV1-01", D("31.00"), TieBreak.TOTAL),
    ]
    entry = current(period).entries.get(unit=org.branch_b)
    assert (entry.criteria_points, entry.adjustment, entry.area_points, entry.full_areas) == (
        D("36.00"),
        D("-1.50"),
        {"4": "17.00", "5": "19.00"},
        0,
    )
    assert current(period).entries.get(unit=org.branch_a).full_areas == 2
    assert current(period, f"cluster:{cluster.pk}").cluster == cluster
    assert current(period, f"cluster:{cluster.pk}").scope == RankingScope.CLUSTER


def test_compile_caps_the_net_adjustment_at_the_bonus_limit(org, period, author):
    finalised_unit(period, org.branch_a, "5 5 5 5 5", bonus=["4", "4"], author=author)  # 25 + min(8, 5)
    finalised_unit(
        period, org.branch_b, "10 5 5 10 10", deduction=["4", "3"], author=author
    )  # 40 - min(7, 5)
    finalised_unit(period, org.office_a, "5 5 5 5 5", bonus=["4"], deduction=["1"], author=author)  # 25 + 3
    finalise(period)

    compile_rankings(period)

    totals = dict(current(period).entries.values_list("unit__code", "total"))
    adjustments = dict(current(period).entries.values_list("unit__code", "adjustment"))
    assert totals == {"KV2": D("35.00"), "KV1": D("30.00"), "KV1-01": D("28.00")}
    assert adjustments == {"KV2": D("-5.00"), "KV1": D("5.00"), "KV1-01": D("3.00")}


def test_compile_caps_each_result_at_its_criterion_maximum(org, period):
    submission = finalised_unit(period, org.branch_a, "10 5 5 10 10")
    Criterion.objects.filter(task_area__movement=period.movement, code="4.1").update(max_points=8)
    finalise(period)

    compile_rankings(period)

    entry = current(period).entries.get()
    assert submission.results.get(criterion__code="4.1").points == D("10.00")
    assert (entry.total, entry.area_points["4"], entry.full_areas) == (D("38.00"), "18.00", 2)


@pytest.mark.parametrize(
    ("upper", "lower", "key"),
    [
        # Equal totals (30): area 4 at full marks beats none.
        (("10 5 5 10 0", ()), ("10 5 0 10 5", ()), TieBreak.FULL_AREAS),
        # Equal totals, no area at full marks: more points in area 4 (18 against 15).
        (("10 5 3 10 2", ()), ("10 5 0 10 5", ()), TieBreak.AREA_4),
        # Equal totals and area 4: more points in area 5 (15 against 14 plus a bonus of 1).
        (("10 5 0 10 5", ()), ("10 5 0 10 4", ("1",)), TieBreak.AREA_5),
    ],
)
def test_compile_breaks_a_tie_by_the_documented_key(org, period, author, upper, lower, key):
    # The unit that should come first has the later code, so the code cannot be what decided.
    first = UnitFactory(code="Z-FIRST", parent=org.dept)
    second = UnitFactory(code="A-SECOND", parent=org.dept)
    finalised_unit(period, second, lower[0], bonus=lower[1], author=author)
    finalised_unit(period, first, upper[0], bonus=upper[1], author=author)
    finalise(period)

    compile_rankings(period)

    assert table(current(period)) == [
        (1, "Z-FIRST", D("30.00"), TieBreak.TOTAL),
        (2, "A-SECOND", D("30.00"), key),
    ]


def test_compile_breaks_a_full_tie_by_unit_code(org, period):
    finalised_unit(period, UnitFactory(code="B-UNIT", parent=org.dept), "10 5 0 10 5")
    finalised_unit(period, UnitFactory(code="A-UNIT", parent=org.dept), "10 5 0 10 5")
    finalise(period)

    compile_rankings(period)

    assert table(current(period)) == [
        (1, "A-UNIT", D("30.00"), TieBreak.TOTAL),
        (2, "B-UNIT", D("30.00"), TieBreak.UNIT_CODE),
    ]


def test_compile_provisional_uses_the_mean_of_current_scores_rounded_and_capped(org, period, members):
    scored_unit(
        period,
        org.branch_a,
        members,
        {"4.1": ["7", "8"], "4.2": ["1", "1", "2"], "4.4": ["5", "5", "5"], "5.1": ["10", "9", "9"]},
    )
    scored_unit(period, org.branch_b, members[:1], {"4.1": ["10"], "5.4": ["10"]})
    # Lowered after scoring: the members' 5 points now count as 4.
    Criterion.objects.filter(task_area__movement=period.movement, code="4.4").update(max_points=4)

    written = compile_rankings(period)

    assert [s.is_provisional for s in written] == [True]
    area_points = dict(current(period, provisional=True).entries.values_list("unit__code", "area_points"))
    # 4.1: 7.5; 4.2: 1.33; 4.4: min(5, 4); 5.1: 9.33; 5.4 not scored yet.
    assert area_points == {"KV1": {"4": "12.83", "5": "9.33"}, "KV2": {"4": "10.00", "5": "10.00"}}
    assert table(current(period, provisional=True)) == [
        (1, "KV1", D("22.16"), TieBreak.TOTAL),
        (2, "KV2", D("20.00"), TieBreak.TOTAL),
    ]


def test_compile_leaves_out_a_self_assessment_never_submitted(org, period, members, secretary):
    scored_unit(period, org.branch_a, members, {code: ["5"] for code in CODES}, state=SubmissionState.SCORED)
    Submission.objects.create(unit=org.branch_b, period=period, state=SubmissionState.DRAFT)
    compile_rankings(period)

    finalise_period(period, actor=secretary)
    compile_rankings(period)

    assert list(current(period, provisional=True).entries.values_list("unit__code", flat=True)) == ["KV1"]
    assert list(current(period).entries.values_list("unit__code", flat=True)) == ["KV1"]


# --- Hash, idempotence, current flag -------------------------------------------------------------


def test_compile_twice_with_the_same_inputs_writes_nothing_new(org, period, author):
    finalised_unit(period, org.branch_a, FULL, bonus=["1"], author=author)
    finalised_unit(period, org.branch_b, "1 2 3 4 5", author=author)
    finalise(period)
    first = compile_rankings(period)
    audit_count = AuditEntry.objects.count()

    second = compile_rankings(period)

    assert len(first) == 1
    assert second == []
    assert RankingSnapshot.objects.count() == 1
    assert AuditEntry.objects.count() == audit_count


def test_compile_same_inputs_give_the_same_hash_and_entries(org, period, author):
    finalised_unit(period, org.branch_a, FULL, bonus=["1"], author=author)
    finalised_unit(period, org.branch_b, "1 2 3 4 5", author=author)
    finalise(period)
    [before] = compile_rankings(period)
    RankingSnapshot.objects.update(is_current=False)  # forget it, so the next compile writes again

    [after] = compile_rankings(period)

    fields = (
        "rank",
        "unit_id",
        "total",
        "criteria_points",
        "adjustment",
        "area_points",
        "full_areas",
        "decided_by",
    )
    assert after.pk != before.pk
    assert after.inputs_hash == before.inputs_hash
    assert len(after.inputs_hash) == 64
    assert list(after.entries.values_list(*fields)) == list(before.entries.values_list(*fields))


def test_inputs_hash_changes_with_a_point_and_with_the_scope(org, period):
    finalised_unit(period, org.branch_a, FULL)
    finalise(period)
    [snapshot] = compile_rankings(period)
    CriterionResult.objects.filter(criterion__code="5.4").update(points=D("9.99"))
    RankingSnapshot.objects.update(is_current=False)

    [changed] = compile_rankings(period)

    assert changed.inputs_hash != snapshot.inputs_hash
    assert inputs_hash("cluster:1", []) != inputs_hash("movement", [])


def test_compile_after_a_changed_result_writes_a_new_current_snapshot(org, period, author):
    finalised_unit(period, org.branch_a, FULL, author=author)
    finalised_unit(period, org.branch_b, "10 5 5 10 9", author=author)
    finalise(period)
    [old] = compile_rankings(period)
    # The period was reopened, rescored and finalised again: branch B now has full marks plus a bonus.
    CriterionResult.objects.filter(submission__unit=org.branch_b, criterion__code="5.4").update(points=10)
    Adjustment.objects.create(
        submission=Submission.objects.get(unit=org.branch_b),
        kind="bonus",
        points=1,
        reason="x",
        created_by=author,
    )

    [new] = compile_rankings(period)

    old.refresh_from_db()
    assert (old.is_current, new.is_current) == (False, True)
    assert table(old)[0][1] == "KV1"
    assert table(new) == [(1, "KV2", D("41.00"), TieBreak.TOTAL), (2, "KV1", D("40.00"), TieBreak.TOTAL)]


def test_compile_keeps_one_current_snapshot_per_scope(org, period, members):
    cluster = ClusterFactory(year=period.year)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    scored_unit(period, org.branch_a, members, {"4.1": ["5", "6", "7"]})
    for points in ("7", "8", "9"):
        Score.objects.filter(criterion__code="4.1", member=members[0]).update(points=points)
        compile_rankings(period)

    current_counts = {
        key: RankingSnapshot.objects.filter(scope_key=key, is_current=True).count()
        for key in ("movement", f"cluster:{cluster.pk}")
    }
    assert RankingSnapshot.objects.count() == 6
    assert current_counts == {"movement": 1, f"cluster:{cluster.pk}": 1}


def test_compile_retires_the_snapshot_of_a_cluster_emptied_since(org, period, members):
    cluster = ClusterFactory(year=period.year)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    scored_unit(period, org.branch_a, members, {"4.1": ["5"]})
    compile_rankings(period)
    cluster.memberships.all().delete()

    written = compile_rankings(period)

    assert written == []
    assert list(RankingSnapshot.objects.filter(is_current=True).values_list("scope_key", flat=True)) == [
        "movement"
    ]


def test_snapshot_constraint_refuses_a_second_current_snapshot(org, period):
    finalised_unit(period, org.branch_a, FULL)
    finalise(period)
    [snapshot] = compile_rankings(period)

    with pytest.raises(IntegrityError), transaction.atomic():
        RankingSnapshot.objects.create(
            period=period, scope=snapshot.scope, scope_key=snapshot.scope_key, inputs_hash="x" * 64
        )

    assert RankingSnapshot.objects.filter(is_current=True).count() == 1


def test_compile_final_and_provisional_keep_their_own_current_snapshots(org, period, members, secretary):
    scored_unit(
        period, org.branch_a, members, {code: ["2"] * 3 for code in CODES}, state=SubmissionState.SCORED
    )
    [provisional] = compile_rankings(period)

    finalise_period(period, actor=secretary)
    [final] = compile_rankings(period)
    again = compile_rankings(period, provisional=True)  # unchanged scores: nothing new

    provisional.refresh_from_db()
    assert (provisional.is_provisional, provisional.is_current) == (True, True)
    assert (final.is_provisional, final.is_current) == (False, True)
    assert again == []
    assert final.entries.get().total == provisional.entries.get().total == D("10.00")


def test_compile_final_of_a_period_not_finalised_is_refused(org, period):
    finalised_unit(period, org.branch_a, FULL)

    with pytest.raises(EmulationError):
        compile_rankings(period, provisional=False)

    assert RankingSnapshot.objects.count() == 0


def test_compile_records_one_audit_entry_on_the_period(org, period):
    finalised_unit(period, org.branch_a, FULL)
    finalise(period)

    compile_rankings(period)

    entry = AuditEntry.objects.for_record(period).get()
    assert (entry.action, entry.actor, entry.after) == (
        "ranking.compiled",
        None,
        {"provisional": False, "snapshots": ["movement"], "retired": 0},
    )


@pytest.mark.parametrize("units", [3, 9])
def test_compile_query_count_does_not_grow_with_units(org, period, author, django_assert_num_queries, units):
    clusters = [ClusterFactory(year=period.year), ClusterFactory(year=period.year)]
    for index in range(units):
        unit = UnitFactory(code=f"Q{index:02d}", parent=org.dept)
        ClusterMembershipFactory(cluster=clusters[index % 2], unit=unit)
        finalised_unit(period, unit, f"{index % 10} 5 5 10 {index % 7}", bonus=["1"], author=author)
    finalise(period)

    # savepoint, period lock, task areas, units (with their adjustments and clusters), area points,
    # current snapshots, insert snapshots, insert entries, audit, release
    with django_assert_num_queries(10):
        written = compile_rankings(period)

    assert len(written) == 3
    assert RankingEntry.objects.count() == 2 * units


# --- Finalisation, the task and the nightly job --------------------------------------------------


def test_finalise_period_queues_the_final_compile_on_commit(
    org, period, members, secretary, django_capture_on_commit_callbacks
):
    scored_unit(period, org.branch_a, members, {code: ["3", "4", "5"] for code in CODES}, state="scored")
    scored_unit(period, org.branch_b, members, {code: ["5"] * 3 for code in CODES}, state="scored")

    with django_capture_on_commit_callbacks(execute=True):
        finalise_period(period, actor=secretary)

    assert table(current(period)) == [
        (1, "KV2", D("25.00"), TieBreak.TOTAL),
        (2, "KV1", D("20.00"), TieBreak.TOTAL),
    ]


def test_reopen_and_finalise_again_flips_the_current_final_snapshot(
    org, period, members, secretary, django_capture_on_commit_callbacks
):
    scored_unit(period, org.branch_a, members, {code: ["4"] * 3 for code in CODES}, state="scored")
    with django_capture_on_commit_callbacks(execute=True):
        finalise_period(period, actor=secretary)
    first = current(period)
    reopen_period(period, actor=secretary, reason="Sửa điểm")
    Score.objects.filter(criterion__code="4.1").update(points=8)

    with django_capture_on_commit_callbacks(execute=True):
        finalise_period(period, actor=secretary)

    first.refresh_from_db()
    assert first.is_current is False
    assert current(period).entries.get().total == D("24.00")


def test_compile_task_returns_what_it_wrote(org, period):
    finalised_unit(period, org.branch_a, FULL)
    finalise(period)

    first = compile_rankings_task.delay(period_id=period.pk).get()
    second = compile_rankings_task.delay(period_id=period.pk).get()

    assert first == {"period_id": period.pk, "snapshots": 1}
    assert second == {"period_id": period.pk, "snapshots": 0}


def test_compile_task_returns_quietly_for_a_deleted_period(db):
    assert compile_rankings_task.delay(period_id=987654).get() == {"period_id": 987654, "snapshots": 0}


def test_nightly_job_compiles_provisional_rankings_of_periods_being_scored(org, period, members):
    scored_unit(period, org.branch_a, members, {"4.1": ["5"]})
    later = PeriodFactory(movement=period.movement, year=2027)
    scored_unit(later, org.branch_b, members, {"4.1": ["5"]})

    with at(datetime.date(2026, 12, 28)):  # 2026: scoring until 15/01; 2027: not started
        result = compile_provisional_rankings.delay().get()

    assert result == {"queued": [period.pk]}
    assert list(RankingSnapshot.objects.values_list("period__year", "is_provisional")) == [(2026, True)]


def test_beat_schedule_runs_the_nightly_job(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["compile-provisional-rankings"]

    assert entry["task"] == "emulation.compile_provisional_rankings"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})


@pytest.mark.django_db(transaction=True)
def test_compile_twice_at_once_leaves_one_current_snapshot_per_scope(org, period):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    for index in range(6):
        finalised_unit(period, UnitFactory(code=f"R{index}", parent=org.dept), "1 2 3 4 5")
    finalise(period)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(len(compile_rankings(period)))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == [0, 1]
    assert RankingSnapshot.objects.filter(is_current=True).count() == 1


# --- The command ---------------------------------------------------------------------------------


def test_command_prints_each_scope_with_its_top_three(org, period, settings):
    cluster = ClusterFactory(year=period.year, name="Cụm Bắc")
    units = [UnitFactory(code=f"C{index}", name=f"Đơn vị {index}", parent=org.dept) for index in range(4)]
    for index, unit in enumerate(units):
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        finalised_unit(period, unit, f"{index} 1 1 1 1")
    finalise(period)
    out = StringIO()

    call_command("compile_rankings", "--period", "2026", stdout=out)

    text = out.getvalue()
    assert "Cụm Bắc" in text
    assert "1. C3 Đơn vị 3: 7.00" in text
    assert "3. C1 Đơn vị 1: 5.00" in text
    assert "C0" not in text
    assert RankingSnapshot.objects.filter(is_current=True).count() == 2


def test_command_provisional_flag_compiles_from_current_scores(org, period, members):
    scored_unit(period, org.branch_a, members, {"4.1": ["6", "8"]})
    out = StringIO()

    call_command("compile_rankings", "--period", "2026", "--provisional", stdout=out)

    assert "1. KV1" in out.getvalue()
    assert current(period, provisional=True).entries.get().total == D("7.00")


def test_command_refuses_an_unknown_year(period):
    with pytest.raises(CommandError, match="2019"):
        call_command("compile_rankings", "--period", "2019", stdout=StringIO())


# --- The pages -----------------------------------------------------------------------------------


@pytest.fixture
def ranked(org, period, author):
    """Cluster 1: branch A, office A, branch B, office B; a finalised period compiled once.

    Task-area points (4, 5): branch A (15, 20), office A (20, 10), branch B (10, 20), office B (18, 15).
    """
    cluster = ClusterFactory(year=period.year, name="Cụm 1")
    for unit in (org.branch_a, org.office_a, org.branch_b, org.office_b):
        ClusterMembershipFactory(cluster=cluster, unit=unit)
    finalised_unit(period, org.branch_a, "10 5 0 10 10", author=author)  # 35
    finalised_unit(period, org.office_a, "10 5 5 10 0", author=author)  # 30
    finalised_unit(period, org.branch_b, "5 5 0 10 10", bonus=["1"], author=author)  # 31
    finalised_unit(period, org.office_b, "10 5 3 10 5", author=author)  # 33
    finalise(period)
    compile_rankings(period)
    return cluster


def test_ranking_list_shows_each_cluster_and_the_movement(client, org, period, ranked, leader):
    client.force_login(leader)

    response = client.get(reverse("emulation:ranking-list"), {"period": period.pk}, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert response.status_code == 200
    assert [s.scope_key for s, _table in response.context["clusters"]] == [f"cluster:{ranked.pk}"]
    assert response.context["movement_snapshot"] == current(period)
    assert html.count('data-testid="ranking-row"') == 8
    assert reverse("emulation:ranking-unit", args=[org.office_a.pk]) in html
    assert 'data-testid="provisional-badge"' not in html


def test_ranking_list_marks_a_provisional_ranking(client, org, period, members, leader):
    # Who else may read a provisional ranking: tests/emulation/test_ranking_secrecy.py.
    scored_unit(period, org.branch_a, members, {"4.1": ["5"]})
    compile_rankings(period)
    client.force_login(leader)

    response = client.get(reverse("emulation:ranking-list"), {"period": period.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert 'data-testid="provisional-badge"' in response.content.decode()
    assert "Provisional" in response.content.decode()


def test_ranking_list_shows_which_key_broke_a_tie(client, org, period, leader):
    finalised_unit(period, UnitFactory(code="B-UNIT", parent=org.dept), "10 5 0 10 5")
    finalised_unit(period, UnitFactory(code="A-UNIT", parent=org.dept), "10 5 0 10 5")
    finalise(period)
    compile_rankings(period)
    client.force_login(leader)

    response = client.get(reverse("emulation:ranking-list"), {"period": period.pk}, HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert html.count('data-testid="tie-badge"') == 1
    assert "tie broken by: Unit code" in html


def test_ranking_list_gives_a_unit_officer_links_to_its_own_units_only(
    client, org, period, ranked, unit_officer
):
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:ranking-list"), {"period": period.pk})

    html = response.content.decode()
    assert [e.unit for e in response.context["own_entries"]] == [org.branch_a, org.office_a]
    assert reverse("emulation:ranking-unit", args=[org.branch_a.pk]) in html
    assert reverse("emulation:ranking-unit", args=[org.branch_b.pk]) not in html
    assert html.count('data-testid="ranking-row"') == 8  # everyone sees the whole ranking


def test_ranking_list_without_a_compiled_ranking_says_so(client, period, leader):
    client.force_login(leader)

    response = client.get(reverse("emulation:ranking-list"))

    assert response.status_code == 200
    assert 'data-testid="no-ranking"' in response.content.decode()


def test_ranking_list_paginates_the_movement_table(client, org, period, leader):
    for index in range(53):
        finalised_unit(period, UnitFactory(code=f"P{index:02d}", parent=org.dept), f"{index % 10} 1 1 1 1")
    finalise(period)
    compile_rankings(period)
    client.force_login(leader)

    first = client.get(reverse("emulation:ranking-list"), {"period": period.pk})
    last = client.get(reverse("emulation:ranking-list"), {"period": period.pk, "page": 2})

    assert first.content.decode().count('data-testid="ranking-row"') == 50
    assert last.content.decode().count('data-testid="ranking-row"') == 3


@pytest.mark.parametrize("units", [3, 9])
def test_ranking_list_query_count_does_not_grow(
    client, org, period, author, leader, django_assert_num_queries, units
):
    clusters = [ClusterFactory(year=period.year), ClusterFactory(year=period.year)]
    for index in range(units):
        unit = UnitFactory(code=f"L{index:02d}", parent=org.dept)
        ClusterMembershipFactory(cluster=clusters[index % 2], unit=unit)
        finalised_unit(period, unit, f"{index % 10} 5 5 10 1", author=author)
    finalise(period)
    compile_rankings(period)
    client.force_login(leader)

    # session, user, roles, periods, current snapshots, task areas, cluster entries,
    # movement count, movement page
    with django_assert_num_queries(9):
        response = client.get(reverse("emulation:ranking-list"), {"period": period.pk})

    assert response.content.decode().count('data-testid="ranking-row"') == 2 * units


def test_ranking_list_serves_tables_from_the_cache_the_second_time(
    client, org, period, ranked, leader, django_assert_num_queries
):
    client.force_login(leader)
    client.get(reverse("emulation:ranking-list"), {"period": period.pk})

    # session, user, roles, periods, current snapshots, task areas
    with django_assert_num_queries(6):
        response = client.get(reverse("emulation:ranking-list"), {"period": period.pk})

    assert response.content.decode().count('data-testid="ranking-row"') == 8


def test_ranking_unit_explains_rank_against_cluster_best_and_median(
    client, org, period, ranked, unit_officer
):
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:ranking-unit", args=[org.branch_a.pk]), {"period": period.pk})

    explanation = response.context["explanation"]
    assert response.status_code == 200
    assert (explanation.entry.rank, explanation.size, explanation.entry.total) == (1, 4, D("35.00"))
    # Area 4: 15, 20, 10, 18 -> best 20, median 16.5; area 5: 20, 10, 20, 15 -> best 20, median 17.5.
    assert [(line.number, line.points, line.best, line.median) for line in explanation.lines] == [
        (4, D("15.00"), D("20.00"), D("16.50")),
        (5, D("20.00"), D("20.00"), D("17.50")),
    ]
    assert explanation.previous_entry is None
    assert 'data-testid="median">16,5<' in response.content.decode()


def test_ranking_unit_shows_the_change_since_the_previous_snapshot(client, org, period, ranked, unit_officer):
    CriterionResult.objects.filter(submission__unit=org.branch_a, criterion__code="5.4").update(points=2)
    compile_rankings(period)  # branch A: (15, 12) = 27, now last
    client.force_login(unit_officer)

    response = client.get(
        reverse("emulation:ranking-unit", args=[org.branch_a.pk]),
        {"period": period.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    explanation = response.context["explanation"]
    assert (explanation.previous_entry.rank, explanation.previous_entry.total) == (1, D("35.00"))
    assert (explanation.entry.rank, explanation.rank_change, explanation.total_change) == (4, -3, D("-8.00"))
    assert [line.delta for line in explanation.lines] == [D("0.00"), D("-8.00")]
    # Area 5 is now 12, 10, 20, 15 -> median 13.5.
    assert explanation.lines[1].median == D("13.50")
    assert "down 3 places" in response.content.decode()


def test_ranking_unit_links_the_self_assessment_for_its_officer(client, org, period, ranked, unit_officer):
    submission = Submission.objects.get(unit=org.office_a, period=period)
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:ranking-unit", args=[org.office_a.pk]), {"period": period.pk})

    assert response.context["submission_url"] == submission.get_absolute_url()
    assert submission.get_absolute_url() in response.content.decode()


def test_ranking_unit_of_another_branch_is_not_found_for_a_unit_officer(
    client, org, period, ranked, unit_officer
):
    client.force_login(unit_officer)

    for unit in (org.branch_b, org.office_b, org.dept):
        response = client.get(reverse("emulation:ranking-unit", args=[unit.pk]), {"period": period.pk})
        assert response.status_code == 404


def test_ranking_unit_defaults_to_the_latest_ranked_period(client, org, period, ranked, leader):
    PeriodFactory(movement=period.movement, year=2027)
    client.force_login(leader)

    response = client.get(reverse("emulation:ranking-unit", args=[org.office_b.pk]))

    assert response.context["period"] == period
    assert response.context["explanation"].entry.rank == 2
    assert response.context["submission_url"] == Submission.objects.get(unit=org.office_b).get_absolute_url()


def test_ranking_unit_without_ranking_and_unknown_period(client, org, period, leader):
    client.force_login(leader)

    empty = client.get(reverse("emulation:ranking-unit", args=[org.branch_a.pk]), {"period": period.pk})
    unknown = client.get(reverse("emulation:ranking-unit", args=[org.branch_a.pk]), {"period": 999999})

    assert empty.status_code == 200
    assert empty.context["explanation"] is None
    assert unknown.status_code == 404

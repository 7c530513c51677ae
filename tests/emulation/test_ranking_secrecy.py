"""Provisional rankings keep the secret ballot of scoring (docs/security.md, "Provisional rankings").

The case the review reproduced: three committee members score the self-assessments of branches
A and B; hoidong2 and hoidong3 have finished, hoidong1 has not started. The nightly job compiles
the provisional rankings from their scores, so the figures below are the two colleagues' means.
hoidong1 must not read them anywhere before it has scored (else it would anchor on them); nor may
a unit officer, for whom they are unpublished results. The secretary and leaders read them, and
so does a member whose own queue for the period is complete.

Points of the two colleagues (4.1 4.2 4.4 | 5.1 5.4) and their means:

    branch A  hoidong2 9.2 4.3 3.1 | 7.4 6.2   hoidong3 8.6 3.9 2.7 | 6.8 5.6
              mean     8.9 4.1 2.9 | 7.1 5.9 -> task area 4: 15.9, 5: 13, total 28.9
    branch B  hoidong2 7.7 2.2 1.1 | 4.4 3.3   hoidong3 7.1 2.6 1.5 | 4.0 3.9
              mean     7.4 2.4 1.3 | 4.2 3.6 -> task area 4: 11.1, 5: 7.8, total 18.9
"""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from emulation.enums import SubmissionState
from emulation.models import Criterion, Period, RankingSnapshot, ScorerAssignment, Submission
from emulation.permissions import can_see_provisional_rankings
from emulation.tasks import compile_provisional_rankings
from tests.emulation.conftest import at
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    RankingSnapshotFactory,
    ScoreFactory,
    ScorerAssignmentFactory,
    SubmissionFactory,
    UnitFactory,
    UserFactory,
)
from units.enums import Role

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CODES = ("4.1", "4.2", "4.4", "5.1", "5.4")
POINTS = {
    "branch_a": {"hoidong2": "9.2 4.3 3.1 7.4 6.2", "hoidong3": "8.6 3.9 2.7 6.8 5.6"},
    "branch_b": {"hoidong2": "7.7 2.2 1.1 4.4 3.3", "hoidong3": "7.1 2.6 1.5 4.0 3.9"},
}
# What the provisional rankings show (totals and task-area points, as the pages write them in English).
FIGURES = ("28.9", "15.9", "18.9", "11.1", "7.8")
SCORING_OPEN = datetime.date(2027, 1, 5)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered tables are cached by snapshot id; ids repeat between tests on SQLite."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scoring(org, period, unit_officer, secretary, leader):
    """Period 2026 being scored on 05/01/2027, its provisional rankings compiled by the nightly job."""
    members = {name: UserFactory(username=name, roles=[Role.COMMITTEE_MEMBER]) for name in POINTS["branch_a"]}
    members["hoidong1"] = UserFactory(username="hoidong1", roles=[Role.COMMITTEE_MEMBER])
    cluster = ClusterFactory(year=2026, name="Cụm thử nghiệm")
    criteria = {c.code: c for c in Criterion.objects.filter(task_area__movement_id=period.movement_id)}
    with at(SCORING_OPEN):
        for unit_name, by_member in POINTS.items():
            unit = getattr(org, unit_name)
            ClusterMembershipFactory(cluster=cluster, unit=unit)
            submission = SubmissionFactory(unit=unit, period=period, state=SubmissionState.UNDER_REVIEW)
            for name, member in members.items():
                done = name in by_member
                ScorerAssignmentFactory(
                    submission=submission, member=member, completed_at=timezone.now() if done else None
                )
                if done:
                    for code, p in zip(CODES, by_member[name].split(), strict=True):
                        ScoreFactory(
                            submission=submission, criterion=criteria[code], member=member, points=D(p)
                        )
        compile_provisional_rankings.delay()
        yield {
            "period": period,
            "members": members,
            "officer": unit_officer,
            "secretary": secretary,
            "leader": leader,
            "snapshots": list(RankingSnapshot.objects.filter(period=period, is_current=True)),
        }


def pages(world, org) -> list[str]:
    """Every page that shows ranking figures, for the period being scored and by default."""
    period = world["period"]
    return [
        reverse("home"),
        reverse("emulation:ranking-list"),
        f"{reverse('emulation:ranking-list')}?period={period.pk}",
        reverse("emulation:ranking-unit", args=[org.branch_a.pk]),
        f"{reverse('emulation:ranking-unit', args=[org.branch_a.pk])}?period={period.pk}",
        reverse("emulation:dashboard-unit", args=[org.branch_a.pk]),
        reverse("emulation:dashboard"),
        reverse(
            "emulation:dashboard-cluster",
            args=[next(s.cluster_id for s in world["snapshots"] if s.cluster_id)],
        ),
        reverse("emulation:period-report", args=[period.pk]),
    ]


def exports(world) -> list[str]:
    return [
        f"{reverse('emulation:ranking-export', args=[snapshot.pk])}?format={kind}"
        for snapshot in world["snapshots"]
        for kind in ("csv", "xlsx")
    ]


def export_text(response) -> str:
    """The cells of a ranking export, whatever its format, as one string."""
    if response["Content-Type"].startswith("text/csv"):
        return response.content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )


def shown_figures(client, world, org) -> dict[str, list[str]]:
    """The provisional figures each page and export shows to the signed-in user."""
    found = {}
    with at(SCORING_OPEN):
        for url in pages(world, org):
            response = client.get(url, **ENGLISH)
            html = response.content.decode() if response.status_code == 200 else ""
            found[url] = [figure for figure in FIGURES if figure in html]
        for url in exports(world):
            response = client.get(url, **ENGLISH)
            text = export_text(response) if response.status_code == 200 else ""
            found[url] = [figure for figure in FIGURES if figure in text]
    return found


def test_the_nightly_job_compiled_provisional_rankings_from_the_colleagues_scores(scoring):
    movement = next(s for s in scoring["snapshots"] if s.scope_key == "movement")

    rows = list(movement.entries.order_by("rank").values_list("unit__code", "total", "area_points"))

    assert all(snapshot.is_provisional for snapshot in scoring["snapshots"])
    assert len(scoring["snapshots"]) == 2  # the cluster and the movement
    assert rows == [
        ("KV1", D("28.90"), {"4": "15.90", "5": "13.00"}),
        ("KV2", D("18.90"), {"4": "11.10", "5": "7.80"}),
    ]


@pytest.mark.parametrize("persona", ["hoidong1", "officer"])
def test_provisional_figures_are_shown_nowhere_to_a_member_yet_to_score_or_a_unit_officer(
    client, org, scoring, persona
):
    user = scoring["members"].get(persona) or scoring["officer"]
    client.force_login(user)

    found = shown_figures(client, scoring, org)

    assert {url: figures for url, figures in found.items() if figures} == {}


@pytest.mark.parametrize("persona", ["hoidong1", "officer"])
def test_provisional_exports_answer_404_to_a_member_yet_to_score_or_a_unit_officer(client, scoring, persona):
    client.force_login(scoring["members"].get(persona) or scoring["officer"])

    with at(SCORING_OPEN):
        answers = {url: client.get(url).status_code for url in exports(scoring)}

    assert set(answers.values()) == {404}


def test_ranking_pages_tell_the_member_the_results_are_not_published_yet(client, org, scoring):
    client.force_login(scoring["members"]["hoidong1"])
    period = scoring["period"]

    with at(SCORING_OPEN):
        listing = client.get(reverse("emulation:ranking-list"), {"period": period.pk}, **ENGLISH)
        explain = client.get(
            reverse("emulation:ranking-unit", args=[org.branch_a.pk]), {"period": period.pk}, **ENGLISH
        )

    for response in (listing, explain):
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="results-withheld"' in html
        assert "The results of 2026 are not published yet" in html
        assert 'data-testid="ranking-row"' not in html
        assert 'data-testid="no-ranking"' not in html
    assert listing.context["movement_snapshot"] is None
    assert explain.context["explanation"] is None


@pytest.mark.parametrize("persona", ["secretary", "leader", "hoidong2"])
def test_secretary_leaders_and_a_member_done_scoring_read_the_provisional_figures(
    client, org, scoring, persona
):
    client.force_login(scoring["members"].get(persona) or scoring[persona])
    listing_url = f"{reverse('emulation:ranking-list')}?period={scoring['period'].pk}"

    found = shown_figures(client, scoring, org)

    assert found[listing_url] == list(FIGURES)
    assert all(found[url] for url in exports(scoring))


def test_the_member_reads_them_once_it_has_scored_its_whole_queue_and_not_before(client, scoring):
    hoidong1, period = scoring["members"]["hoidong1"], scoring["period"]
    client.force_login(hoidong1)
    export = exports(scoring)[0]
    assignments = ScorerAssignment.objects.filter(member=hoidong1).order_by("pk")

    with at(SCORING_OPEN):
        ScorerAssignment.objects.filter(pk=assignments[0].pk).update(completed_at=timezone.now())
        half_way = client.get(export).status_code
        assignments.update(completed_at=timezone.now())
        done = client.get(export).status_code

    assert (half_way, done) == (404, 200)
    assert can_see_provisional_rankings(hoidong1, period)


def test_a_reopened_queue_hides_them_again_until_it_is_scored_again(scoring):
    """A self-assessment resubmitted after being returned goes back to its scorers:
    submit_submission clears `completed_at` of its assignments, which this does directly."""
    hoidong2, period = scoring["members"]["hoidong2"], scoring["period"]
    assert can_see_provisional_rankings(hoidong2, period)

    ScorerAssignment.objects.filter(member=hoidong2).update(completed_at=None)

    assert not can_see_provisional_rankings(hoidong2, period)


def test_a_member_without_any_assignment_in_the_period_does_not_read_them(scoring):
    idle = UserFactory(username="hoidong9", roles=[Role.COMMITTEE_MEMBER])

    visible = list(RankingSnapshot.objects.visible_to(idle))

    assert visible == []
    assert not can_see_provisional_rankings(idle, scoring["period"])


def test_everyone_reads_the_rankings_once_the_period_is_finalised(client, org, scoring):
    Period.objects.filter(pk=scoring["period"].pk).update(is_finalised=True)
    client.force_login(scoring["officer"])
    listing_url = f"{reverse('emulation:ranking-list')}?period={scoring['period'].pk}"

    found = shown_figures(client, scoring, org)

    assert found[listing_url] == list(FIGURES)
    assert all(found[url] for url in exports(scoring))


def test_the_rule_reads_final_snapshots_of_an_unfinalised_period_for_everyone(scoring):
    """A period reopened after finalisation keeps its published final ranking for everyone."""
    final = RankingSnapshotFactory(period=scoring["period"], inputs_hash="f" * 64)

    visible = list(RankingSnapshot.objects.visible_to(scoring["officer"]))

    assert visible == [final]


def scored_units(period, member, count: int) -> None:
    """`count` units under review, each scored in full by `member` (4 points on every criterion)."""
    criteria = list(Criterion.objects.filter(task_area__movement_id=period.movement_id))
    for index in range(count):
        unit = UnitFactory(code=f"Q{index:02d}")
        submission = SubmissionFactory(unit=unit, period=period, state=SubmissionState.UNDER_REVIEW)
        ScorerAssignmentFactory(submission=submission, member=member, completed_at=timezone.now())
        for criterion in criteria:
            ScoreFactory(submission=submission, criterion=criterion, member=member, points=D(4))


@pytest.mark.parametrize("units", [1, 3])
def test_ranking_list_for_a_member_reads_a_fixed_number_of_queries(
    client, period, django_assert_num_queries, units
):
    done = UserFactory(username="hoidong2", roles=[Role.COMMITTEE_MEMBER])
    waiting = UserFactory(username="hoidong1", roles=[Role.COMMITTEE_MEMBER])
    url = reverse("emulation:ranking-list")
    answers = {}
    with at(SCORING_OPEN):
        scored_units(period, done, units)
        Submission.objects.filter(period=period).first().assignments.create(member=waiting)
        compile_provisional_rankings.delay()

        for member, queries in ((done, 9), (waiting, 6)):
            client.force_login(member)
            cache.clear()
            # session, user, periods, roles, current snapshots (the rule as a subquery), the
            # rule once more for the notice; for the reader also task areas, movement count
            # and page
            with django_assert_num_queries(queries):
                response = client.get(url, {"period": period.pk})
            answers[member.username] = response.content.decode().count('data-testid="ranking-row"')

    assert answers == {"hoidong2": units, "hoidong1": 0}

"""The emulation demo: periods 2021–2026, pledges, year ends with scores and finalised results."""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.utils import timezone

from emulation.enums import Phase, PledgeState, SubmissionState
from emulation.models import (
    Criterion,
    CriterionResult,
    Evidence,
    Period,
    Pledge,
    Score,
    ScorerAssignment,
    Submission,
)
from units.models import ClusterMembership
from units.permissions import has_conflict_of_interest

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    from emulation.models import RankingEntry, RankingSnapshot

    models = (
        Period,
        Pledge,
        Submission,
        Score,
        ScorerAssignment,
        CriterionResult,
        Evidence,
        RankingSnapshot,
        RankingEntry,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """Seeded once for the module inside an outer transaction rolled back at the end."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("seed_demo", stdout=io.StringIO())
            first = counts()
            call_command("seed_demo", stdout=io.StringIO())
        yield first
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_demo_periods_past_years_finalised_and_this_year_pledging(demo):
    periods = {period.year: period for period in Period.objects.all()}

    assert sorted(periods) == [2021, 2022, 2023, 2024, 2025, 2026]
    assert all(periods[year].is_finalised for year in range(2021, 2026))
    assert periods[2026].phase_on(timezone.localdate()) == Phase.PLEDGING


def test_demo_every_clustered_unit_pledged_and_was_scored_each_past_year(demo):
    criteria = Criterion.objects.filter(task_area__movement__periods__year=2025).count()

    for year in range(2021, 2026):
        members = set(ClusterMembership.objects.filter(year=year).values_list("unit_id", flat=True))
        pledged = set(
            Pledge.objects.filter(period__year=year, state=PledgeState.ACCEPTED).values_list(
                "unit_id", flat=True
            )
        )
        finalised = Submission.objects.filter(period__year=year, state=SubmissionState.FINALISED)
        assert pledged == members
        assert set(finalised.values_list("unit_id", flat=True)) == members
        assert (
            CriterionResult.objects.filter(submission__period__year=year).count() == len(members) * criteria
        )


def test_demo_2026_has_units_at_every_pledging_stage(demo):
    states = set(Pledge.objects.filter(period__year=2026).values_list("state", flat=True))

    assert states == {PledgeState.DRAFT, PledgeState.SUBMITTED, PledgeState.RETURNED, PledgeState.ACCEPTED}


def test_demo_pledges_were_sent_and_reviewed_before_today_never_after(demo):
    now = timezone.now()
    pledges = Pledge.objects.all()

    assert pledges.filter(period__year=2026, submitted_at__isnull=False).exists()
    assert not pledges.filter(submitted_at__gt=now).exists()  # "sent on 22/12" seen on 07/12 was a bug
    assert not pledges.filter(reviewed_at__gt=now).exists()
    assert not pledges.filter(reviewed_at__lt=F("submitted_at")).exists()


def test_demo_panels_have_three_scorers_none_in_conflict(demo):
    panels = Submission.objects.filter(period__year=2024).annotate(n=Count("assignments"))

    assert {panel.n for panel in panels} == {3}
    for assignment in ScorerAssignment.objects.select_related("member", "submission__unit")[:200]:
        assert not has_conflict_of_interest(assignment.member, assignment.submission.unit)


def test_demo_results_are_varied_and_within_the_maximum(demo):
    results = CriterionResult.objects.filter(submission__period__year=2025).select_related("criterion")
    totals = (
        Submission.objects.filter(period__year=2025)
        .annotate(total=Sum("results__points"))
        .values_list("total", flat=True)
    )

    assert all(result.points <= result.criterion.max_points for result in results)
    assert max(totals) - min(totals) > 5  # a real spread between the best and the last


def test_demo_evidence_files_are_real_pdfs(demo):
    evidence = Evidence.objects.first()

    with evidence.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert Evidence.objects.count() == Submission.objects.filter(period__year__lte=2025).count()


def test_demo_second_run_changes_nothing(demo):
    assert counts() == demo


def test_demo_rankings_are_compiled_for_every_past_year(demo):
    from emulation.models import RankingSnapshot
    from units.models import Cluster

    for year in range(2021, 2026):
        current = RankingSnapshot.objects.filter(period__year=year, is_current=True, is_provisional=False)
        assert current.filter(scope="movement").count() == 1
        assert current.filter(scope="cluster").count() == Cluster.objects.for_year(year).count()
    leaders = RankingSnapshot.objects.get(
        period__year=2025, scope="movement", is_current=True
    ).entries.order_by("rank")
    assert leaders[0].rank == 1
    assert leaders[0].total >= leaders[1].total

"""Cluster covenants: the combined targets, confirmation by members only, once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from emulation.models import CovenantConfirmation
from emulation.queries import covenant_summary
from emulation.services import open_covenant
from tests.factories import ClusterFactory, ClusterMembershipFactory, PledgeFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(org, period):
    cluster = ClusterFactory(year=period.year, name="Cụm thi đua số 1")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a, role="leader")
    other = ClusterFactory(year=period.year, name="Cụm thi đua số 2")
    ClusterMembershipFactory(cluster=other, unit=org.branch_b, role="leader")
    return cluster


def pledge_with(unit, period, values: dict[str, str]):
    pledge = PledgeFactory(unit=unit, period=period, state="submitted")
    for criterion in period.movement.task_areas.first().criteria.model.objects.filter(
        task_area__movement=period.movement
    ):
        pledge.targets.create(
            criterion=criterion, value=Decimal(values[criterion.code]) if criterion.code in values else None
        )
    return pledge


def test_covenant_summary_adds_counts_averages_percentages_counts_yes(org, period, cluster):
    second = UnitFactory(code="KV3", parent=org.dept)
    ClusterMembershipFactory(cluster=cluster, unit=second)
    pledge_with(org.branch_a, period, {"4.2": "90", "4.4": "1000000", "5.1": "10", "5.4": "1"})
    pledge_with(second, period, {"4.2": "100", "4.4": "500000", "5.1": "30", "5.4": "0"})
    covenant = open_covenant(cluster, period)

    members, summaries = covenant_summary(covenant)

    by_code = {row.criterion.code: row for row in summaries}
    assert [membership.unit.code for membership, _pledge in members] == ["KV1", "KV3"]
    assert by_code["4.2"].total == Decimal("95.00")
    assert by_code["4.4"].total == Decimal("1500000.00")
    assert by_code["5.1"].total == Decimal("40.00")
    assert (by_code["5.1"].low, by_code["5.1"].high) == (Decimal("10"), Decimal("30"))
    assert by_code["5.4"].total == Decimal("1.00")
    assert by_code["4.1"].pledged == 0


def test_member_officer_confirms_once(client, org, period, cluster, unit_officer):
    client.force_login(unit_officer)
    url = reverse("emulation:covenant-confirm", kwargs={"cluster": cluster.pk, "period": period.pk})

    client.post(url, {"unit": org.branch_a.pk})
    again = client.post(url, {"unit": org.branch_a.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert CovenantConfirmation.objects.filter(unit=org.branch_a).count() == 1
    assert "has already confirmed this covenant" in again.content.decode()


def test_officer_of_another_cluster_cannot_see_or_confirm(client, org, period, cluster, other_unit_officer):
    client.force_login(other_unit_officer)
    kwargs = {"cluster": cluster.pk, "period": period.pk}

    page = client.get(reverse("emulation:covenant-detail", kwargs=kwargs))
    confirm = client.post(reverse("emulation:covenant-confirm", kwargs=kwargs), {"unit": org.branch_a.pk})

    assert (page.status_code, confirm.status_code) == (404, 404)
    assert CovenantConfirmation.objects.count() == 0


def test_secretary_sees_every_cluster_but_confirms_for_none(client, org, period, cluster, secretary):
    client.force_login(secretary)

    listing = client.get(reverse("emulation:covenant-list"), {"period": period.pk})
    confirm = client.post(
        reverse("emulation:covenant-confirm", kwargs={"cluster": cluster.pk, "period": period.pk}),
        {"unit": org.branch_a.pk},
    )

    assert [c.name for c in listing.context["clusters"]] == ["Cụm thi đua số 1", "Cụm thi đua số 2"]
    assert confirm.status_code == 404
    assert CovenantConfirmation.objects.count() == 0


@pytest.mark.parametrize("extra_members", [0, 2])
def test_covenant_page_query_count_does_not_grow(
    client, org, period, cluster, secretary, django_assert_num_queries, extra_members
):
    for index in range(extra_members):
        unit = UnitFactory(code=f"M{index}", parent=org.dept)
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        pledge_with(unit, period, {"5.1": "5"})
    client.force_login(secretary)
    url = reverse("emulation:covenant-detail", kwargs={"cluster": cluster.pk, "period": period.pk})
    open_covenant(cluster, period)  # created by a first confirmation (reading never creates it)

    # session, user, roles, period, cluster, covenant, members, pledges, target aggregates,
    # criteria, confirmations, home unit, audit trail
    with django_assert_num_queries(13):
        response = client.get(url)

    assert response.status_code == 200

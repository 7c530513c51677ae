"""The leaders' awards dashboard (awards/dashboard.py, awards:dashboard): every figure against
hand-made rows, who may open it, and a query count that does not grow with the data."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from awards.dashboard import awards_overview
from awards.models import AwardRecord, Decision, Nomination
from tests.factories import (
    AwardRecordFactory,
    AwardTypeFactory,
    ClusterFactory,
    ClusterMembershipFactory,
    DecisionFactory,
    ExemplarFactory,
    NominationFactory,
    StaffFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("awards:dashboard")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def decision(number: str, decided_on: datetime.date, base_salary: int) -> Decision:
    return DecisionFactory(
        number=number, decided_on=decided_on, title=f"Quyết định {number}", base_salary=Decimal(base_salary)
    )


def award(code: str, year: int, made_by: Decision, *, staff=None, unit=None, revoked=False) -> AwardRecord:
    """The amount is the award's coefficient × the decision's base salary."""
    return AwardRecordFactory(
        award_type=AwardTypeFactory(code=code),
        year=year,
        staff=staff,
        unit=unit,
        decision=made_by,
        is_revoked=revoked,
        revoked_reason="Khai man thành tích." if revoked else "",
    )


def nominate(code: str, year: int, state: str, *, staff, proposing_unit) -> Nomination:
    return NominationFactory(
        award_type=AwardTypeFactory(code=code),
        year=year,
        staff=staff,
        proposing_unit=proposing_unit,
        state=state,
    )


@pytest.fixture
def awards(org):
    """Two years of awards in two clusters, one unit outside them, and a revoked award.

    2024: cluster "Cụm thi đua số 1" = branch A (with office A), block "Khối cơ quan" = branch B;
    2023: "Cụm thi đua số 1" = branch B. Staff: Lan (office A), Minh (branch B), Hoa (department).
    """
    area_2024 = ClusterFactory(year=2024, kind="area", code="CUM01", name="Cụm thi đua số 1")
    block_2024 = ClusterFactory(year=2024, kind="function", code="KHOI", name="Khối cơ quan")
    area_2023 = ClusterFactory(year=2023, kind="area", code="CUM01", name="Cụm thi đua số 1")
    ClusterMembershipFactory(cluster=area_2024, unit=org.branch_a)
    ClusterMembershipFactory(cluster=block_2024, unit=org.branch_b)
    ClusterMembershipFactory(cluster=area_2023, unit=org.branch_b)
    lan = StaffFactory(full_name="Nguyễn Thị Lan", unit=org.office_a)
    minh = StaffFactory(full_name="Trần Văn Minh", unit=org.branch_b)
    hoa = StaffFactory(full_name="Lê Thị Hoa", unit=org.dept)
    of_2023 = decision("47/QĐ-HQ", datetime.date(2024, 1, 15), 1_800_000)
    of_2024 = decision("71/QĐ-HQ", datetime.date(2025, 1, 15), 2_340_000)
    award("LDTT", 2023, of_2023, staff=minh)  # 540,000
    award("LDTT", 2024, of_2024, staff=lan)  # 702,000
    award("CSTDCS", 2024, of_2024, staff=lan)  # 2,340,000
    award("LDTT", 2024, of_2024, staff=minh)  # 702,000
    award("LDTT", 2024, of_2024, staff=hoa)  # 702,000, outside the clusters
    award("TTLDTT", 2024, of_2024, unit=org.branch_a)  # 1,872,000
    award("CO_BO", 2024, of_2024, unit=org.branch_b)  # 18,720,000
    award("CSTDCS", 2024, of_2024, staff=minh, revoked=True)  # left out everywhere
    for state in ("submitted", "submitted", "screening", "decided", "rejected"):
        nominate("CSTDCS", 2024, state, staff=lan, proposing_unit=org.branch_a)
    nominate("LDTT", 2023, "decided", staff=minh, proposing_unit=org.branch_b)
    ExemplarFactory(name="Cửa khẩu số", unit=org.office_a, stage="discovered", discovered_on="2024-05-02")
    ExemplarFactory(name="Đồng hành", unit=org.branch_b, stage="discovered", discovered_on="2024-09-10")
    ExemplarFactory(name="Gương sáng", staff=lan, stage="fostered", discovered_on="2023-03-01")
    ExemplarFactory(name="Thu điện tử", unit=org.branch_a, stage="replicated", discovered_on="2021-06-01")
    return {"lan": lan, "minh": minh, "hoa": hoa}


def rows(overview):
    return {row.award.code: row.counts for row in overview.titles}


def test_overview_counts_titles_per_award_and_year_without_revoked_awards(awards):
    overview = awards_overview()

    assert overview.years == [2023, 2024]
    assert [row.award.code for row in overview.titles] == ["LDTT", "CSTDCS", "TTLDTT", "CO_BO"]
    assert rows(overview) == {"LDTT": (1, 3), "CSTDCS": (0, 1), "TTLDTT": (0, 1), "CO_BO": (0, 1)}
    assert overview.year_totals == [1, 6]
    assert overview.total_titles == 7


def test_overview_sums_the_rewards_paid_each_year(awards):
    overview = awards_overview()

    assert [(row.year, row.records, row.amount) for row in overview.rewards] == [
        (2023, 1, Decimal(540_000)),
        (2024, 6, Decimal(25_038_000)),
    ]


def test_overview_defaults_to_the_latest_year_with_awards(awards):
    overview = awards_overview()

    assert overview.year == 2024
    assert overview.year_choices == [2024, 2023]
    assert overview.year_records == 6
    assert overview.year_amount == Decimal(25_038_000)


def test_overview_groups_the_years_awards_by_the_clusters_of_that_year(awards):
    overview = awards_overview(2024)

    assert [award.code for award in overview.cluster_awards] == ["LDTT", "CSTDCS", "TTLDTT", "CO_BO"]
    assert [(row.name, row.kind, row.units, row.counts) for row in overview.clusters] == [
        ("Cụm thi đua số 1", "area", 1, (1, 1, 1, 0)),  # Lan in office A below branch A, and branch A
        ("Khối cơ quan", "function", 1, (1, 0, 0, 1)),  # Minh and branch B
    ]
    assert overview.outside_clusters.counts == (1, 0, 0, 0)  # Hoa, at the department


def test_overview_uses_the_cluster_membership_of_the_chosen_year(awards):
    overview = awards_overview(2023)

    assert [award.code for award in overview.cluster_awards] == ["LDTT"]
    assert [(row.name, row.units, row.counts) for row in overview.clusters] == [("Cụm thi đua số 1", 1, (1,))]
    assert overview.outside_clusters is None


def test_overview_counts_the_nominations_of_the_year_per_state(awards):
    overview = awards_overview(2024)

    pipeline = {tally.value: tally.count for tally in overview.pipeline}
    assert pipeline == {
        "draft": 0,
        "submitted": 2,
        "screening": 1,
        "needs_supplement": 0,
        "council": 0,
        "approved": 0,
        "rejected": 1,
        "decided": 1,
    }
    assert overview.pipeline_total == 5
    assert overview.pipeline_open == 3
    assert awards_overview(2023).pipeline_total == 1


def test_overview_counts_advanced_models_per_stage_latest_first(awards):
    overview = awards_overview()

    assert [(tally.value, tally.count) for tally in overview.stages] == [
        ("discovered", 2),
        ("fostered", 1),
        ("summed_up", 0),
        ("replicated", 1),
    ]
    assert [exemplar.name for exemplar in overview.exemplars] == [
        "Đồng hành",
        "Cửa khẩu số",
        "Gương sáng",
        "Thu điện tử",
    ]


def test_overview_without_any_award_or_nomination_has_no_year(db):
    overview = awards_overview(2024)

    assert overview.year is None
    assert overview.titles == []
    assert overview.clusters == []


def test_dashboard_shows_the_figures_to_a_leader(client, leader, awards):
    client.force_login(leader)

    response = client.get(URL, **ENGLISH)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="figure-amount">25,038,000<', html)
    assert re.search(r'data-testid="figure-records">6<', html)
    assert re.search(r'data-testid="figure-open">3<', html)
    assert re.search(r'data-testid="figure-exemplars">4<', html)
    assert re.search(
        r'data-year="2024">\s*<th[^>]*>2024</th>\s*<td[^>]*>6</td>\s*<td[^>]*>25,038,000</td>', html
    )
    assert "Khai man" not in html
    charts = json.loads(
        re.search(r'<script id="awards-chart-data" type="application/json">(.*?)</script>', html)[1]
    )
    assert charts["individual"] == {
        "labels": ["2023", "2024"],
        "datasets": [{"label": "LĐTT", "data": [1, 3]}, {"label": "CSTĐCS", "data": [0, 1]}],
    }
    assert charts["collective"]["datasets"] == [
        {"label": "TTLĐTT", "data": [0, 1]},
        {"label": "Cờ thi đua Bộ", "data": [0, 1]},
    ]
    assert charts["rewards"]["datasets"][0]["data"] == [540000, 25038000]
    assert "js/charts.js" in html


def test_dashboard_shows_the_year_asked_for(client, secretary, awards):
    client.force_login(secretary)

    response = client.get(URL, {"year": "2023"}, **ENGLISH)

    assert response.context["overview"].year == 2023
    assert '<option value="2023" selected>' in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "1999", "20245", ""])
def test_dashboard_falls_back_to_the_latest_year_for_a_bad_year(client, leader, awards, year):
    client.force_login(leader)

    response = client.get(URL, {"year": year}, **ENGLISH)

    assert response.status_code == 200
    assert response.context["overview"].year == 2024


def test_dashboard_is_open_to_an_administrator(client, superuser, awards):
    client.force_login(superuser)

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["unit_officer", "committee_member"])
def test_dashboard_refuses_other_roles(client, request, awards, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL, **ENGLISH)

    assert response.status_code == 403
    assert "25,038,000" not in response.content.decode()


def test_dashboard_sends_an_anonymous_visitor_to_the_login_page(client, awards):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_is_in_the_menu_of_leaders_only(client, leader, unit_officer):
    client.force_login(leader)
    assert URL in client.get(reverse("units:unit-list")).content.decode()

    client.force_login(unit_officer)
    assert URL not in client.get(reverse("units:unit-list")).content.decode()


@pytest.mark.parametrize("size", [1, 3])
def test_dashboard_query_count_does_not_grow_with_the_data(
    client, leader, org, django_assert_num_queries, size
):
    clusters = [ClusterFactory(year=2024, code=f"CUM{n}", name=f"Cụm {n}") for n in range(size)]
    made_by = decision("71/QĐ-HQ", datetime.date(2025, 1, 15), 2_340_000)
    for number, cluster in enumerate(clusters):
        branch = org.branch_a if number % 2 == 0 else org.branch_b
        unit = UnitFactory(code=f"Q{number}", name=f"Đội {number}", kind="office", parent=branch)
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        staff = StaffFactory(unit=unit)
        award("LDTT", 2024, made_by, staff=staff)
        award("TTLDTT", 2024, made_by, unit=unit)
        nominate("CSTDCS", 2024, "submitted", staff=staff, proposing_unit=unit)
        ExemplarFactory(name=f"Mô hình {number}", unit=unit, discovered_on="2024-01-02")
    client.force_login(leader)

    # session, user, roles; award types, records per year and type, nominations per year and
    # state, the year's memberships and records per subject, exemplars per stage, latest exemplars
    with django_assert_num_queries(10):
        response = client.get(URL)

    assert response.context["overview"].year_records == 2 * size

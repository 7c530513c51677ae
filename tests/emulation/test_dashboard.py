"""The leaders' dashboards, the drill-downs, the officer's home, the exports and the A4 report.

The world (fixture `world`): the test movement of tests/emulation/conftest.py (task area 4:
4.1 max 10, 4.2 max 5, 4.4 max 5; task area 5: 5.1 max 10, 5.4 max 10), years 2024 and 2025
finalised and 2026 under way, and two clusters of three units every year:

    Cụm A (CA): KV1 (branch A), A2, A3        Cụm B (CB): KV2 (branch B), B2, B3

Final points (4.1 4.2 4.4 5.1 5.4), hence totals and task-area points:

    2025  KV1 10 5 5 10 10 = 40 (20, 20)   KV2 9 5 5 10 8 = 37 (19, 18)
          A2   8 4 4  9  9 = 34 (16, 18)   B2  7 4 5  8 6 = 30 (16, 14)
          A3   6 3 3  7  7 = 26 (12, 14)   B3  5 2 2  5 5 = 19 ( 9, 10)
    2024  KV1  8 4 4  8  8 = 32            KV2 9 4 4  9 9 = 35    (the others were not ranked)

Every figure asserted below is worked out by hand from these tables in the comments next to it.
"""

import csv
import datetime
import io
from decimal import Decimal as D
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emulation import setup_services
from emulation.enums import COLLECTIVE_TITLES, PledgeState, SubmissionState
from emulation.models import (
    Criterion,
    CriterionResult,
    Period,
    Pledge,
    PledgeTarget,
    Score,
    Submission,
)
from emulation.services import pledges, scoring
from emulation.services.rankings import compile_rankings
from tests.emulation.conftest import at
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionResultFactory,
    IndividualRegistrationFactory,
    PeriodFactory,
    PledgeFactory,
    PledgeTargetFactory,
    ScorerAssignmentFactory,
    SelfScoreFactory,
    StaffFactory,
    SubmissionFactory,
    UnitFactory,
    UserFactory,
)
from units.enums import Role
from units.models import ClusterMembership, Unit

pytestmark = pytest.mark.django_db

CODES = ("4.1", "4.2", "4.4", "5.1", "5.4")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
# After both 2026 deadlines (pledging closed 31/01, self-assessment closed 20/12).
LATE_IN_2026 = datetime.date(2026, 12, 25)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered rankings are cached by snapshot id; ids repeat between tests on SQLite."""
    cache.clear()
    yield
    cache.clear()


# --- Building the world ------------------------------------------------------------------------


class TableReader(HTMLParser):
    """The text of every cell of the table carrying data-testid=<testid>, row by row."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.depth = 0  # >0 while inside the wanted table
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("data-testid") == self.testid):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid: str) -> list[list[str]]:
    reader = TableReader(testid)
    reader.feed(response.content.decode())
    return [row for row in reader.rows if row]


def by_code(period) -> dict[str, Criterion]:
    return {c.code: c for c in Criterion.objects.filter(task_area__movement_id=period.movement_id)}


def finalised(period, unit, points: str, achieved: dict[str, str] | None = None) -> Submission:
    """A finalised self-assessment with its committee results and the values the unit reported."""
    submission = SubmissionFactory(unit=unit, period=period, state=SubmissionState.FINALISED)
    criteria = by_code(period)
    for code, p in zip(CODES, points.split(), strict=True):
        CriterionResultFactory(submission=submission, criterion=criteria[code], raw_points=D(p))
    for code, value in (achieved or {}).items():
        SelfScoreFactory(submission=submission, criterion=criteria[code], achieved_value=D(value))
    return submission


def pledge(
    period, unit, state: str, targets: dict[str, str | None] | None = None, reason: str = ""
) -> Pledge:
    made = PledgeFactory(unit=unit, period=period, state=state, return_reason=reason)
    criteria = by_code(period)
    for code, value in (targets or {}).items():
        PledgeTargetFactory(pledge=made, criterion=criteria[code], value=None if value is None else D(value))
    return made


def finalise_and_rank(period) -> Period:
    Period.objects.filter(pk=period.pk).update(is_finalised=True)
    period.refresh_from_db()
    compile_rankings(period)
    return period


class World:
    """Handles on the world's objects for the tests."""


@pytest.fixture
def world(org, movement):
    w = World()
    w.org = org
    w.kv1, w.kv2 = org.branch_a, org.branch_b
    w.a2 = UnitFactory(code="A2", name="Chi cục Hải quan khu vực A2", kind="branch", parent=org.dept)
    w.a3 = UnitFactory(code="A3", name="Chi cục Hải quan khu vực A3", kind="branch", parent=org.dept)
    w.b2 = UnitFactory(code="B2", name="Chi cục Hải quan khu vực B2", kind="branch", parent=org.dept)
    w.b3 = UnitFactory(code="B3", name="Chi cục Hải quan khu vực B3", kind="branch", parent=org.dept)
    w.p2024 = PeriodFactory(movement=movement, year=2024)
    w.p2025 = PeriodFactory(movement=movement, year=2025)
    w.p2026 = PeriodFactory(movement=movement, year=2026)
    w.clusters = {}
    for year in (2024, 2025, 2026):
        cluster_a = ClusterFactory(year=year, code="CA", name="Cụm A")
        cluster_b = ClusterFactory(year=year, code="CB", name="Cụm B")
        for unit in (w.kv1, w.a2, w.a3):
            ClusterMembershipFactory(cluster=cluster_a, unit=unit)
        for unit in (w.kv2, w.b2, w.b3):
            ClusterMembershipFactory(cluster=cluster_b, unit=unit)
        w.clusters[year] = (cluster_a, cluster_b)

    # 2024: only KV1 and KV2 finalised.
    pledge(w.p2024, w.kv1, PledgeState.ACCEPTED, {"4.2": "85"})
    finalised(w.p2024, w.kv1, "8 4 4 8 8", {"4.2": "88"})
    finalised(w.p2024, w.kv2, "9 4 4 9 9")
    finalise_and_rank(w.p2024)

    # 2025: everyone finalised; B3's pledge stayed a draft (its 4.2 target of 50 does not count).
    targets = {
        w.kv1: {"4.1": "100", "4.2": "100", "4.4": "1000000000"},
        w.a2: {"4.1": "105", "4.2": "90"},
        w.a3: {"4.2": "95"},
        w.kv2: {"4.2": "100", "4.4": "2500000000"},
        w.b2: {"4.2": "80"},
    }
    for unit, values in targets.items():
        pledge(w.p2025, unit, PledgeState.ACCEPTED, values)
    pledge(w.p2025, w.b3, PledgeState.DRAFT, {"4.2": "50"})
    w.registration_staff = StaffFactory(unit=w.kv1, full_name="Nguyễn Thị Mai")
    IndividualRegistrationFactory(
        pledge=Pledge.objects.get(unit=w.kv1, period=w.p2025), staff=w.registration_staff, title="CSTDCS"
    )
    finalised(w.p2025, w.kv1, "10 5 5 10 10", {"4.1": "110.5", "4.2": "98", "4.4": "900000000"})
    finalised(w.p2025, w.a2, "8 4 4 9 9", {"4.2": "92"})
    finalised(w.p2025, w.a3, "6 3 3 7 7")
    finalised(w.p2025, w.kv2, "9 5 5 10 8", {"4.1": "95", "4.2": "100"})
    finalised(w.p2025, w.b2, "7 4 5 8 6", {"4.2": "85", "4.4": "1200000000"})
    finalised(w.p2025, w.b3, "5 2 2 5 5", {"4.2": "80"})
    finalise_and_rank(w.p2025)

    # 2026 under way: pledges and self-assessments in every state, three scorer assignments.
    pledge(w.p2026, w.kv1, PledgeState.ACCEPTED, {"4.2": "100"})
    pledge(w.p2026, w.a2, PledgeState.SUBMITTED, {"4.2": "98"})
    pledge(w.p2026, w.a3, PledgeState.DRAFT, {"4.2": "70"})
    pledge(w.p2026, w.kv2, PledgeState.RETURNED, {"4.2": "60"}, reason="Thiếu chỉ tiêu thu nộp điện tử.")
    pledge(w.p2026, w.b2, PledgeState.ACCEPTED, {"4.2": "99"})
    w.s_kv1 = SubmissionFactory(unit=w.kv1, period=w.p2026, state=SubmissionState.UNDER_REVIEW)
    w.s_a2 = SubmissionFactory(unit=w.a2, period=w.p2026, state=SubmissionState.SUBMITTED)
    SubmissionFactory(unit=w.kv2, period=w.p2026, state=SubmissionState.DRAFT)
    SubmissionFactory(
        unit=w.b2, period=w.p2026, state=SubmissionState.RETURNED, return_reason="Thiếu minh chứng."
    )
    w.scorers = [UserFactory(username=f"scorer{i}", roles=[Role.COMMITTEE_MEMBER]) for i in range(2)]
    ScorerAssignmentFactory(
        submission=w.s_kv1, member=w.scorers[0], completed_at=datetime.datetime.now(datetime.UTC)
    )
    ScorerAssignmentFactory(submission=w.s_kv1, member=w.scorers[1])
    ScorerAssignmentFactory(submission=w.s_a2, member=w.scorers[0])
    return w


def dashboard(client, period, **params):
    return client.get(reverse("emulation:dashboard"), {"period": period.pk, **params}, **ENGLISH)


# --- Progress tiles -------------------------------------------------------------------------------


def test_dashboard_progress_tiles_count_each_cluster_after_both_deadlines(client, leader, world):

    with at(LATE_IN_2026):
        client.force_login(leader)
        response = dashboard(client, world.p2026)

    # Cụm A: pledges KV1 accepted + A2 submitted = 2 (1 accepted); self-assessments KV1 being
    # scored + A2 submitted = 2; assignments 1 done of 3; late: A3 (draft pledge, no self-assessment).
    # Cụm B: pledges B2 accepted = 1 (KV2 returned); self-assessments none (KV2 draft, B2 returned,
    # B3 none); no assignment; late: KV2, B2, B3.
    assert table_rows(response, "progress-table") == [
        [
            "Cluster or block",
            "Units",
            "Pledges submitted",
            "Accepted",
            "Self-assessments submitted",
            "Scoring done",
            "Units late",
        ],
        ["Cụm A", "3", "2", "1", "2", "1/3", "1"],
        ["Cụm B", "3", "1", "1", "0", "0/0", "3"],
        ["All clusters and blocks", "6", "3", "2", "2", "1/3", "4"],
    ]
    html = response.content.decode()
    assert 'data-testid="tile-pledges-submitted">3<' in html
    assert 'data-testid="tile-pledges-accepted">2<' in html
    assert 'data-testid="tile-submissions">2<' in html
    assert 'data-testid="tile-scoring-done">1<' in html
    assert 'data-testid="tile-late">4<' in html
    total = response.context["progress"].total
    assert (total.pledges_submitted_share, total.submissions_share, total.scoring_share) == (
        D("50.0"),  # 3 of 6
        D("33.3"),  # 2 of 6
        D("33.3"),  # 1 of 3
    )


def test_dashboard_late_units_count_only_the_deadlines_already_passed(client, leader, world):
    with at(datetime.date(2026, 6, 15)):  # pledging closed, self-assessment not yet open
        client.force_login(leader)
        response = dashboard(client, world.p2026)

    # Only the pledges count: A3 (draft), KV2 (returned), B3 (none).
    assert [row[-1] for row in table_rows(response, "progress-table")[1:]] == ["1", "2", "3"]


def test_dashboard_counts_no_late_unit_before_the_pledging_deadline(client, leader, world):
    with at(datetime.date(2026, 1, 20)):
        client.force_login(leader)
        response = dashboard(client, world.p2026)

    assert [row[-1] for row in table_rows(response, "progress-table")[1:]] == ["0", "0", "0"]


def test_dashboard_progress_counts_only_the_members_of_the_years_clusters(client, leader, world):
    outsider = UnitFactory(code="X9", name="Đơn vị ngoài cụm")
    pledge(world.p2026, outsider, PledgeState.ACCEPTED)

    with at(LATE_IN_2026):
        client.force_login(leader)
        response = dashboard(client, world.p2026)

    assert table_rows(response, "progress-table")[-1][:4] == ["All clusters and blocks", "6", "3", "2"]


# --- Rankings, task areas, trend --------------------------------------------------------------------


def test_dashboard_shows_each_clusters_ranking_from_its_final_snapshot(client, leader, world):
    cluster_a, cluster_b = world.clusters[2025]

    with at(LATE_IN_2026):
        client.force_login(leader)
        response = dashboard(client, world.p2025)

    assert table_rows(response, f"ranking-table-cluster:{cluster_a.pk}")[1:] == [
        ["1", "Chi cục Hải quan khu vực I", "40", "20", "20"],
        ["2", "Chi cục Hải quan khu vực A2", "34", "16", "18"],
        ["3", "Chi cục Hải quan khu vực A3", "26", "12", "14"],
    ]
    assert table_rows(response, f"ranking-table-cluster:{cluster_b.pk}")[1:] == [
        ["1", "Chi cục Hải quan khu vực II", "37", "19", "18"],
        ["2", "Chi cục Hải quan khu vực B2", "30", "16", "14"],
        ["3", "Chi cục Hải quan khu vực B3", "19", "9", "10"],
    ]
    assert [board.size for board, _html in response.context["boards"]] == [3, 3]
    html = response.content.decode()
    assert 'data-testid="provisional-badge"' not in html
    assert f'href="{reverse("emulation:ranking-list")}?period={world.p2025.pk}"' in html


def test_dashboard_shows_at_most_five_units_per_cluster(client, leader, world):
    cluster_a = world.clusters[2025][0]
    for index in range(4):
        unit = UnitFactory(code=f"A9{index}", name=f"Đội {index}")
        ClusterMembershipFactory(cluster=cluster_a, unit=unit)
        finalised(world.p2025, unit, "1 1 1 1 1")
    compile_rankings(world.p2025)
    client.force_login(leader)

    response = dashboard(client, world.p2025)

    assert len(table_rows(response, f"ranking-table-cluster:{cluster_a.pk}")) == 1 + 5
    assert response.context["boards"][0][0].size == 7


def test_dashboard_marks_a_provisional_ranking(client, leader, world):
    criteria = by_code(world.p2026)
    Score.objects.bulk_create(
        Score(submission=world.s_kv1, criterion=criteria[code], member=world.scorers[0], points=D(p))
        for code, p in zip(CODES, ["5", "2", "2", "5", "5"], strict=True)
    )
    compile_rankings(world.p2026)
    client.force_login(leader)

    response = dashboard(client, world.p2026)

    cluster_a = world.clusters[2026][0]
    # KV1 19 from the current scores; A2 submitted but not scored yet: 0.
    assert [row[:3] for row in table_rows(response, f"ranking-table-cluster:{cluster_a.pk}")[1:]] == [
        ["1", "Chi cục Hải quan khu vực I", "19"],
        ["2", "Chi cục Hải quan khu vực A2", "0"],
    ]
    assert 'data-testid="provisional-badge"' in response.content.decode()


def test_dashboard_task_area_table_holds_the_cluster_means_the_chart_draws(client, leader, world):
    client.force_login(leader)

    response = dashboard(client, world.p2025)

    # Cụm A: TA4 (20 + 16 + 12) / 3 = 16, TA5 (20 + 18 + 14) / 3 = 17.33;
    # Cụm B: TA4 (19 + 16 + 9) / 3 = 14.67, TA5 (18 + 14 + 10) / 3 = 14.
    assert table_rows(response, "areas-table")[1:] == [
        ["TA4", "20", "16", "14.67"],
        ["TA5", "20", "17.33", "14"],
    ]
    chart = response.context["chart_data"]["areas"]
    assert chart["labels"] == ["TA4", "TA5"]
    assert [(s["label"], s["data"]) for s in chart["datasets"]] == [
        ("Cụm A", [16.0, 17.33]),
        ("Cụm B", [14.67, 14.0]),
    ]


def test_dashboard_trend_shows_each_clusters_mean_total_per_year(client, leader, world):
    client.force_login(leader)

    response = dashboard(client, world.p2025)

    # 2024: Cụm A only KV1 (32), Cụm B only KV2 (35), movement (32 + 35) / 2 = 33.5.
    # 2025: Cụm A (40 + 34 + 26) / 3 = 33.33, Cụm B (37 + 30 + 19) / 3 = 28.67, movement 186 / 6 = 31.
    assert table_rows(response, "trend-table") == [
        ["Year", "Cụm A", "Cụm B", "Movement average"],
        ["2024", "32", "35", "33.5"],
        ["2025", "33.33", "28.67", "31"],
        ["2026", "—", "—", "—"],
    ]
    assert response.context["chart_data"]["trend"]["datasets"][0]["data"] == [32.0, 33.33, None]


def test_dashboard_trend_of_one_unit_gives_its_totals_and_ranks(client, leader, world):
    client.force_login(leader)

    response = dashboard(client, world.p2025, trend=f"unit:{world.kv1.pk}")

    assert table_rows(response, "trend-table") == [
        ["Year", "Chi cục Hải quan khu vực I", "Movement average", "Rank in cluster"],
        ["2024", "32", "33.5", "1/1"],
        ["2025", "40", "31", "1/3"],
        ["2026", "—", "—", "—"],
    ]


def test_dashboard_trend_of_one_cluster(client, leader, world):
    client.force_login(leader)

    response = dashboard(client, world.p2025, trend="cluster:CB")

    assert table_rows(response, "trend-table")[1:3] == [["2024", "35", "33.5"], ["2025", "28.67", "31"]]


@pytest.mark.parametrize("trend", ["unit:999999", "unit:abc", "cluster:ZZ", "garbage", ""])
def test_dashboard_ignores_a_trend_it_does_not_offer(client, leader, world, trend):
    outsider = UnitFactory(code="X9")
    client.force_login(leader)

    response = dashboard(client, world.p2025, trend=trend.replace("999999", str(outsider.pk)))

    assert response.status_code == 200
    assert response.context["trend"].subject == "clusters"


# --- Headline targets ---------------------------------------------------------------------------------


def test_dashboard_headline_targets_year_by_year(client, leader, world):
    client.force_login(leader)

    response = dashboard(client, world.p2025)

    headlines = {h.criterion.code: h for h in response.context["headlines"]}
    assert list(headlines) == ["4.2", "4.1", "4.4"]
    # 4.2 pledged: 2024 KV1 85; 2025 (100 + 90 + 95 + 100 + 80) / 5 = 93 (B3's draft left out);
    # 2026 (100 + 98 + 99) / 3 = 99 (the draft and the returned pledge left out).
    # 4.2 achieved: 2024 KV1 88; 2025 (98 + 92 + 100 + 85 + 80) / 5 = 91; 2026 not finalised.
    assert [
        (y.year, y.pledged_units, y.pledged, y.achieved_units, y.achieved, y.achieved_share_of_goal)
        for y in headlines["4.2"].years
    ] == [
        (2024, 1, D("85.00"), 1, D("88.00"), D("88.0")),
        (2025, 5, D("93.00"), 5, D("91.00"), D("91.0")),
        (2026, 3, D("99.00"), 0, None, None),
    ]
    # 4.1 in 2025: pledged (100 + 105) / 2 = 102.5; achieved (110.5 + 95) / 2 = 102.75 -> 102.8 % of 100.
    assert [(y.pledged, y.achieved, y.achieved_share_of_goal) for y in headlines["4.1"].years][1] == (
        D("102.50"),
        D("102.75"),
        D("102.8"),
    )
    # 4.4 (money) is added up: pledged 1 + 2.5 billion, achieved 0.9 + 1.2 billion; no fixed goal.
    assert [(y.pledged, y.achieved) for y in headlines["4.4"].years][1] == (D("3500000000"), D("2100000000"))
    assert headlines["4.4"].years[1].achieved_share_of_goal is None
    rows = table_rows(response, "headline-table")
    assert rows[:4] == [
        ["Year", "Pledged (%)", "Achieved (%)", "Goal (%)", "Of the goal"],
        ["2024", "85 (1)", "88 (1)", "100", "88 %"],
        ["2025", "93 (5)", "91 (5)", "100", "91 %"],
        ["2026", "99 (3)", "—", "100", "—"],
    ]
    assert "Goal: 100 % by 2026." in response.content.decode()
    assert response.context["chart_data"]["headline-4-2"]["datasets"][2] == {
        "label": "Goal",
        "data": [100.0, 100.0, 100.0],
        "goal": True,
    }


# --- Who sees what ----------------------------------------------------------------------------------


def test_dashboard_and_cluster_are_for_leaders_secretary_and_administrators(
    client, world, leader, secretary, superuser, unit_officer, committee_member
):
    cluster = world.clusters[2025][0]
    urls = [reverse("emulation:dashboard"), reverse("emulation:dashboard-cluster", args=[cluster.pk])]
    answers = {}
    for user in (leader, secretary, superuser, unit_officer, committee_member):
        client.force_login(user)
        answers[user.username] = [client.get(url).status_code for url in urls]

    assert answers == {
        "leader": [200, 200],
        "secretary": [200, 200],
        "admin": [200, 200],
        "officer": [403, 403],
        "member": [403, 403],
    }


def test_unit_drilldown_officer_sees_its_unit_and_those_below_only(client, world, unit_officer):
    client.force_login(unit_officer)

    answers = {
        unit.code: client.get(reverse("emulation:dashboard-unit", args=[unit.pk])).status_code
        for unit in (world.kv1, world.org.office_a, world.kv2, world.a2, world.org.dept)
    }

    assert answers == {"KV1": 200, "KV1-01": 200, "KV2": 404, "A2": 404, "DEPT": 404}


def test_unit_drilldown_shows_staff_registrations_to_leaders_but_not_to_committee_members(
    client, world, leader, committee_member
):
    url = reverse("emulation:dashboard-unit", args=[world.kv1.pk])
    client.force_login(leader)
    leader_html = client.get(url).content.decode()
    client.force_login(committee_member)
    member_response = client.get(url)

    assert "Nguyễn Thị Mai" in leader_html
    assert member_response.status_code == 200
    assert "Nguyễn Thị Mai" not in member_response.content.decode()
    assert 'data-testid="registrations"' not in member_response.content.decode()
    # Nor links to self-assessments it was not assigned to score.
    assert world.s_kv1.get_absolute_url() not in member_response.content.decode()


# --- The drill-downs ------------------------------------------------------------------------------------


def test_cluster_drilldown_lists_members_progress_and_full_ranking(client, leader, world):
    cluster_a = world.clusters[2026][0]

    with at(LATE_IN_2026):
        client.force_login(leader)
        response = client.get(reverse("emulation:dashboard-cluster", args=[cluster_a.pk]), **ENGLISH)

    assert [row[1:] for row in table_rows(response, "members-table")[1:]] == [
        ["Submitted", "Submitted", "0/1"],  # A2
        ["Draft", "Not started", "0/0"],  # A3
        ["Accepted", "Being scored", "1/2"],  # KV1
    ]
    assert response.content.decode().count('data-testid="late-badge"') == 1  # A3
    assert [cluster.year for cluster in response.context["other_years"]] == [2024, 2025, 2026]


def test_cluster_drilldown_of_a_finalised_year_shows_the_whole_ranking(client, leader, world):
    cluster_b = world.clusters[2025][1]
    client.force_login(leader)

    response = client.get(reverse("emulation:dashboard-cluster", args=[cluster_b.pk]), **ENGLISH)

    assert [row[:3] for row in table_rows(response, f"ranking-table-cluster:{cluster_b.pk}")[1:]] == [
        ["1", "Chi cục Hải quan khu vực II", "37"],
        ["2", "Chi cục Hải quan khu vực B2", "30"],
        ["3", "Chi cục Hải quan khu vực B3", "19"],
    ]
    assert table_rows(response, "cluster-area-means")[1:] == [["14.67", "14"]]


def test_cluster_drilldown_of_an_unknown_cluster_is_404(client, leader, world):
    client.force_login(leader)

    assert client.get(reverse("emulation:dashboard-cluster", args=[999999])).status_code == 404


def test_unit_drilldown_shows_rank_history_scores_pledges_and_self_assessments(client, leader, world):
    client.force_login(leader)

    response = client.get(reverse("emulation:dashboard-unit", args=[world.kv1.pk]), **ENGLISH)

    # 2024: Cụm A alone (1/1), movement KV2 35 before KV1 32 (2/2); 2025: 1/3 and 1/6.
    assert table_rows(response, "history-table")[1:] == [
        ["2024", "Cụm A", "1/1", "2/2", "32"],
        ["2025", "Cụm A", "1/3", "1/6", "40"],
    ]
    assert table_rows(response, "scores-table") == [
        ["Criterion", "Max", "2024", "2025"],
        [f"4.1 {by_code(world.p2025)['4.1'].title}", "10", "8", "10"],
        [f"4.2 {by_code(world.p2025)['4.2'].title}", "5", "4", "5"],
        [f"4.4 {by_code(world.p2025)['4.4'].title}", "5", "4", "5"],
        [f"5.1 {by_code(world.p2025)['5.1'].title}", "10", "8", "10"],
        [f"5.4 {by_code(world.p2025)['5.4'].title}", "10", "8", "10"],
        ["Criteria points", "", "32", "40"],
    ]
    assert [row[:2] for row in table_rows(response, "pledges-table")[1:]] == [
        ["2026", "Accepted"],
        ["2025", "Accepted"],
        ["2024", "Accepted"],
    ]
    assert [[row[0], row[1], row[3]] for row in table_rows(response, "submissions-table")[1:]] == [
        ["2026", "Being scored", "—"],
        ["2025", "Finalised", "40"],
        ["2024", "Finalised", "32"],
    ]
    assert response.context["chart_data"]["history"]["datasets"][0]["data"] == [32.0, 40.0]


# --- The unit officer's home -------------------------------------------------------------------------


def test_home_shows_each_role_its_own_page(client, world, leader, secretary, unit_officer, committee_member):
    templates = {}
    for user in (leader, secretary, unit_officer, committee_member):
        client.force_login(user)
        response = client.get(reverse("home"))
        templates[user.username] = response.templates[0].name

    assert templates == {
        "leader": "emulation/dashboard.html",
        "secretary": "emulation/dashboard.html",
        "officer": "home_officer.html",
        "member": "home.html",
    }


def test_officer_home_shows_the_returned_pledge_first_with_its_reason_and_days_left(
    client, world, other_unit_officer
):

    with at(datetime.date(2026, 1, 20)):
        client.force_login(other_unit_officer)
        response = client.get(reverse("home"), **ENGLISH)

    outlook = response.context["outlook"]
    assert (outlook.next_duty.kind, outlook.next_duty.deadline, outlook.next_duty.days_left) == (
        "pledge",
        datetime.date(2026, 1, 31),
        11,
    )
    html = response.content.decode()
    assert 'data-testid="days-left" data-days="11">11 days left<' in html
    assert "Due by 31/01/2026" in html
    assert [d.return_reason for d in outlook.returned] == ["Thiếu chỉ tiêu thu nộp điện tử."]
    assert f'href="{reverse("emulation:pledge-mine")}"' in html


def test_officer_home_moves_on_to_the_self_assessment_once_the_pledge_deadline_passed(
    client, world, other_unit_officer
):

    with at(datetime.date(2026, 12, 10)):
        client.force_login(other_unit_officer)
        response = client.get(reverse("home"), **ENGLISH)

    next_duty = response.context["outlook"].next_duty
    assert (next_duty.kind, next_duty.deadline, next_duty.days_left) == (
        "self_assessment",
        datetime.date(2026, 12, 20),
        10,
    )
    assert table_rows(response, "duties")[1:] == [
        ["Pledge 2026", "Returned for changes", "01/01/2026 – 31/01/2026", "overdue since 31/01/2026"],
        ["Self-assessment 2026", "Draft", "01/12/2026 – 20/12/2026", "10 days left"],
    ]
    assert f'href="{reverse("emulation:submission-mine")}"' in response.content.decode()


def test_officer_home_shows_the_latest_rank_and_the_trend(client, world, other_unit_officer):

    with at(datetime.date(2026, 1, 20)):
        client.force_login(other_unit_officer)
        response = client.get(reverse("home"), **ENGLISH)

    latest = response.context["outlook"].latest_rank
    assert (latest.period.year, latest.cluster_rank, latest.cluster_size, latest.total) == (
        2025,
        1,
        3,
        D("37"),
    )
    assert table_rows(response, "rank-trend")[1:] == [["2024", "1/1", "35"], ["2025", "1/3", "37"]]
    assert f'href="{reverse("emulation:ranking-unit", args=[world.kv2.pk])}?period={world.p2025.pk}"' in (
        response.content.decode()
    )


def test_officer_home_without_a_unit_asks_to_be_linked(client, db):
    officer = UserFactory(username="unlinked", roles=[Role.UNIT_OFFICER])
    client.force_login(officer)

    response = client.get(reverse("home"), **ENGLISH)

    assert response.status_code == 200
    assert 'data-testid="no-unit"' in response.content.decode()


def test_officer_home_says_so_when_nothing_is_due(client, org, unit_officer):
    client.force_login(unit_officer)

    response = client.get(reverse("home"), **ENGLISH)

    assert response.status_code == 200
    assert 'data-testid="nothing-due"' in response.content.decode()


# --- Exports ----------------------------------------------------------------------------------------


def workbook_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_ranking_export_xlsx_has_headers_formats_and_values(client, unit_officer, world):
    cluster_a = world.clusters[2025][0]
    snapshot = world.p2025.snapshots.get(cluster=cluster_a, is_current=True)
    client.force_login(unit_officer)  # rankings are read by every role

    response = client.get(
        reverse("emulation:ranking-export", args=[snapshot.pk]), {"format": "xlsx"}, **ENGLISH
    )

    assert response["Content-Disposition"] == 'attachment; filename="ranking-2025-ca.xlsx"'
    sheet = workbook_of(response)
    assert [cell.value for cell in sheet[1]] == [
        "Rank",
        "Unit code",
        "Unit",
        "Total points",
        "Criteria points",
        "Bonus minus deductions",
        "TA4",
        "TA5",
        "Place decided by",
    ]
    assert [cell.value for cell in sheet[2]] == [
        1,
        "KV1",
        "Chi cục Hải quan khu vực I",
        40,
        40,
        0,
        20,
        20,
        "Total points",
    ]
    assert [sheet.cell(row=4, column=col).value for col in (1, 2, 4)] == [3, "A3", 26]
    assert (sheet["A2"].number_format, sheet["D2"].number_format, sheet["G2"].number_format) == (
        "#,##0",
        "0.00",
        "0.00",
    )
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= len("Chi cục Hải quan khu vực I")


def test_ranking_export_csv_is_utf8_with_a_bom(client, leader, world):
    snapshot = world.p2025.snapshots.get(scope="movement", is_current=True)
    client.force_login(leader)

    response = client.get(
        reverse("emulation:ranking-export", args=[snapshot.pk]), {"format": "csv"}, **ENGLISH
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "Rank,Unit code,Unit,Total points,Criteria points,Bonus minus deductions,TA4,TA5,Place decided by"
    )
    assert lines[1] == "1,KV1,Chi cục Hải quan khu vực I,40.00,40.00,0.00,20.00,20.00,Total points"
    assert len(lines) == 1 + 6


def test_ranking_export_refuses_unknown_formats_and_snapshots(client, leader, world):
    snapshot = world.p2025.snapshots.filter(is_current=True).first()
    client.force_login(leader)

    assert (
        client.get(reverse("emulation:ranking-export", args=[snapshot.pk]), {"format": "pdf"}).status_code
        == 404
    )
    assert client.get(reverse("emulation:ranking-export", args=[999999])).status_code == 404


def test_progress_export_xlsx_has_one_row_per_cluster_and_the_total(client, leader, world):

    with at(LATE_IN_2026):
        client.force_login(leader)
        response = client.get(
            reverse("emulation:dashboard-progress-export"),
            {"period": world.p2026.pk, "format": "xlsx"},
            **ENGLISH,
        )

    sheet = workbook_of(response)
    assert sheet["A1"].value == "Cluster or block"
    assert sheet["D1"].value == "Pledges submitted (%)"
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["Cụm A", 3, 2, 66.7, 1, 33.3, 2, 66.7, 1, 3, 33.3, 1],
        ["Cụm B", 3, 1, 33.3, 1, 33.3, 0, 0, 0, 0, None, 3],
        ["All clusters and blocks", 6, 3, 50, 2, 33.3, 2, 33.3, 1, 3, 33.3, 4],
    ]
    assert (sheet["B2"].number_format, sheet["D2"].number_format) == ("#,##0", "0.0")


def test_progress_export_csv_has_a_bom_and_vietnamese_names(client, leader, world):
    client.force_login(leader)

    response = client.get(
        reverse("emulation:dashboard-progress-export"), {"period": world.p2026.pk, "format": "csv"}
    )

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "Cụm A" in response.content.decode("utf-8-sig")


def test_targets_export_formats_percentages_and_vnd(client, secretary, world):
    client.force_login(secretary)

    response = client.get(
        reverse("emulation:dashboard-targets-export"), {"period": world.p2025.pk, "format": "xlsx"}, **ENGLISH
    )

    sheet = workbook_of(response)
    rows = {(row[0].value, row[2].value): row for row in sheet.iter_rows(min_row=2)}
    assert [cell.value for cell in sheet[1]][:5] == [
        "Criterion code",
        "Criterion",
        "Year",
        "Units pledging",
        "Pledged",
    ]
    percent = rows[("4.2", 2025)]
    assert [percent[i].value for i in (3, 4, 5, 6, 7, 8)] == [5, 93, 5, 91, 100, 91]
    assert (percent[4].number_format, percent[8].number_format) == ("0.0", "0.0")
    money = rows[("4.4", 2025)]
    assert (money[4].value, money[6].value, money[4].number_format) == (3500000000, 2100000000, "#,##0")


def test_dashboard_exports_are_for_leaders_and_the_secretary(client, world, unit_officer):
    client.force_login(unit_officer)

    assert client.get(reverse("emulation:dashboard-progress-export")).status_code == 403
    assert client.get(reverse("emulation:dashboard-targets-export")).status_code == 403
    assert client.get(reverse("emulation:period-report", args=[world.p2025.pk])).status_code == 403


# --- The printable report --------------------------------------------------------------------------


def test_period_report_renders_every_ranking_and_the_targets_for_print(client, leader, world):

    with at(datetime.date(2026, 3, 2)):
        client.force_login(leader)
        response = client.get(reverse("emulation:period-report", args=[world.p2025.pk]), **ENGLISH)

    html = response.content.decode()
    assert "Results of the emulation movement in 2025" in html
    assert "Prepared on 02/03/2026" in html
    assert [row[:3] for row in table_rows(response, "report-table-movement")[1:]] == [
        ["1", "Chi cục Hải quan khu vực I", "40"],
        ["2", "Chi cục Hải quan khu vực II", "37"],
        ["3", "Chi cục Hải quan khu vực A2", "34"],
        ["4", "Chi cục Hải quan khu vực B2", "30"],
        ["5", "Chi cục Hải quan khu vực A3", "26"],
        ["6", "Chi cục Hải quan khu vực B3", "19"],
    ]
    assert html.count('data-testid="report-cluster"') == 2
    assert 'data-testid="report-headlines"' in html
    assert "css/print.css" in html
    assert 'data-testid="main-nav"' not in html


def test_period_report_of_an_unknown_period_is_404(client, leader, world):
    client.force_login(leader)

    assert client.get(reverse("emulation:period-report", args=[999999])).status_code == 404


# --- Robustness and caching ----------------------------------------------------------------------------


def test_dashboard_without_any_period_says_so(client, leader):
    client.force_login(leader)

    response = client.get(reverse("emulation:dashboard"), **ENGLISH)

    assert response.status_code == 200
    assert 'data-testid="no-period"' in response.content.decode()
    assert "dashboard-chart-data" not in response.content.decode()


@pytest.mark.parametrize("period", ["abc", "999999", "-1"])
def test_dashboard_falls_back_to_the_current_period_on_a_bad_choice(client, leader, world, period):

    with at(datetime.date(2026, 3, 2)):
        client.force_login(leader)
        response = client.get(reverse("emulation:dashboard"), {"period": period})

    assert response.status_code == 200
    assert response.context["period"] == world.p2026


def test_dashboard_page_has_no_inline_script_but_the_chart_data_block(client, leader, world):
    client.force_login(leader)

    html = dashboard(client, world.p2025).content.decode()

    assert '<script id="dashboard-chart-data" type="application/json">' in html
    assert " style=" not in html
    assert 'src="/static/js/charts.js"' in html


def test_dashboard_serves_the_rankings_from_the_cache_and_a_new_snapshot_is_a_new_key(client, leader, world):
    client.force_login(leader)
    cluster_a = world.clusters[2025][0]
    with CaptureQueriesContext(connection) as cold_queries:
        dashboard(client, world.p2025)
    with CaptureQueriesContext(connection) as warm_queries:
        warm = dashboard(client, world.p2025)
    counts = (len(cold_queries), len(warm_queries))  # read now: the next request empties the log

    CriterionResult.objects.filter(submission__unit=world.a3, submission__period=world.p2025).update(
        points=D(10)
    )
    compile_rankings(world.p2025)
    fresh = dashboard(client, world.p2025)

    # The warm page reads no ranking entry: the fragments and their means come from the cache,
    # and so does the trend (cached under the current snapshots it is computed from), and the
    # progress and headline aggregates (4 queries, cached under their change key).
    assert counts[1] == counts[0] - 6
    assert table_rows(warm, f"ranking-table-cluster:{cluster_a.pk}")[1][1] == "Chi cục Hải quan khu vực I"
    # A3 now has full marks (40 after the caps), level with KV1 and first by unit code: the new
    # snapshot is a new key, so the page shows it at once.
    assert table_rows(fresh, f"ranking-table-cluster:{cluster_a.pk}")[1][:3] == [
        "1",
        "Chi cục Hải quan khu vực A3",
        "40",
    ]


# --- Query counts: the same at two data sizes ---------------------------------------------------------


@pytest.fixture(params=[2, 4], ids=["small", "large"])
def sized(request, org, movement):
    """n clusters of n units each, every year: 2025 finalised and ranked, 2026 under way.

    Branch A (the officer's unit) is the first member of the first cluster.
    """
    n = request.param
    p2025 = PeriodFactory(movement=movement, year=2025)
    p2026 = PeriodFactory(movement=movement, year=2026)
    member = UserFactory(username="scorer", roles=[Role.COMMITTEE_MEMBER])
    units = []
    for c in range(n):
        clusters = [ClusterFactory(year=year, code=f"C{c}", name=f"Cụm {c}") for year in (2025, 2026)]
        for u in range(n):
            unit = org.branch_a if (c, u) == (0, 0) else UnitFactory(code=f"U{c}{u}", name=f"Đơn vị {c}-{u}")
            units.append(unit)
            for cluster in clusters:
                ClusterMembershipFactory(cluster=cluster, unit=unit)
            pledge(p2025, unit, PledgeState.ACCEPTED, {"4.2": "90", "4.4": "1000"})
            finalised(p2025, unit, f"{u + 1} 1 1 {c + 1} 1", {"4.2": "95"})
            pledge(p2026, unit, PledgeState.RETURNED if u % 2 else PledgeState.SUBMITTED, {"4.2": "99"})
            ScorerAssignmentFactory(
                submission__unit=unit,
                submission__period=p2026,
                submission__state=SubmissionState.SUBMITTED,
                member=member,
            )
    finalise_and_rank(p2025)
    return {"n": n, "p2025": p2025, "p2026": p2026, "units": units}


def test_dashboard_query_count_does_not_grow_with_the_data(client, leader, sized, django_assert_num_queries):
    client.force_login(leader)

    # Session, user, roles; periods; the live figures' change key, the year's clusters and the
    # headline criteria, then (not cached yet) progress (2) and headline values (2); snapshots;
    # task areas; the entries of the snapshots not cached yet (the cache is empty); trend
    # selector; the trend's snapshots and the trend itself (not cached yet).
    with django_assert_num_queries(17):
        response = dashboard(client, sized["p2025"])

    assert len(response.context["boards"]) == sized["n"]


def test_dashboard_of_the_current_period_query_count(client, leader, sized, django_assert_num_queries):
    client.force_login(leader)

    with django_assert_num_queries(16):  # nothing cached yet: the live figures' key and values, the trend
        response = dashboard(client, sized["p2026"])

    assert response.context["progress"].total.units == sized["n"] ** 2


def test_cluster_drilldown_query_count_does_not_grow_with_the_data(
    client, leader, sized, django_assert_num_queries
):
    cluster = ClusterMembership.objects.get(unit=sized["units"][0], year=2025).cluster
    client.force_login(leader)

    with django_assert_num_queries(10):
        response = client.get(reverse("emulation:dashboard-cluster", args=[cluster.pk]))

    assert len(response.context["members"]) == sized["n"]


def test_unit_drilldown_query_count_does_not_grow_with_the_data(
    client, leader, sized, django_assert_num_queries
):
    client.force_login(leader)

    with django_assert_num_queries(11):
        response = client.get(reverse("emulation:dashboard-unit", args=[sized["units"][-1].pk]))

    assert len(response.context["record"].history) == 1


def test_officer_home_query_count_does_not_grow_with_the_data(
    client, unit_officer, sized, django_assert_num_queries
):
    client.force_login(unit_officer)

    with at(datetime.date(2026, 1, 20)):
        client.force_login(unit_officer)
        with django_assert_num_queries(8):
            response = client.get(reverse("home"))

    assert response.context["outlook"].latest_rank.cluster_size == sized["n"]


# --- Cached sections and trend: a warm page reads less, and changed data shows at once ------------------


def test_dashboard_warm_page_reads_neither_entries_nor_trend(
    client, leader, sized, django_assert_num_queries
):
    client.force_login(leader)
    dashboard(client, sized["p2025"])

    # Session, user, roles; periods; the live figures' change key, the year's clusters and the
    # headline criteria (the progress and headline values come from the cache); snapshots; task
    # areas; trend selector; the trend's snapshots (its key). The same at both data sizes.
    with django_assert_num_queries(11):
        response = dashboard(client, sized["p2025"])

    assert len(response.context["boards"]) == sized["n"]


def test_dashboard_progress_tiles_follow_a_pledge_submitted_after_the_page_was_cached(client, leader, world):
    client.force_login(leader)
    before = table_rows(dashboard(client, world.p2026), "progress-table")
    Pledge.objects.filter(unit=world.a3, period=world.p2026).update(state=PledgeState.SUBMITTED)

    after = table_rows(dashboard(client, world.p2026), "progress-table")

    # Cụm A: KV1 accepted and A2 submitted before; A3's draft is now submitted too.
    assert before[1][:3] == ["Cụm A", "3", "2"]
    assert after[1][:3] == ["Cụm A", "3", "3"]


def test_dashboard_trend_follows_a_new_compile_after_the_page_was_cached(client, leader, world):
    client.force_login(leader)
    dashboard(client, world.p2025, trend=f"unit:{world.a3.pk}")
    CriterionResult.objects.filter(submission__unit=world.a3, submission__period=world.p2025).update(
        points=D(10)
    )
    compile_rankings(world.p2025)

    response = dashboard(client, world.p2025, trend=f"unit:{world.a3.pk}")

    # A3 now has every criterion at its maximum: 10 + 5 + 5 + 10 + 10 = 40, level with KV1 and
    # first by unit code; the movement's mean is (40 + 34 + 40 + 37 + 30 + 19) / 6 = 33.33.
    assert table_rows(response, "trend-table")[2] == ["2025", "40", "33.33", "1/3"]


def test_dashboard_trend_names_a_renamed_cluster_at_once(client, leader, world):
    client.force_login(leader)
    dashboard(client, world.p2025)
    cluster_b = world.clusters[2025][1]
    cluster_b.name = "Cụm Bắc"
    cluster_b.save()

    response = dashboard(client, world.p2025)

    assert table_rows(response, "trend-table")[0] == ["Year", "Cụm A", "Cụm Bắc", "Movement average"]


# --- Live figures: cached under a change key, every write through the services shows at once ---------


def headline_row(response, year: int) -> list[str]:
    """The 4.2 headline's row of a year (the first headline table), as the page shows it."""
    return next(row for row in table_rows(response, "headline-table") if row[0] == str(year))


def cluster_rows(response) -> list[list[str]]:
    return table_rows(response, "progress-table")[1:]


def test_dashboard_figures_follow_a_pledge_through_submit_accept_return_and_a_target_edit(
    client, leader, secretary, world
):
    a3 = Pledge.objects.get(unit=world.a3, period=world.p2026)
    target_42 = PledgeTarget.objects.get(pledge=a3, criterion__code="4.2")
    with at(datetime.date(2026, 1, 20)):  # pledging open
        client.force_login(leader)
        first = dashboard(client, world.p2026)
        pledges.save_pledge(
            a3,
            actor=secretary,
            version=a3.version,
            collective_title=COLLECTIVE_TITLES[0],
            targets={target_42.criterion_id: pledges.TargetInput(D("70"))},
            registrations=[],
        )
        pledges.submit_pledge(a3, actor=secretary)
        submitted = dashboard(client, world.p2026)
        pledges.accept_pledge(a3, actor=secretary)
        accepted = dashboard(client, world.p2026)
        pledges.return_pledge(a3, actor=secretary, reason="Chỉ tiêu 4.2 thấp.")
        returned = dashboard(client, world.p2026)
        a3.refresh_from_db()
        # The same states as after the first submission: only the target (and the version) moved.
        pledges.save_pledge(
            a3,
            actor=secretary,
            version=a3.version,
            collective_title=a3.collective_title,
            targets={target_42.criterion_id: pledges.TargetInput(D("80"))},
            registrations=[],
        )
        pledges.submit_pledge(a3, actor=secretary)
        resubmitted = dashboard(client, world.p2026)

    # Cụm A: pledges submitted, accepted. 4.2 pledged: (100 + 98 + 99) / 3 = 99 before A3;
    # with A3's 70: 367 / 4 = 91.75; with 80: 377 / 4 = 94.25.
    assert cluster_rows(first)[0][2:4] == ["2", "1"]
    assert headline_row(first, 2026)[1] == "99 (3)"
    assert cluster_rows(submitted)[0][2:4] == ["3", "1"]
    assert headline_row(submitted, 2026)[1] == "91.75 (4)"
    assert cluster_rows(accepted)[0][2:4] == ["3", "2"]
    assert cluster_rows(returned)[0][2:4] == ["2", "1"]
    assert headline_row(returned, 2026)[1] == "99 (3)"
    assert cluster_rows(resubmitted)[0][2:4] == ["3", "1"]
    assert headline_row(resubmitted, 2026)[1] == "94.25 (4)"


def test_dashboard_figures_follow_a_submitted_self_assessment(client, leader, secretary, world):
    kv2 = Submission.objects.get(unit=world.kv2, period=world.p2026)
    with at(datetime.date(2026, 12, 10)):  # self-assessment open
        client.force_login(leader)
        before = dashboard(client, world.p2026)
        scoring.submit_submission(kv2, actor=secretary)
        after = dashboard(client, world.p2026)

    # Cụm B's self-assessments submitted: none (KV2 draft, B2 returned), then KV2's.
    assert cluster_rows(before)[1][4] == "0"
    assert cluster_rows(after)[1][4] == "1"


def test_dashboard_figures_follow_a_new_scorer_and_a_reopened_and_finalised_period(
    client, leader, secretary, world
):
    client.force_login(leader)
    before = dashboard(client, world.p2026)
    scoring.assign_scorer(world.s_a2, member=world.scorers[1], actor=secretary)
    assigned = dashboard(client, world.p2026)
    finalised_2025 = dashboard(client, world.p2025)
    scoring.reopen_period(world.p2025, actor=secretary, reason="Sửa điểm.")
    reopened = dashboard(client, world.p2025)
    world.p2025.refresh_from_db()
    scoring.finalise_period(world.p2025, actor=secretary)
    finalised_again = dashboard(client, world.p2025)

    # Cụm A's scoring: 1 done of 3, then of 4. 4.2 achieved in 2025 counts finalised
    # self-assessments only: (98 + 92 + 100 + 85 + 80) / 5 = 91, none once reopened.
    assert cluster_rows(before)[0][5] == "1/3"
    assert cluster_rows(assigned)[0][5] == "1/4"
    assert headline_row(finalised_2025, 2025)[2] == "91 (5)"
    assert headline_row(reopened, 2025)[2] == "—"
    assert headline_row(finalised_again, 2025)[2] == "91 (5)"


def test_dashboard_late_units_follow_a_changed_deadline_and_a_new_day(client, leader, secretary, world):
    with at(datetime.date(2026, 1, 31)):  # the last day of pledging
        client.force_login(leader)
        last_day = dashboard(client, world.p2026)
    with at(datetime.date(2026, 2, 1)):
        client.force_login(leader)
        next_day = dashboard(client, world.p2026)
        world.p2026.pledging_closes = datetime.date(2026, 2, 15)
        setup_services.update_period(world.p2026, actor=secretary)
        extended = dashboard(client, world.p2026)

    # Late after the pledging deadline: A3 (draft); KV2 (returned) and B3 (none).
    assert [row[-1] for row in cluster_rows(last_day)[:2]] == ["0", "0"]
    assert [row[-1] for row in cluster_rows(next_day)[:2]] == ["1", "2"]
    assert [row[-1] for row in cluster_rows(extended)[:2]] == ["0", "0"]


def test_dashboard_progress_follows_a_unit_moved_and_a_cluster_renamed(client, leader, world):
    cluster_b = world.clusters[2026][1]
    client.force_login(leader)
    before = dashboard(client, world.p2026)
    membership = ClusterMembership.objects.get(unit=world.a3, year=2026)
    membership.cluster = cluster_b  # as the admin's change form saves it
    membership.save()
    moved = dashboard(client, world.p2026)
    cluster_b.name = "Cụm B mới"
    cluster_b.save()
    renamed = dashboard(client, world.p2026)

    # A3 (draft pledge, no self-assessment) leaves Cụm A for Cụm B: 3 + 3 units, then 2 + 4.
    assert [row[:2] for row in cluster_rows(before)[:2]] == [["Cụm A", "3"], ["Cụm B", "3"]]
    assert [row[:2] for row in cluster_rows(moved)[:2]] == [["Cụm A", "2"], ["Cụm B", "4"]]
    assert [row[:2] for row in cluster_rows(renamed)[:2]] == [["Cụm A", "2"], ["Cụm B mới", "4"]]


def test_dashboard_headline_follows_a_renamed_criterion(client, leader, secretary, world):
    client.force_login(leader)
    dashboard(client, world.p2025)
    criterion = Criterion.objects.get(task_area__movement_id=world.p2025.movement_id, code="4.2")
    criterion.title = "Tỷ lệ thu nộp điện tử (mới)"
    setup_services.update_criterion(criterion, actor=secretary)

    response = dashboard(client, world.p2025)

    assert "Tỷ lệ thu nộp điện tử (mới)" in response.content.decode()


def test_ranking_export_guards_formula_like_unit_names_in_both_formats(client, leader, world):
    snapshot = world.p2025.snapshots.get(scope="movement", is_current=True)
    Unit.objects.filter(pk=world.kv1.pk).update(name="\t=HYPERLINK(1)")
    client.force_login(leader)
    url = reverse("emulation:ranking-export", args=[snapshot.pk])

    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    sheet = workbook_of(client.get(url, {"format": "xlsx"}))

    assert list(csv.reader(io.StringIO(text)))[1][:3] == ["1", "KV1", "'\t=HYPERLINK(1)"]
    assert (sheet["C2"].value, sheet["C2"].data_type, sheet["C2"].quotePrefix) == (
        "\t=HYPERLINK(1)",
        "s",
        True,
    )
    assert sheet.auto_filter.ref == "A1:I7"


def test_progress_and_targets_exports_carry_a_filter_over_their_table(client, leader, world):
    client.force_login(leader)

    progress = workbook_of(
        client.get(
            reverse("emulation:dashboard-progress-export"), {"period": world.p2026.pk, "format": "xlsx"}
        )
    )
    targets = workbook_of(
        client.get(
            reverse("emulation:dashboard-targets-export"), {"period": world.p2025.pk, "format": "xlsx"}
        )
    )

    assert progress.auto_filter.ref == f"A1:L{progress.max_row}"
    assert (targets.auto_filter.ref, targets.max_row > 1) == (f"A1:I{targets.max_row}", True)

"""Journey 3: a leader opens the movement dashboard, switches period, drills down and downloads."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from emulation.enums import PledgeState, SubmissionState
from emulation.models import Criterion, CriterionResult, Period, Pledge, Submission
from emulation.services.rankings import compile_rankings
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    TaskAreaFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def two_years(org):
    """Last year finalised and ranked (two clusters of two units), this year's pledging open."""
    today = timezone.localdate()
    movement = MovementFactory(title="Phong trào thử nghiệm", start_year=today.year - 1, end_year=today.year)
    revenue = TaskAreaFactory(movement=movement, number=4, title="Thu ngân sách", max_points=10)
    control = TaskAreaFactory(movement=movement, number=5, title="Chống buôn lậu", max_points=10)
    CriterionFactory(
        task_area=revenue, code="4.2", title="Tỷ lệ thu nộp điện tử", measure="percent", max_points=10
    )
    CriterionFactory(task_area=control, code="5.1", title="Số vụ bắt giữ", measure="count", max_points=10)
    last = PeriodFactory(movement=movement, year=today.year - 1)
    current = PeriodFactory(
        movement=movement,
        year=today.year,
        pledging_opens=today - datetime.timedelta(days=10),
        pledging_closes=today + datetime.timedelta(days=10),
        self_assessment_opens=today + datetime.timedelta(days=30),
        self_assessment_closes=today + datetime.timedelta(days=40),
        scoring_closes=today + datetime.timedelta(days=50),
    )
    units = {
        "A": [org.branch_a, UnitFactory(code="A2", name="Chi cục Hải quan khu vực A2", kind="branch")],
        "B": [org.branch_b, UnitFactory(code="B2", name="Chi cục Hải quan khu vực B2", kind="branch")],
    }
    points = {"KV1": ("9", "10"), "A2": ("7", "6"), "KV2": ("8", "8"), "B2": ("10", "9")}
    criteria = {c.code: c for c in Criterion.objects.filter(task_area__movement=movement)}
    for period in (last, current):
        for code, members in units.items():
            cluster = ClusterFactory(year=period.year, code=f"C{code}", name=f"Cụm {code}")
            for unit in members:
                ClusterMembershipFactory(cluster=cluster, unit=unit)
    for unit in units["A"] + units["B"]:
        submission = Submission.objects.create(unit=unit, period=last, state=SubmissionState.FINALISED)
        CriterionResult.objects.bulk_create(
            CriterionResult(
                submission=submission, criterion=criteria[code], raw_points=p, points=p, scorers=3
            )
            for code, p in zip(("4.2", "5.1"), map(Decimal, points[unit.code]), strict=True)
        )
        Pledge.objects.create(unit=unit, period=current, state=PledgeState.SUBMITTED)
    Period.objects.filter(pk=last.pk).update(is_finalised=True)
    last.refresh_from_db()
    compile_rankings(last)
    return {"last": last, "current": current}


def canvas_width(page, key: str) -> int:
    return page.locator(f"canvas[data-chart-key='{key}']").evaluate("canvas => canvas.width")


def test_dashboard_journey_switch_period_drill_down_download(page, login, two_years, leader, artifacts_dir):
    last, current = two_years["last"], two_years["current"]
    page.set_viewport_size(DESKTOP)

    # The leader's home page is the dashboard of the period under way.
    login(leader)
    assert str(current.year) in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_test_id("tile-pledges-submitted").inner_text() == "4"
    assert canvas_width(page, "trend") > 0

    # Switching to last year shows its rankings and the task-area chart.
    page.get_by_test_id("period-form").get_by_label("Năm", exact=True).select_option(str(last.pk))
    page.get_by_test_id("period-form").get_by_role("button").click()
    page.wait_for_url(f"**/?period={last.pk}")
    assert str(last.year) in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_test_id("cluster-board").count() == 2
    assert canvas_width(page, "areas") > 0
    page.screenshot(path=str(artifacts_dir / "dashboard-desktop.png"), full_page=True)
    # On a phone the page opens at the phone's width: nothing but the tables' own scroll boxes
    # may be wider than the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert canvas_width(page, "areas") > 0
    page.screenshot(path=str(artifacts_dir / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.reload()

    # Cluster A: KV1 (9 + 10 = 19) leads A2 (7 + 6 = 13).
    page.get_by_test_id("cluster-board").filter(has_text="Cụm A").get_by_test_id("cluster-link").click()
    assert page.get_by_test_id("member-row").count() == 2
    ranking = page.get_by_test_id("ranking-row")
    assert ranking.nth(0).get_by_test_id("total").inner_text() == "19"

    # The xlsx of the cluster's ranking.
    with page.expect_download() as download_info:
        page.get_by_test_id("ranking-export-xlsx").click()
    download = download_info.value
    saved = artifacts_dir / "dashboard-ranking.xlsx"
    download.save_as(saved)
    sheet = openpyxl.load_workbook(io.BytesIO(saved.read_bytes())).active
    assert (sheet["B2"].value, sheet["D2"].value) == ("KV1", 19)
    assert sheet.freeze_panes == "A2"

    # Down to the unit: its rank history.
    ranking.nth(0).get_by_test_id("unit-link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Chi cục Hải quan khu vực I")
    history = page.get_by_test_id("history-row")
    assert history.count() == 1
    assert history.first.get_by_test_id("cluster-rank").inner_text() == "1/2"
    assert canvas_width(page, "history") > 0
    assert page.console_errors == []

"""Journey 1: a unit registers its pledge; the secretary returns it, then accepts it."""

import datetime

import pytest
from django.utils import timezone

from emulation.models import Pledge
from tests.factories import CriterionFactory, MovementFactory, PeriodFactory, StaffFactory, TaskAreaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_period(org):
    today = timezone.localdate()
    movement = MovementFactory(title="Phong trào thử nghiệm")
    revenue = TaskAreaFactory(movement=movement, number=4, title="Thu ngân sách", max_points=20)
    CriterionFactory(
        task_area=revenue,
        code="4.2",
        title="Tỷ lệ thu nộp điện tử",
        measure="percent",
        max_points=10,
        order=1,
    )
    CriterionFactory(
        task_area=revenue,
        code="4.4",
        title="Nợ thuế đọng",
        measure="money",
        direction="lower",
        max_points=10,
        order=2,
    )
    return PeriodFactory(
        movement=movement,
        year=today.year,
        pledging_opens=today - datetime.timedelta(days=10),
        pledging_closes=today + datetime.timedelta(days=10),
        self_assessment_opens=today + datetime.timedelta(days=30),
        self_assessment_closes=today + datetime.timedelta(days=40),
        scoring_closes=today + datetime.timedelta(days=50),
    )


def test_pledge_journey_draft_submit_return_fix_accept_then_locked(
    page, login, org, open_period, unit_officer, secretary, artifacts_dir
):
    person = StaffFactory(unit=org.office_a, full_name="Nguyễn Thị Mai")

    # The unit officer opens its pledge, fills in targets and saves a draft.
    login(unit_officer)
    page.get_by_role("link", name="Đăng ký thi đua").first.click()
    page.get_by_role("button", name=f"Bắt đầu đăng ký thi đua năm {open_period.year}").click()
    page.get_by_label("Tỷ lệ thu nộp điện tử", exact=False).fill("95")
    page.get_by_label("Nợ thuế đọng", exact=False).fill("12.000.000.000")
    page.get_by_label("Danh hiệu tập thể đơn vị đăng ký").select_option("TTLDXS")
    page.locator("#id_reg-0-staff").select_option(str(person.pk))
    page.locator("#id_reg-0-title").select_option("CSTDCS")
    page.get_by_role("button", name="Lưu bản nháp").click()
    assert page.get_by_text("Đã lưu bản nháp.").is_visible()

    # ... and submits it.
    page.get_by_role("button", name="Gửi Hội đồng").click()
    assert page.get_by_test_id("pledge-state").inner_text() == "Đã gửi"
    pledge = Pledge.objects.get(unit=org.branch_a, period=open_period)

    # The secretary returns it with a reason.
    page.context.clear_cookies()
    login(secretary)
    page.goto(pledge.get_absolute_url())
    page.get_by_label("Lý do trả lại").fill("Tỷ lệ thu nộp điện tử phải đạt 100 %.")
    page.get_by_role("button", name="Trả lại đơn vị").click()
    assert page.get_by_test_id("pledge-state").inner_text() == "Bị trả lại để chỉnh sửa"

    # The officer sees the reason, fixes the target and resubmits.
    page.context.clear_cookies()
    login(unit_officer)
    page.goto(f"/pledges/{pledge.pk}/edit/")
    assert "phải đạt 100 %" in page.get_by_test_id("return-reason").inner_text()
    page.get_by_label("Tỷ lệ thu nộp điện tử", exact=False).fill("100")
    page.get_by_role("button", name="Gửi Hội đồng").click()
    assert page.get_by_test_id("pledge-state").inner_text() == "Đã gửi"

    # The secretary accepts it.
    page.context.clear_cookies()
    login(secretary)
    page.goto(pledge.get_absolute_url())
    page.get_by_role("button", name="Chấp nhận bản đăng ký").click()
    assert page.get_by_test_id("pledge-state").inner_text() == "Đã chấp nhận"
    assert [
        line.split("·")[0].strip()
        for line in page.get_by_test_id("audit-trail").locator("li").all_inner_texts()
    ][:2] == [
        "Đã chấp nhận",
        "Đã gửi",
    ]
    page.screenshot(path=str(artifacts_dir / "pledge-accepted.png"), full_page=True)

    # After the deadline the officer's form is read-only.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    open_period.pledging_closes = yesterday
    open_period.pledging_opens = yesterday - datetime.timedelta(days=20)
    open_period.save()
    page.context.clear_cookies()
    login(unit_officer)
    page.goto(f"/pledges/{pledge.pk}/edit/")
    assert page.url.endswith(f"/pledges/{pledge.pk}/")
    assert page.get_by_role("button", name="Lưu bản nháp").count() == 0
    assert page.console_errors == []

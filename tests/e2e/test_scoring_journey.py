"""Journey 2: a unit submits its self-assessment with an evidence PDF; a committee member scores it
with "save and next"; the secretary finalises and the ranking is compiled."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from emulation.enums import SubmissionState
from emulation.models import Evidence, RankingSnapshot, SelfScore, Submission
from emulation.services.scoring import start_submission, submit_submission
from tests.conftest import make_persona
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    TaskAreaFactory,
    UnitFactory,
)
from tests.files import pdf_bytes
from units.enums import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = pdf_bytes()  # a real PDF: uploads are parsed before they are accepted


@pytest.fixture
def year_end(org):
    """A period in its self-assessment window, two criteria, two clustered branches."""
    today = timezone.localdate()
    movement = MovementFactory(title="Phong trào thử nghiệm")
    area = TaskAreaFactory(movement=movement, number=4, title="Thu ngân sách", max_points=20)
    CriterionFactory(
        task_area=area, code="4.2", title="Tỷ lệ thu nộp điện tử", measure="percent", max_points=10, order=1
    )
    CriterionFactory(
        task_area=area, code="4.3", title="Thông quan 24/7", measure="yes_no", max_points=10, order=2
    )
    period = PeriodFactory(
        movement=movement,
        year=today.year,
        pledging_opens=today - datetime.timedelta(days=300),
        pledging_closes=today - datetime.timedelta(days=270),
        self_assessment_opens=today - datetime.timedelta(days=5),
        self_assessment_closes=today + datetime.timedelta(days=5),
        scoring_closes=today + datetime.timedelta(days=30),
    )
    cluster = ClusterFactory(year=today.year, name="Cụm thi đua số 1")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a, role="leader")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_b, role="deputy")
    return period


def test_scoring_journey_submit_with_evidence_score_with_save_and_next_finalise(
    page, login, org, year_end, unit_officer, other_unit_officer, secretary, tmp_path, artifacts_dir
):
    elsewhere = UnitFactory(code="KV9", kind="branch", parent=org.dept)
    member = make_persona("member_x", [Role.COMMITTEE_MEMBER], elsewhere)
    pdf_path = tmp_path / "bao-cao-thu-ngan-sach.pdf"
    pdf_path.write_bytes(PDF)
    # Branch B has already submitted, so "save and next" has somewhere to go.
    other = start_submission(org.branch_b, year_end, actor=other_unit_officer)
    SelfScore.objects.filter(submission=other).update(achieved_value=Decimal("1"), points=Decimal("8"))
    submit_submission(other, actor=other_unit_officer)

    # The unit officer fills in the self-assessment, attaches a PDF and submits.
    login(unit_officer)
    page.goto("/self-assessment/mine/")
    page.get_by_role("button", name=f"Bắt đầu tự đánh giá năm {year_end.year}").click()
    page.locator("button[name=action][value=save]").wait_for()
    submission = Submission.objects.get(unit=org.branch_a, period=year_end)
    rows = {
        row.criterion.code: row.criterion_id for row in submission.self_scores.select_related("criterion")
    }
    page.locator(f"[name=achieved_{rows['4.2']}]").fill("99,5")
    page.locator(f"[name=points_{rows['4.2']}]").fill("9,5")
    page.locator(f"[name=achieved_{rows['4.3']}]").select_option("1")
    page.locator(f"[name=points_{rows['4.3']}]").fill("10")
    page.locator("button[name=action][value=save]").click()
    page.locator(f"#criterion-{rows['4.2']} input[type=file]").set_input_files(str(pdf_path))
    page.locator(f"#criterion-{rows['4.2']} button[data-leaves-page]").click()
    assert Evidence.objects.filter(submission=submission).count() == 1
    page.locator("button[name=action][value=submit]").click()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED

    # The secretary assigns scorers automatically (one scorer per submission here).
    year_end.scorers_per_submission = 1
    year_end.save()
    page.context.clear_cookies()
    login(secretary)
    page.goto(f"/periods/{year_end.pk}/scoring/")
    page.get_by_test_id("auto-assign").click()
    assert submission.assignments.get().member == member

    # The member opens the queue, scores the first file and goes on with "save and next".
    page.context.clear_cookies()
    login(member)
    page.goto("/scoring/")
    page.goto(f"/scoring/{submission.pk}/")
    page.get_by_role("link", name="bao-cao-thu-ngan-sach.pdf").first.wait_for()
    page.locator(f"[name=points_{rows['4.2']}]").fill("9")
    page.locator(f"[name=points_{rows['4.3']}]").fill("10")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url(f"**/scoring/{other.pk}/")
    for criterion in other.self_scores.values_list("criterion_id", flat=True):
        page.locator(f"[name=points_{criterion}]").fill("8")
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/scoring/?period=*")
    page.screenshot(path=str(artifacts_dir / "scoring-queue-done.png"), full_page=True)
    assert set(Submission.objects.values_list("state", flat=True)) == {SubmissionState.SCORED}

    # The secretary finalises; the ranking is compiled from the fixed results.
    page.context.clear_cookies()
    login(secretary)
    page.goto(f"/periods/{year_end.pk}/scoring/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("finalisation").locator("button.btn-success").click()
    page.get_by_test_id("finalised").wait_for()
    year_end.refresh_from_db()
    assert year_end.is_finalised is True
    movement_ranking = RankingSnapshot.objects.get(period=year_end, scope="movement", is_current=True)
    assert [entry.unit.code for entry in movement_ranking.entries.order_by("rank")] == ["KV1", "KV2"]
    assert page.console_errors == []

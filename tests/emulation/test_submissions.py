"""The unit's self-assessment pages: the journey, every bad input, who may read and write, query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from emulation.enums import SubmissionState
from emulation.models import CriterionResult, Evidence, Period, PledgeTarget, Submission
from emulation.services import start_pledge
from emulation.services.scoring import assign_scorer, return_submission, start_submission
from tests.emulation.conftest import HCM, at
from tests.factories import (
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    StaffFactory,
    TaskAreaFactory,
    UserFactory,
)
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

IN_WINDOW = datetime.date(2026, 12, 5)
AFTER_WINDOW = datetime.date(2026, 12, 21)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# criterion code -> (achieved, self-score, what was achieved), typed the way officers type them
FULL = {
    "4.1": ("180,5", "9,5", "Thu vượt 80,5 % kế hoạch"),
    "4.2": ("100", "5", "Toàn bộ thu qua ngân hàng"),
    "4.4": ("1.200.000.000", "4", "Giảm nợ đọng"),
    "5.1": ("42", "10", "42 vụ bắt giữ"),
    "5.4": ("1", "10", ""),
}


@pytest.fixture
def in_window():
    with at(IN_WINDOW):
        yield


@pytest.fixture
def submission(org, unit_officer, period, in_window):
    """Started inside the window: the fixture writes at the same clock as the test reads (its audit
    entry must not be newer than the test's own steps, whatever today's date)."""
    return start_submission(org.branch_a, period, actor=unit_officer)


def ids(submission) -> dict[str, int]:
    return dict(submission.self_scores.values_list("criterion__code", "criterion_id"))


def form_data(submission, *, values=None, version=None, action="save", summary="Năm 2026 hoàn thành tốt"):
    values = FULL | (values or {})
    data = {
        "version": Submission.objects.get(pk=submission.pk).version if version is None else version,
        "summary": summary,
        "action": action,
    }
    for code, criterion_id in ids(submission).items():
        achieved, points, text = values.get(code, ("", "", ""))
        data[f"achieved_{criterion_id}"] = achieved
        data[f"points_{criterion_id}"] = points
        data[f"achievement_{criterion_id}"] = text
    return data


def snapshot(submission) -> tuple:
    """Everything a refused post must leave untouched."""
    submission.refresh_from_db()
    return (
        submission.version,
        submission.state,
        submission.summary,
        tuple(submission.self_scores.order_by("pk").values_list("achieved_value", "points", "achievement")),
        AuditEntry.objects.for_record(submission).count(),
    )


def shown(html: str, testid: str) -> str:
    """The text of the element marked with this data-testid, without surrounding whitespace."""
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)<', html, re.S)
    return match.group(1).strip() if match else ""


def edit_url(submission) -> str:
    return reverse("emulation:submission-edit", kwargs={"pk": submission.pk})


def detail_url(submission) -> str:
    return reverse("emulation:submission-detail", kwargs={"pk": submission.pk})


# --- The entry point ---------------------------------------------------------------------------


def test_mine_starts_the_units_draft_inside_the_window(client, org, unit_officer, period, in_window):
    client.force_login(unit_officer)

    response = client.post(reverse("emulation:submission-mine"), {"period": period.pk})

    submission = Submission.objects.get(unit=org.branch_a, period=period)
    assert response.status_code == 302
    assert response["Location"] == edit_url(submission)
    assert submission.state == SubmissionState.DRAFT
    assert submission.self_scores.count() == 5


def test_mine_refuses_to_start_a_period_that_is_not_open(
    client, org, unit_officer, movement, period, in_window
):
    closed = PeriodFactory(movement=movement, year=2025)
    client.force_login(unit_officer)

    response = client.post(reverse("emulation:submission-mine"), {"period": closed.pk}, **EN)

    assert response.status_code == 400
    assert "That self-assessment period is not open now" in response.content.decode()
    assert not Submission.objects.exists()


def test_mine_lists_the_units_self_assessments_outside_the_window(
    client, org, unit_officer, other_unit_officer, movement, period
):
    earlier = PeriodFactory(movement=movement, year=2025)
    mine = start_submission(org.branch_a, earlier, actor=unit_officer)
    start_submission(org.branch_b, earlier, actor=other_unit_officer)  # could leak into the list

    with at(datetime.date(2026, 6, 1)):
        client.force_login(unit_officer)
        response = client.get(reverse("emulation:submission-mine"), **EN)

    assert response.status_code == 200
    assert [submission for submission, _editable in response.context["rows"]] == [mine]
    assert 'data-testid="no-window"' in response.content.decode()
    assert not Submission.objects.filter(period=period).exists()


def test_mine_offers_a_returned_self_assessment_for_supplements(
    client, org, unit_officer, secretary, submission
):
    with at(IN_WINDOW):
        client.force_login(unit_officer)
        client.post(edit_url(submission), form_data(submission, action="submit"))
        return_submission(submission, actor=secretary, reason="Bổ sung minh chứng tiêu chí 5.1")

    with at(datetime.date(2027, 1, 5)):
        client.force_login(unit_officer)
        response = client.get(reverse("emulation:submission-mine"), **EN)

    assert response.context["rows"] == [(submission, True)]
    assert edit_url(submission) in response.content.decode()


def test_mine_tells_an_officer_without_a_unit(client, period, in_window):
    loose = UserFactory(username="loose", roles=[Role.UNIT_OFFICER])
    client.force_login(loose)

    response = client.get(reverse("emulation:submission-mine"), **EN)

    assert response.status_code == 200
    assert 'data-testid="no-unit"' in response.content.decode()
    assert not Submission.objects.exists()


def test_mine_is_for_unit_officers_only(client, leader, period, in_window):
    client.force_login(leader)

    assert client.get(reverse("emulation:submission-mine")).status_code == 403


def test_mine_is_in_the_officers_menu(client, unit_officer, leader):
    client.force_login(unit_officer)
    officer_menu = client.get(reverse("home")).content.decode()
    client.force_login(leader)
    leader_menu = client.get(reverse("home")).content.decode()

    url = reverse("emulation:submission-mine")
    assert f'href="{url}"' in officer_menu
    assert f'href="{url}"' not in leader_menu


# --- The form: the happy path ------------------------------------------------------------------


def test_form_shows_the_pledged_targets_next_to_the_inputs(client, org, unit_officer, period, submission):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    PledgeTarget.objects.filter(pledge=pledge, criterion__code="4.1").update(value=Decimal("105"))
    PledgeTarget.objects.filter(pledge=pledge, criterion__code="4.4").update(value=Decimal("1500000000"))

    with at(IN_WINDOW):
        client.force_login(unit_officer)
        html = client.get(edit_url(submission), **EN).content.decode()

    assert shown(html, "target-4.1") == "105 %"
    assert shown(html, "target-4.4") == "1,500,000,000 ₫"
    assert shown(html, "target-5.1") == "—"


def test_save_draft_reads_vietnamese_numbers_and_records_the_change(
    client, unit_officer, in_window, submission
):
    client.force_login(unit_officer)

    response = client.post(edit_url(submission), form_data(submission))

    assert response.status_code == 302
    assert response["Location"] == edit_url(submission)
    rows = {
        code: (str(achieved), str(points), text)
        for code, achieved, points, text in submission.self_scores.values_list(
            "criterion__code", "achieved_value", "points", "achievement"
        )
    }
    assert rows == {
        "4.1": ("180.50", "9.50", "Thu vượt 80,5 % kế hoạch"),
        "4.2": ("100.00", "5.00", "Toàn bộ thu qua ngân hàng"),
        "4.4": ("1200000000.00", "4.00", "Giảm nợ đọng"),
        "5.1": ("42.00", "10.00", "42 vụ bắt giữ"),
        "5.4": ("1.00", "10.00", ""),
    }
    submission.refresh_from_db()
    assert submission.summary == "Năm 2026 hoàn thành tốt"
    assert AuditEntry.objects.for_record(submission).first().action == "submission.saved"


def test_achieved_value_may_exceed_the_target_limit(client, unit_officer, submission, in_window):
    client.force_login(unit_officer)

    client.post(edit_url(submission), form_data(submission, values={"4.1": ("250", "10", "")}))

    assert submission.self_scores.get(criterion__code="4.1").achieved_value == Decimal("250")


def test_unit_journey_draft_submit_then_read_only(client, org, unit_officer, period, in_window):
    client.force_login(unit_officer)
    client.post(reverse("emulation:submission-mine"), {"period": period.pk})
    submission = Submission.objects.get(unit=org.branch_a, period=period)

    client.post(edit_url(submission), form_data(submission))
    submitted = client.post(edit_url(submission), form_data(submission, action="submit"))
    edit = client.get(edit_url(submission))
    detail = client.get(detail_url(submission), **EN)

    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    assert submission.submitted_by == unit_officer
    assert submitted["Location"] == detail_url(submission)
    assert edit.status_code == 302
    assert edit["Location"] == detail_url(submission)
    html = detail.content.decode()
    assert detail.context["can_edit"] is False
    assert "42 vụ bắt giữ" in html
    assert shown(html, "self-total") == "38.5"
    assert [entry.action for entry in AuditEntry.objects.for_record(submission)] == [
        "submission.submitted",
        "submission.saved",
        "submission.saved",
        "submission.created",
    ]


def test_incomplete_submit_saves_the_draft_and_lists_the_gaps(client, unit_officer, submission, in_window):
    client.force_login(unit_officer)

    response = client.post(
        edit_url(submission),
        form_data(submission, values={"5.1": ("42", "", "")}, action="submit"),
        follow=True,
        **EN,
    )

    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT
    assert submission.self_scores.get(criterion__code="4.1").points == Decimal("9.5")
    html = response.content.decode()
    assert "Draft saved, but not submitted" in html
    assert "Enter the achieved value and the self-score of criterion 5.1." in html


def test_returned_self_assessment_shows_the_reason_and_opens_after_the_window(
    client, unit_officer, secretary, submission
):
    with at(IN_WINDOW):
        client.force_login(unit_officer)
        client.post(edit_url(submission), form_data(submission, action="submit"))
        return_submission(submission, actor=secretary, reason="Bổ sung minh chứng tiêu chí 5.1")

    with at(datetime.date(2027, 1, 5)):
        client.force_login(unit_officer)
        page = client.get(edit_url(submission))
        resubmit = client.post(edit_url(submission), form_data(submission, action="submit"))

    submission.refresh_from_db()
    assert page.status_code == 200
    assert "Bổ sung minh chứng tiêu chí 5.1" in page.content.decode()
    assert resubmit.status_code == 302
    assert submission.state == SubmissionState.SUBMITTED


# --- The form: bad input changes nothing -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "field", "value", "error_code"),
    [
        ("5.1", "points", "11", "max_value"),
        ("4.2", "points", "-1", "min_value"),
        ("4.1", "points", "9,125", "max_decimal_places"),
        ("5.1", "points", "mười", "invalid"),
        ("5.1", "achieved", "bốn mươi", "invalid"),
        ("5.1", "achieved", "4,5", "invalid"),
        ("4.4", "achieved", "-5.000", "min_value"),
        ("4.2", "achieved", "1200", "max_value"),
        ("4.2", "achieved", "99,125", "max_decimal_places"),
        ("5.4", "achieved", "2", "invalid_choice"),
    ],
)
def test_bad_value_is_refused_next_to_its_field(
    client, unit_officer, submission, in_window, code, field, value, error_code
):
    client.force_login(unit_officer)
    before = snapshot(submission)
    achieved, points, text = FULL[code]
    entry = (value, points, text) if field == "achieved" else (achieved, value, text)

    response = client.post(edit_url(submission), form_data(submission, values={code: entry}), **EN)

    key = f"{field}_{ids(submission)[code]}"
    errors = response.context["form"].errors.as_data()
    assert response.status_code == 200
    assert list(errors) == [key]
    assert errors[key][0].code == error_code
    assert f'data-testid="error-{field}-{code}">' in response.content.decode()
    assert snapshot(submission) == before


def test_negative_self_score_message_says_what_to_fix(client, unit_officer, submission, in_window):
    client.force_login(unit_officer)

    response = client.post(
        edit_url(submission), form_data(submission, values={"4.2": ("100", "-1", "")}), **EN
    )

    assert shown(response.content.decode(), "error-points-4.2") == "The self-score cannot be negative."


def test_stale_form_is_refused_with_a_conflict(client, unit_officer, submission, in_window):
    client.force_login(unit_officer)
    opened = form_data(submission, values={"5.1": ("10", "3", "")})
    client.post(edit_url(submission), form_data(submission))
    before = snapshot(submission)

    response = client.post(edit_url(submission), opened, **EN)

    assert response.status_code == 409
    assert "Someone else saved this self-assessment after you opened it" in response.content.decode()
    assert snapshot(submission) == before


def test_after_the_window_closes_the_form_is_read_only(client, unit_officer, submission):
    data = form_data(submission)
    before = snapshot(submission)

    with at(AFTER_WINDOW):
        client.force_login(unit_officer)
        page = client.get(edit_url(submission))
        post = client.post(edit_url(submission), data)
        detail = client.get(detail_url(submission))

    assert (page.status_code, page["Location"]) == (302, detail_url(submission))
    assert (post.status_code, post["Location"]) == (302, detail_url(submission))
    assert detail.context["can_edit"] is False
    assert snapshot(submission) == before


# --- Who may read and write --------------------------------------------------------------------


def test_another_units_self_assessment_is_404_for_reading_and_writing(
    client, other_unit_officer, submission, in_window
):
    data = form_data(submission)
    before = snapshot(submission)
    client.force_login(other_unit_officer)

    read = client.get(detail_url(submission))
    open_form = client.get(edit_url(submission))
    write = client.post(edit_url(submission), data)

    assert (read.status_code, open_form.status_code, write.status_code) == (404, 404, 404)
    assert snapshot(submission) == before


def test_committee_member_not_assigned_gets_404(client, committee_member, submission, in_window):
    client.force_login(committee_member)

    assert client.get(detail_url(submission)).status_code == 404
    assert client.get(edit_url(submission)).status_code == 404


def test_assigned_committee_member_reads_but_cannot_write(
    client, committee_member, secretary, unit_officer, submission, in_window
):
    client.force_login(unit_officer)
    client.post(edit_url(submission), form_data(submission))
    assign_scorer(submission, member=committee_member, actor=secretary)
    before = snapshot(submission)
    client.force_login(committee_member)

    read = client.get(detail_url(submission))
    write = client.post(edit_url(submission), form_data(submission, values={"5.1": ("1", "1", "")}))

    assert read.status_code == 200
    assert read.context["can_edit"] is False
    assert "42 vụ bắt giữ" in read.content.decode()
    assert write.status_code == 403
    assert snapshot(submission) == before


def test_leader_and_secretary_read_but_cannot_write(client, leader, secretary, submission, in_window):
    before = snapshot(submission)
    for user in (leader, secretary):
        client.force_login(user)

        assert client.get(detail_url(submission)).status_code == 200
        assert client.post(edit_url(submission), form_data(submission)).status_code == 403
    assert snapshot(submission) == before


def test_detail_of_a_self_assessment_filed_without_a_known_submitter_shows_the_date(
    client, secretary, submission, in_window
):
    # Self-assessments loaded in bulk (the demo's past years, an import) have no submitter.
    filed = datetime.datetime(2026, 12, 4, 16, 30, tzinfo=HCM)
    Submission.objects.filter(pk=submission.pk).update(
        state=SubmissionState.SUBMITTED, submitted_at=filed, submitted_by=None
    )
    client.force_login(secretary)

    response = client.get(detail_url(submission))

    assert response.status_code == 200
    assert shown(response.content.decode(), "submitted") == "04/12/2026 16:30"


# --- The committee's result --------------------------------------------------------------------


def add_results(submission, points: dict[str, str]) -> None:
    criteria = ids(submission)
    CriterionResult.objects.bulk_create(
        CriterionResult(
            submission=submission,
            criterion_id=criteria[code],
            raw_points=Decimal(value),
            points=Decimal(value),
            scorers=3,
        )
        for code, value in points.items()
    )


def test_detail_hides_committee_results_until_the_period_is_finalised(
    client, unit_officer, submission, in_window
):
    add_results(submission, {"4.1": "8.5"})
    client.force_login(unit_officer)

    response = client.get(detail_url(submission))

    html = response.content.decode()
    assert response.context["totals"] is None
    assert 'data-testid="result-4.1"' not in html
    assert 'data-testid="submission-totals"' not in html


def test_detail_shows_committee_results_and_totals_once_finalised(
    client, unit_officer, secretary, submission, period
):
    add_results(submission, {"4.1": "8.5", "4.2": "5", "4.4": "3.25", "5.1": "9", "5.4": "10"})
    submission.adjustments.create(kind="bonus", points=Decimal("2"), reason="Sáng kiến", created_by=secretary)
    submission.adjustments.create(
        kind="deduction", points=Decimal("0.5"), reason="Nộp chậm", created_by=secretary
    )
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.FINALISED)
    Period.objects.filter(pk=period.pk).update(is_finalised=True)

    with at(datetime.date(2027, 2, 1)):
        client.force_login(unit_officer)
        response = client.get(detail_url(submission), **EN)

    html = response.content.decode()
    assert response.context["totals"] == {
        "criteria": Decimal("35.75"),
        "adjustments": Decimal("1.5"),
        "total": Decimal("37.25"),
    }
    assert shown(html, "result-4.4") == "3.25"
    assert shown(html, "total") == "37.25"
    assert "Sáng kiến" in html


# --- Query counts ------------------------------------------------------------------------------


def make_period_with_criteria(count: int):
    movement = MovementFactory()
    areas = [TaskAreaFactory(movement=movement, number=n) for n in (1, 2)]
    for index in range(count):
        CriterionFactory(task_area=areas[index % 2], code=f"Q{index}", measure="percent", max_points=5)
    return PeriodFactory(movement=movement, year=2026)


@pytest.mark.parametrize("criteria", [3, 6])
def test_form_query_count_does_not_grow_with_criteria(
    client, org, unit_officer, django_assert_num_queries, criteria
):
    period = make_period_with_criteria(criteria)
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    PledgeTarget.objects.filter(pledge=pledge).update(value=Decimal("90"))
    submission = start_submission(org.branch_a, period, actor=unit_officer)
    for row in submission.self_scores.all():
        Evidence.objects.create(
            submission=submission,
            criterion_id=row.criterion_id,
            file="evidence/test/placeholder",
            original_name=f"{row.criterion_id}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=unit_officer,
        )

    with at(IN_WINDOW):
        client.force_login(unit_officer)
        client.get(edit_url(submission))  # warms the content-type cache
        # session, user, roles, submission, home unit, self-scores, evidence, targets, gaps, audit
        with django_assert_num_queries(10):
            response = client.get(edit_url(submission))

    assert len([row for _area, rows in response.context["sections"] for row in rows]) == criteria


@pytest.mark.parametrize("criteria", [3, 6])
def test_detail_query_count_does_not_grow_with_criteria(
    client, org, unit_officer, django_assert_num_queries, criteria
):
    period = make_period_with_criteria(criteria)
    submission = start_submission(org.branch_a, period, actor=unit_officer)

    with at(IN_WINDOW):
        client.force_login(unit_officer)
        client.get(detail_url(submission))
        # session, user, roles, submission, home unit, evidence, self-scores, targets, audit
        with django_assert_num_queries(9):
            response = client.get(detail_url(submission))

    assert len([row for _area, rows in response.context["sections"] for row in rows]) == criteria


@pytest.mark.parametrize("years", [1, 3])
def test_mine_list_query_count_does_not_grow(client, org, unit_officer, django_assert_num_queries, years):
    movement = MovementFactory()
    for year in range(2022, 2022 + years):
        start_submission(org.branch_a, PeriodFactory(movement=movement, year=year), actor=unit_officer)

    with at(datetime.date(2026, 6, 1)):
        client.force_login(unit_officer)
        # session, user, roles, home unit, open period, submissions
        with django_assert_num_queries(6):
            response = client.get(reverse("emulation:submission-mine"))

    assert len(response.context["rows"]) == years


def test_officer_of_a_parent_unit_reads_a_sub_units_self_assessment(client, org, period, in_window):
    parent_officer = UserFactory(username="dept_officer", roles=[Role.UNIT_OFFICER])
    StaffFactory(user=parent_officer, unit=org.dept)
    office = start_submission(org.office_a, period, actor=parent_officer)
    client.force_login(parent_officer)

    assert client.get(detail_url(office)).status_code == 200

"""The committee member's scoring queue, scoring page and returning a self-assessment."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from emulation.enums import SubmissionState
from emulation.models import Score, ScorerAssignment, SelfScore
from emulation.services.scoring import return_submission, save_score, start_submission, submit_submission
from tests.conftest import make_persona
from tests.emulation.conftest import at
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    CriterionFactory,
    EvidenceFactory,
    MovementFactory,
    PeriodFactory,
    PledgeFactory,
    PledgeTargetFactory,
    ScorerAssignmentFactory,
    TaskAreaFactory,
    UnitFactory,
)
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

IN_WINDOW = datetime.date(2026, 12, 10)
SCORING_DAY = datetime.date(2027, 1, 5)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
QUEUE_URL = reverse("emulation:scoring-queue")


# --- Arrange helpers ------------------------------------------------------------------------------


def branch(org, code):
    """A regional branch under the department: no conflict with the panel's headquarters units."""
    return UnitFactory(code=code, name=f"Chi cục Hải quan {code}", kind="branch", parent=org.dept)


def submitted(unit, period, officer=None, day=IN_WINDOW):
    """A self-assessment filled in and submitted inside the self-assessment window."""
    officer = officer or make_persona(f"officer-{unit.code}", [Role.UNIT_OFFICER], unit)
    with at(day):
        submission = start_submission(unit, period, actor=officer)
        SelfScore.objects.filter(submission=submission).update(achieved_value=D("1"), points=D("2"))
        return submit_submission(submission, actor=officer)


def assign(submission, *members):
    for member in members:
        ScorerAssignmentFactory(submission=submission, member=member)


def criteria_of(submission):
    return [
        row.criterion
        for row in submission.self_scores.select_related("criterion__task_area").order_by(
            "criterion__task_area__number", "criterion__order"
        )
    ]


def score(submission, member, points_by_code: dict[str, str], comment=""):
    """The member saves the given criteria through the service (the other tab, a colleague)."""
    with at(SCORING_DAY):
        for criterion in criteria_of(submission):
            if criterion.code not in points_by_code:
                continue
            existing = Score.objects.filter(submission=submission, criterion=criterion, member=member).first()
            save_score(
                submission,
                criterion,
                member=member,
                points=D(points_by_code[criterion.code]),
                comment=comment,
                version=existing.version if existing else 0,
            )


def score_all(submission, member, points="1", comment=""):
    score(submission, member, {criterion.code: points for criterion in criteria_of(submission)}, comment)


def form_data(submission, member, values: dict[str, str], action="save", comments=None) -> dict[str, str]:
    """What the scoring page posts: every criterion, with the versions the member saw now."""
    saved = {s.criterion_id: s for s in Score.objects.filter(submission=submission, member=member)}
    data = {"action": action}
    for criterion in criteria_of(submission):
        existing = saved.get(criterion.pk)
        data[f"points_{criterion.pk}"] = values.get(
            criterion.code, "" if existing is None else str(existing.points)
        )
        data[f"comment_{criterion.pk}"] = (comments or {}).get(
            criterion.code, "" if existing is None else existing.comment
        )
        data[f"version_{criterion.pk}"] = str(existing.version if existing else 0)
    return data


def full_marks(submission) -> dict[str, str]:
    return {criterion.code: str(criterion.max_points) for criterion in criteria_of(submission)}


def form_url(submission) -> str:
    return reverse("emulation:scoring-form", kwargs={"pk": submission.pk})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def criterion(submission, code):
    return next(c for c in criteria_of(submission) if c.code == code)


@pytest.fixture
def panel(org):
    """Three committee members working in headquarters units: no conflict with any branch."""
    members = []
    for index in range(1, 4):
        unit = UnitFactory(code=f"HQ{index}", name=f"Phòng HQ{index}", kind="hq_unit", parent=org.dept)
        members.append(make_persona(f"m{index}", [Role.COMMITTEE_MEMBER], unit))
    return members


@pytest.fixture
def submission(org, period, unit_officer):
    return submitted(org.branch_a, period, unit_officer)


@pytest.fixture
def member_client(client, panel):
    client.force_login(panel[0])
    return client


# --- The queue --------------------------------------------------------------------------------------


def test_queue_lists_only_the_members_own_assignments(org, period, panel, member_client):
    own_1, own_2 = submitted(branch(org, "KV3"), period), submitted(branch(org, "KV5"), period)
    foreign = submitted(branch(org, "KV4"), period)
    assign(own_1, panel[0], panel[1])
    assign(own_2, panel[0])
    assign(foreign, panel[1], panel[2])

    response = member_client.get(QUEUE_URL, **EN)

    assert response.status_code == 200
    codes = [row.submission.unit.code for row, _open in response.context["rows"]]
    assert codes == ["KV3", "KV5"]
    assert foreign.unit.name not in response.content.decode()
    assert response.context["total"] == 2


def test_queue_shows_progress_and_puts_unfinished_first(org, period, panel, member_client):
    done, partly, untouched = (submitted(branch(org, code), period) for code in ("KV3", "KV4", "KV5"))
    for item in (done, partly, untouched):
        assign(item, panel[0])
    score_all(done, panel[0])
    score(partly, panel[0], {"4.1": "5", "5.1": "3"})
    assign(untouched, panel[1])
    score_all(untouched, panel[1])  # a colleague's scores never count for the member

    response = member_client.get(QUEUE_URL, **EN)

    rows = [
        (row.submission.unit.code, row.scored, row.completed_at is not None)
        for row, _open in response.context["rows"]
    ]
    assert rows == [("KV4", 2, False), ("KV5", 0, False), ("KV3", 5, True)]
    assert (response.context["done"], response.context["total"], response.context["criteria_count"]) == (
        1,
        3,
        5,
    )
    html = response.content.decode()
    assert "1 of 3 done" in html
    assert "2 of 5 criteria scored" in html
    assert response.context["first_open"].submission == partly
    assert f'href="{form_url(partly)}" data-testid="start-scoring"' in html


def test_queue_shows_the_units_cluster(org, period, panel, member_client, submission):
    cluster = ClusterFactory(year=period.year, name="Cụm thi đua số 1")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a)
    ClusterMembershipFactory(
        cluster=ClusterFactory(year=period.year - 1, name="Cụm năm trước"), unit=org.branch_a
    )
    assign(submission, panel[0])

    response = member_client.get(QUEUE_URL, **EN)

    assert [row.cluster_name for row, _open in response.context["rows"]] == ["Cụm thi đua số 1"]


def test_queue_defaults_to_the_latest_period_and_offers_the_others(
    org, movement, period, panel, member_client
):
    last_year = PeriodFactory(movement=movement, year=2025)
    old = submitted(branch(org, "KV3"), last_year, day=datetime.date(2025, 12, 10))
    new = submitted(branch(org, "KV4"), period)
    assign(old, panel[0])
    assign(new, panel[0])

    default = member_client.get(QUEUE_URL, **EN)
    chosen = member_client.get(QUEUE_URL, {"period": last_year.pk}, **EN)

    assert default.context["period"] == period
    assert [row.submission for row, _open in default.context["rows"]] == [new]
    assert [p.year for p in default.context["periods"]] == [2026, 2025]
    assert [row.submission for row, _open in chosen.context["rows"]] == [old]


def test_queue_is_for_committee_members(client, unit_officer):
    client.force_login(unit_officer)

    response = client.get(QUEUE_URL)

    assert response.status_code == 403


def test_queue_is_in_the_committee_members_menu(member_client):
    response = member_client.get(QUEUE_URL)

    assert QUEUE_URL in [item["url"] for item in response.context["nav_links"]]


def test_queue_without_assignments_says_so(member_client, submission, panel):
    assign(submission, panel[1])

    response = member_client.get(QUEUE_URL, **EN)

    assert response.context["period"] is None
    assert response.context["rows"] == []
    assert 'data-testid="queue-empty"' in response.content.decode()


@pytest.mark.parametrize("size", [1, 3])
def test_queue_query_count_does_not_grow(org, period, panel, member_client, django_assert_num_queries, size):
    cluster = ClusterFactory(year=period.year)
    for index in range(size):
        item = submitted(branch(org, f"KV{index + 3}"), period)
        ClusterMembershipFactory(cluster=cluster, unit=item.unit)
        assign(item, panel[0], panel[1])
        score(item, panel[0], {"4.1": "5"})
        score_all(item, panel[1])

    with django_assert_num_queries(6):
        response = member_client.get(QUEUE_URL)

    assert response.context["total"] == size


# --- Who may open the scoring page --------------------------------------------------------------------


def test_scoring_page_is_not_found_for_a_member_not_assigned(client, submission, panel):
    assign(submission, panel[1])
    client.force_login(panel[0])

    response = client.get(form_url(submission))

    assert response.status_code == 404


def test_scoring_page_is_not_found_for_a_member_in_conflict(
    client, org, period, other_unit_officer, committee_member
):
    # The committee member works in branch B: assigned anyway (directly), it still gets nothing.
    own_branch = submitted(org.branch_b, period, other_unit_officer)
    assign(own_branch, committee_member)
    client.force_login(committee_member)

    page = client.get(form_url(own_branch))
    post = client.post(form_url(own_branch), form_data(own_branch, committee_member, full_marks(own_branch)))
    returned = client.post(
        reverse("emulation:scoring-return", kwargs={"pk": own_branch.pk}), {"reason": "Thiếu hồ sơ"}
    )

    assert (page.status_code, post.status_code, returned.status_code) == (404, 404, 404)
    assert Score.objects.count() == 0
    own_branch.refresh_from_db()
    assert own_branch.state == SubmissionState.SUBMITTED


def test_scoring_page_is_not_found_for_a_unit_officer(
    client, submission, panel, other_unit_officer, unit_officer
):
    assign(submission, panel[0])

    statuses = []
    for user in (other_unit_officer, unit_officer):
        client.force_login(user)
        statuses.append(client.get(form_url(submission)).status_code)

    assert statuses == [404, 404]


# --- What the scoring page shows ----------------------------------------------------------------------


def test_scoring_page_shows_the_units_account_target_and_evidence(
    org, period, submission, unit_officer, panel, member_client
):
    revenue = criterion(submission, "4.1")
    PledgeTargetFactory(
        pledge=PledgeFactory(unit=org.branch_a, period=period), criterion=revenue, value=D("95")
    )
    SelfScore.objects.filter(submission=submission, criterion=revenue).update(
        achieved_value=D("97.5"), points=D("8.5"), achievement="Thu vượt chỉ tiêu được giao"
    )
    evidence = EvidenceFactory(
        submission=submission,
        criterion=revenue,
        original_name="bao-cao-thu-ngan-sach.pdf",
        size=2048,
        uploaded_by=unit_officer,
    )
    assign(submission, panel[0])

    response = member_client.get(form_url(submission), **EN)

    assert response.status_code == 200
    row = next(
        row for _area, rows in response.context["sections"] for row in rows if row.criterion == revenue
    )
    assert (row.target, row.self_score.achieved_value, row.self_score.points) == (
        D("95"),
        D("97.5"),
        D("8.5"),
    )
    assert row.evidence == [evidence]
    html = response.content.decode()
    assert reverse("emulation:evidence-file", kwargs={"pk": evidence.pk}) in html
    assert "bao-cao-thu-ngan-sach.pdf" in html
    assert "Thu vượt chỉ tiêu được giao" in html
    assert 'data-testid="target-4.1">95 %' in html


def test_scoring_page_prefills_the_members_scores_and_focuses_the_first_empty_field(
    submission, panel, member_client
):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "7.5"}, comment="Đạt")

    response = member_client.get(form_url(submission), **EN)

    form = response.context["form"]
    first, second = criterion(submission, "4.1"), criterion(submission, "4.2")
    assert (form[f"points_{first.pk}"].value(), form[f"comment_{first.pk}"].value()) == ("7.5", "Đạt")
    assert form[f"version_{first.pk}"].value() == 1
    assert form[f"version_{second.pk}"].value() == 0
    html = response.content.decode()
    assert f'name="points_{first.pk}" value="7.5"' in html
    assert "autofocus" in html.split(f'name="points_{second.pk}"')[1].split(">")[0]
    assert html.count("autofocus") == 1


def test_scoring_page_shows_saved_points_with_a_decimal_comma_in_vietnamese(submission, panel, member_client):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "7.5"})
    first = criterion(submission, "4.1")

    html = member_client.get(form_url(submission)).content.decode()
    resent = member_client.post(form_url(submission), form_data(submission, panel[0], {"4.1": "7,5"}))

    assert f'name="points_{first.pk}" value="7,5"' in html
    assert Score.objects.get().version == 1
    assert resent.status_code == 302


def test_colleagues_scores_stay_out_of_the_page_until_the_member_has_scored_everything(
    submission, panel, member_client
):
    colleague = panel[1]
    colleague.first_name, colleague.last_name = "Bí Mật", "Lê Văn"
    colleague.save()
    assign(submission, panel[0], colleague)
    score_all(submission, colleague, points="3.37", comment="Nhận xét riêng của đồng nghiệp")
    score(submission, panel[0], {"4.1": "10"})

    before = member_client.get(form_url(submission), **EN).content.decode()
    score_all(submission, panel[0], points="1")
    score(submission, panel[0], {"4.1": "10"})
    after = member_client.get(form_url(submission), **EN)
    after_html = after.content.decode()

    for leak in (
        "Bí Mật",
        "Lê Văn",
        "3.37",
        "Nhận xét riêng của đồng nghiệp",
        "6.69",
        'data-testid="colleagues-',
    ):
        assert leak not in before
    assert "Bí Mật Lê Văn" in after_html
    assert "3.37" in after_html
    assert "Nhận xét riêng của đồng nghiệp" in after_html
    # Committee result of 4.1: mean of 10 and 3.37.
    assert 'data-testid="result-4.1"' in after_html
    assert "6.69" in after_html.split('data-testid="result-4.1"')[1].split("</div>")[0]
    assert after.context["revealed"] is True


def test_scoring_page_shows_normalised_results_when_the_period_uses_them(
    period, submission, panel, member_client
):
    period.normalise_scores = True
    period.save()
    assign(submission, panel[0], panel[1])
    score_all(submission, panel[0], points="2")
    score_all(submission, panel[1], points="4")

    response = member_client.get(form_url(submission), **EN)

    row = response.context["sections"][0][1][0]
    assert row.result.normalised is not None
    assert "normalised" in response.content.decode().split(f'data-testid="result-{row.criterion.code}"')[1]


def movement_with(criteria_count: int):
    movement = MovementFactory()
    area = TaskAreaFactory(movement=movement, number=1, max_points=100)
    for index in range(criteria_count):
        CriterionFactory(
            task_area=area, code=f"1.{index + 1}", max_points=10, order=index, guidance="Hướng dẫn"
        )
    return PeriodFactory(movement=movement, year=2026)


@pytest.mark.parametrize("criteria_count", [3, 6])
def test_scoring_page_query_count_does_not_grow(
    org, unit_officer, panel, member_client, django_assert_num_queries, criteria_count
):
    period = movement_with(criteria_count)
    submission = submitted(org.branch_a, period, unit_officer)
    pledge = PledgeFactory(unit=org.branch_a, period=period)
    for item in criteria_of(submission):
        PledgeTargetFactory(pledge=pledge, criterion=item, value=D("5"))
        EvidenceFactory(
            submission=submission, criterion=item, original_name=f"{item.code}.pdf", uploaded_by=unit_officer
        )
    assign(submission, *panel)
    for member in panel:
        score_all(submission, member, comment="Đạt")

    with django_assert_num_queries(14):
        response = member_client.get(form_url(submission))

    assert response.context["criteria_count"] == criteria_count
    assert response.context["revealed"] is True


# --- Saving ------------------------------------------------------------------------------------------


def test_save_keeps_the_filled_criteria_and_leaves_the_empty_ones_unscored(submission, panel, member_client):
    assign(submission, panel[0])
    data = form_data(submission, panel[0], {"4.1": "7,5", "4.2": "3.25"}, comments={"4.1": "Đạt chỉ tiêu"})

    response = member_client.post(form_url(submission), data, **EN)

    assert response.status_code == 302
    assert response["Location"] == form_url(submission)
    scores = {
        s.criterion.code: (s.points, s.comment, s.version) for s in Score.objects.select_related("criterion")
    }
    assert scores == {"4.1": (D("7.5"), "Đạt chỉ tiêu", 1), "4.2": (D("3.25"), "", 1)}
    assert messages_of(response) == ["2 scores saved."]
    assert AuditEntry.objects.filter(action="score.saved").count() == 2


def test_save_only_changes_the_criteria_that_changed(submission, panel, member_client):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "5", "4.2": "2"})

    response = member_client.post(form_url(submission), form_data(submission, panel[0], {"4.2": "4"}), **EN)

    versions = dict(Score.objects.values_list("criterion__code", "version"))
    assert versions == {"4.1": 1, "4.2": 2}
    assert messages_of(response) == ["1 score saved."]


def test_save_with_nothing_changed_says_so(submission, panel, member_client):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "5"})
    audit = AuditEntry.objects.count()

    response = member_client.post(form_url(submission), form_data(submission, panel[0], {}), **EN)

    assert messages_of(response) == ["Nothing changed."]
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize("typed", ["10.5", "-1", "nhiều", "7.125", "1.000,5"])
def test_bad_points_are_refused_next_to_the_field_and_nothing_is_saved(
    submission, panel, member_client, typed
):
    assign(submission, panel[0])
    first = criterion(submission, "4.1")
    data = form_data(submission, panel[0], {"4.1": typed, "4.2": "3"})
    audit = AuditEntry.objects.count()

    response = member_client.post(form_url(submission), data, **EN)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"points_{first.pk}"]
    assert Score.objects.count() == 0
    assert AuditEntry.objects.count() == audit
    html = response.content.decode()
    assert 'data-testid="error-points-4.1"' in html
    assert f'value="{typed}"' in html


def test_a_saved_score_cannot_be_emptied(submission, panel, member_client):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "5"})
    first = criterion(submission, "4.1")

    response = member_client.post(form_url(submission), form_data(submission, panel[0], {"4.1": ""}), **EN)

    assert list(response.context["form"].errors) == [f"points_{first.pk}"]
    assert Score.objects.get().points == D("5")


def test_a_comment_without_points_is_refused(submission, panel, member_client):
    assign(submission, panel[0])
    first = criterion(submission, "4.1")

    response = member_client.post(
        form_url(submission), form_data(submission, panel[0], {}, comments={"4.1": "Chưa rõ"}), **EN
    )

    assert list(response.context["form"].errors) == [f"points_{first.pk}"]
    assert Score.objects.count() == 0


def test_two_tabs_the_second_save_is_refused_and_changes_nothing(submission, panel, member_client):
    assign(submission, panel[0])
    first = criterion(submission, "4.1")
    tab_1 = form_data(submission, panel[0], {"4.1": "6"})
    tab_2 = form_data(submission, panel[0], {"4.1": "4", "4.2": "3"})

    member_client.post(form_url(submission), tab_1, **EN)
    response = member_client.post(form_url(submission), tab_2, **EN)

    assert response.status_code == 409
    assert list(Score.objects.values_list("criterion__code", "points")) == [("4.1", D("6.00"))]
    assert AuditEntry.objects.filter(action="score.saved").count() == 1
    form = response.context["form"]
    assert form[f"points_{first.pk}"].value() == "4"
    assert form[f"points_{criterion(submission, '4.2').pk}"].value() == "3"
    assert form.non_field_errors() == [
        "Nothing was saved: your score of 4.1 was changed in another tab or window after you opened "
        "this page; it is now 6."
    ]
    assert f"points_{first.pk}" in form.errors
    # Saving again is a deliberate choice: the page now carries the current version.
    assert form[f"version_{first.pk}"].value() == "1"


def test_a_stale_score_after_a_good_one_leaves_both_unsaved(submission, panel, member_client):
    assign(submission, panel[0])
    tab_2 = form_data(submission, panel[0], {"4.1": "4", "4.2": "3"})
    score(submission, panel[0], {"4.2": "2"})  # the other tab saves the later criterion
    audit = AuditEntry.objects.count()

    response = member_client.post(form_url(submission), tab_2, **EN)

    assert response.status_code == 409
    assert list(Score.objects.values_list("criterion__code", "points", "version")) == [("4.2", D("2.00"), 1)]
    assert AuditEntry.objects.count() == audit
    assert response.context["form"].non_field_errors() == [
        "Nothing was saved: your score of 4.2 was changed in another tab or window after you opened "
        "this page; it is now 2."
    ]


def test_after_a_conflict_saving_again_replaces_the_points(submission, panel, member_client):
    assign(submission, panel[0])
    first = criterion(submission, "4.1")
    tab_2 = form_data(submission, panel[0], {"4.1": "4"})
    score(submission, panel[0], {"4.1": "6"})
    conflict = member_client.post(form_url(submission), tab_2, **EN)

    again = dict(tab_2, **{f"version_{first.pk}": conflict.context["form"][f"version_{first.pk}"].value()})
    response = member_client.post(form_url(submission), again, **EN)

    assert (conflict.status_code, response.status_code) == (409, 302)
    assert Score.objects.get().points == D("4")


def test_save_and_next_opens_the_next_unfinished_by_unit_code_then_the_queue(
    org, period, panel, member_client
):
    kv3, kv4, kv5 = (submitted(branch(org, code), period) for code in ("KV3", "KV4", "KV5"))
    for item in (kv3, kv4, kv5):
        assign(item, panel[0])
    score_all(kv4, panel[0])  # already finished: skipped

    from_kv5 = member_client.post(
        form_url(kv5), form_data(kv5, panel[0], full_marks(kv5), action="next"), **EN
    )
    from_kv3_done = member_client.post(
        form_url(kv3), form_data(kv3, panel[0], full_marks(kv3), action="next"), **EN
    )

    assert from_kv5["Location"] == form_url(kv3)  # after KV5 nothing: round to the start
    assert from_kv3_done["Location"] == f"{QUEUE_URL}?period={period.pk}"
    assert messages_of(from_kv3_done)[-1] == "No other self-assessment of 2026 is waiting for your scores."


def test_save_and_next_skips_finished_ones_in_unit_code_order(org, period, panel, member_client):
    kv3, kv4, kv5 = (submitted(branch(org, code), period) for code in ("KV3", "KV4", "KV5"))
    for item in (kv3, kv4, kv5):
        assign(item, panel[0])
    score_all(kv4, panel[0])

    response = member_client.post(form_url(kv3), form_data(kv3, panel[0], {"4.1": "1"}, action="next"), **EN)

    assert response["Location"] == form_url(kv5)


def test_scored_when_every_assigned_member_has_scored_every_criterion(
    submission, panel, member_client, client
):
    assign(submission, panel[0], panel[1])

    member_client.post(form_url(submission), form_data(submission, panel[0], full_marks(submission)), **EN)
    submission.refresh_from_db()
    halfway = submission.state
    client.force_login(panel[1])
    client.post(form_url(submission), form_data(submission, panel[1], full_marks(submission)), **EN)
    submission.refresh_from_db()

    assert halfway == SubmissionState.UNDER_REVIEW
    assert submission.state == SubmissionState.SCORED
    assert ScorerAssignment.objects.filter(completed_at__isnull=True).count() == 0


def test_a_resubmitted_self_assessment_can_be_confirmed_without_changes(
    submission, panel, member_client, unit_officer
):
    assign(submission, panel[0])
    score_all(submission, panel[0])
    return_submission(submission, actor=panel[0], reason="Bổ sung biên bản")
    with at(SCORING_DAY):
        submit_submission(submission, actor=unit_officer)

    from units.models import AuditEntry

    saved_before = AuditEntry.objects.filter(action="score.saved").count()
    response = member_client.post(form_url(submission), form_data(submission, panel[0], {}), **EN)

    submission.refresh_from_db()
    assert messages_of(response)[0] == "Your scores are confirmed."
    assert submission.state == SubmissionState.SCORED
    assert ScorerAssignment.objects.get().completed_at is not None
    assert AuditEntry.objects.filter(action="score.saved").count() == saved_before
    assert AuditEntry.objects.for_record(submission).filter(action="submission.scores_confirmed").count() == 1


# --- Returning and read-only ----------------------------------------------------------------------------


def test_a_finalised_self_assessment_is_read_only(submission, panel, member_client):
    assign(submission, panel[0])
    score_all(submission, panel[0], points="1")
    submission.period.is_finalised = True
    submission.period.save()
    type(submission).objects.filter(pk=submission.pk).update(state=SubmissionState.FINALISED)

    page = member_client.get(form_url(submission), **EN)
    post = member_client.post(form_url(submission), form_data(submission, panel[0], {"4.1": "9"}), **EN)

    html = page.content.decode()
    assert (page.context["editable"], page.context["can_return"]) == (False, False)
    assert 'name="points_' not in html
    assert 'data-testid="own-points-4.1">1 <' in html
    assert messages_of(post) == ["This self-assessment is Finalised and cannot be scored now."]
    assert set(Score.objects.values_list("points", flat=True)) == {D("1.00")}


def test_the_scoring_form_posts_to_the_scoring_page_after_a_refused_return(submission, panel, member_client):
    assign(submission, panel[0])

    response = member_client.post(
        reverse("emulation:scoring-return", kwargs={"pk": submission.pk}), {"reason": ""}
    )

    assert f'action="{form_url(submission)}" novalidate id="scoring-form"' in response.content.decode()


def test_return_needs_a_reason(submission, panel, member_client):
    assign(submission, panel[0])
    audit = AuditEntry.objects.count()

    response = member_client.post(
        reverse("emulation:scoring-return", kwargs={"pk": submission.pk}), {"reason": "  "}, **EN
    )

    submission.refresh_from_db()
    assert response.status_code == 200
    assert submission.state == SubmissionState.SUBMITTED
    assert AuditEntry.objects.count() == audit
    assert "reason" in response.context["return_form"].errors
    assert messages_of(response) == [
        "The self-assessment was not returned. Say what the unit must supplement."
    ]


def test_return_sends_the_self_assessment_back_to_the_unit(submission, panel, member_client):
    assign(submission, panel[0])

    response = member_client.post(
        reverse("emulation:scoring-return", kwargs={"pk": submission.pk}),
        {"reason": "Thiếu biên bản họp"},
        **EN,
    )

    submission.refresh_from_db()
    assert response["Location"] == f"{QUEUE_URL}?period={submission.period_id}"
    assert (submission.state, submission.return_reason) == (SubmissionState.RETURNED, "Thiếu biên bản họp")
    assert AuditEntry.objects.filter(action="submission.returned", actor=panel[0]).count() == 1


def test_return_is_not_found_for_a_member_not_assigned(client, submission, panel):
    assign(submission, panel[1])
    client.force_login(panel[0])

    response = client.post(
        reverse("emulation:scoring-return", kwargs={"pk": submission.pk}), {"reason": "Thiếu"}
    )

    submission.refresh_from_db()
    assert response.status_code == 404
    assert submission.state == SubmissionState.SUBMITTED


def test_a_returned_self_assessment_is_read_only(submission, panel, member_client):
    assign(submission, panel[0])
    score(submission, panel[0], {"4.1": "5"})
    return_submission(submission, actor=panel[1], reason="Bổ sung")
    first = criterion(submission, "4.1")

    page = member_client.get(form_url(submission), **EN)
    post = member_client.post(
        form_url(submission), form_data(submission, panel[0], {"4.1": "9", "4.2": "1"}), **EN
    )

    html = page.content.decode()
    assert page.context["editable"] is False
    assert 'name="points_' not in html
    assert 'data-testid="action-bar"' not in html
    assert 'data-testid="read-only"' in html
    assert 'data-testid="return-section"' not in html
    assert post.status_code == 302
    assert messages_of(post) == ["This self-assessment is Returned for supplements and cannot be scored now."]
    assert list(Score.objects.values_list("criterion", "points")) == [(first.pk, D("5.00"))]


def test_scoring_page_shows_a_colleagues_new_score_after_the_page_was_cached(
    submission, panel, member_client
):
    colleague = panel[1]
    assign(submission, panel[0], colleague)
    score_all(submission, panel[0], points="1")
    score_all(submission, colleague, points="2")
    member_client.get(form_url(submission), **EN)  # the criteria's HTML is cached now

    score(submission, colleague, {"4.1": "7.25"})
    html = member_client.get(form_url(submission), **EN).content.decode()

    # The criteria are cached under a digest of everything they show: the new score is a new key.
    colleagues = html.split('data-testid="colleagues-4.1"')[1].split("</ul>")[0]
    assert "7.25" in colleagues
    # Committee result of 4.1: mean of 1 and 7.25.
    assert "4.13" in html.split('data-testid="result-4.1"')[1].split("</div>")[0]

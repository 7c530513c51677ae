"""The secretary's side of scoring: self-assessment list, scorers, bonuses, settings, finalisation, export."""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from emulation.enums import SubmissionState
from emulation.models import Adjustment, CriterionResult, Period, Score, ScorerAssignment, SelfScore
from emulation.services.scoring import (
    add_adjustment,
    assign_scorer,
    save_score,
    start_submission,
    submit_submission,
)
from tests.conftest import make_persona
from tests.emulation.conftest import HCM, at
from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

IN_WINDOW = datetime.date(2026, 12, 10)
SCORING_DAY = datetime.date(2027, 1, 5)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


# --- Arrange helpers ------------------------------------------------------------------------------


def submitted(unit, period, officer):
    """A self-assessment filled in and submitted inside the self-assessment window."""
    with at(IN_WINDOW):
        submission = start_submission(unit, period, actor=officer)
        SelfScore.objects.filter(submission=submission).update(achieved_value=D("1"), points=D("2"))
        return submit_submission(submission, actor=officer)


def score_all(submission, member, points_by_code=None, comment=""):
    """The member scores every criterion: full marks unless `points_by_code` says otherwise."""
    with at(SCORING_DAY):
        for row in submission.self_scores.select_related("criterion__task_area"):
            criterion = row.criterion
            points = D((points_by_code or {}).get(criterion.code, str(criterion.max_points)))
            existing = Score.objects.filter(submission=submission, criterion=criterion, member=member).first()
            save_score(
                submission,
                criterion,
                member=member,
                points=points,
                comment=comment,
                version=existing.version if existing else 0,
            )


def hq_unit(org, code):
    """A headquarters unit under the department: in conflict with the department only."""
    return UnitFactory(code=code, name=f"Phòng {code}", kind="hq_unit", parent=org.dept)


@pytest.fixture
def panel(org):
    """Three committee members working in headquarters units: no conflict with any branch."""
    return [
        make_persona(f"m{index}", [Role.COMMITTEE_MEMBER], hq_unit(org, f"HQ{index}"))
        for index in range(1, 4)
    ]


@pytest.fixture
def submission(org, period, unit_officer):
    return submitted(org.branch_a, period, unit_officer)


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def state_of(period) -> tuple:
    """Everything a refused finalisation, reopening or settings change must leave untouched."""
    period.refresh_from_db()
    return (
        period.is_finalised,
        period.finalised_at,
        period.finalised_by_id,
        period.aggregation,
        period.normalise_scores,
        period.scorers_per_submission,
        tuple(CriterionResult.objects.order_by("pk").values_list("pk", "points")),
        tuple(period.submissions.order_by("pk").values_list("state", flat=True)),
        AuditEntry.objects.count(),
    )


# --- Who may open the pages and use the actions ----------------------------------------------------


def page_urls(submission) -> dict[str, str]:
    return {
        "list": reverse("emulation:submission-list"),
        "manage": reverse("emulation:submission-manage", kwargs={"pk": submission.pk}),
        "scoring": reverse("emulation:period-scoring", kwargs={"pk": submission.period_id}),
        "export": reverse("emulation:period-scores-export", kwargs={"pk": submission.period_id}),
    }


@pytest.mark.parametrize("page", ["list", "manage", "scoring", "export"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("secretary", 200),
        ("leader", 200),
        ("superuser", 200),
        ("unit_officer", 403),
        ("committee_member", 403),
    ],
)
def test_committee_pages_are_for_the_secretary_and_leaders(
    client, request, submission, page, persona, status
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(page_urls(submission)[page])

    assert response.status_code == status


@pytest.mark.parametrize("page", ["list", "manage", "scoring", "export"])
def test_committee_pages_send_anonymous_visitors_to_the_login(client, submission, page):
    url = page_urls(submission)[page]

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def action_requests(submission, member, assignment) -> dict[str, tuple[str, dict]]:
    pk, period = submission.pk, submission.period_id
    return {
        "assign": (
            reverse("emulation:submission-scorer-add", kwargs={"pk": pk}),
            {"member": member.pk},
        ),
        "remove": (
            reverse("emulation:submission-scorer-remove", kwargs={"pk": pk, "assignment": assignment.pk}),
            {},
        ),
        "adjust": (
            reverse("emulation:submission-adjustment-add", kwargs={"pk": pk}),
            {"adj-kind": "bonus", "adj-points": "1", "adj-reason": "Sáng kiến cấp Bộ"},
        ),
        "settings": (
            reverse("emulation:period-scoring-settings", kwargs={"pk": period}),
            {
                "settings-aggregation": "median",
                "settings-normalise_scores": "on",
                "settings-scorers_per_submission": "2",
            },
        ),
        "auto_assign": (reverse("emulation:period-scorers-assign", kwargs={"pk": period}), {}),
        "finalise": (reverse("emulation:period-finalise", kwargs={"pk": period}), {}),
        "reopen": (reverse("emulation:period-reopen", kwargs={"pk": period}), {"reopen-reason": "Sai sót"}),
    }


@pytest.mark.parametrize(
    "action", ["assign", "remove", "adjust", "settings", "auto_assign", "finalise", "reopen"]
)
@pytest.mark.parametrize("persona", ["leader", "unit_officer", "committee_member"])
def test_committee_actions_are_refused_to_everyone_but_the_secretary(
    client, request, submission, panel, action, persona
):
    assignment = assign_scorer(submission, member=panel[0], actor=None)
    url, data = action_requests(submission, panel[1], assignment)[action]
    before = (state_of(submission.period), tuple(ScorerAssignment.objects.values_list("pk", flat=True)))
    client.force_login(request.getfixturevalue(persona))

    response = client.post(url, data)

    assert response.status_code == 403
    after = (state_of(submission.period), tuple(ScorerAssignment.objects.values_list("pk", flat=True)))
    assert after == before
    assert Adjustment.objects.count() == 0


def test_committee_actions_send_anonymous_visitors_to_the_login(client, submission, panel):
    assignment = assign_scorer(submission, member=panel[0], actor=None)
    url, data = action_requests(submission, panel[1], assignment)["assign"]

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert ScorerAssignment.objects.count() == 1


def test_leader_reads_the_manage_page_without_any_form(client, leader, submission):
    client.force_login(leader)

    response = client.get(reverse("emulation:submission-manage", kwargs={"pk": submission.pk}))

    assert response.status_code == 200
    assert response.context["can_act"] is False
    assert response.context["assign_form"] is None
    assert 'data-testid="assign-form"' not in response.content.decode()
    assert 'data-testid="adjustment-form"' not in response.content.decode()


def test_action_urls_answer_405_to_a_get(client, secretary, submission):
    client.force_login(secretary)

    response = client.get(reverse("emulation:period-finalise", kwargs={"pk": submission.period_id}))

    assert response.status_code == 405
    submission.period.refresh_from_db()
    assert submission.period.is_finalised is False


def test_manage_page_of_an_unknown_submission_is_404(client, secretary, submission):
    client.force_login(secretary)

    response = client.get(reverse("emulation:submission-manage", kwargs={"pk": submission.pk + 1000}))

    assert response.status_code == 404


def test_self_assessments_menu_entry_for_secretary_and_leader_only(client, secretary, unit_officer, period):
    url = reverse("emulation:submission-list")
    client.force_login(secretary)
    secretary_menu = [item["url"] for item in client.get(reverse("home")).context["nav_links"]]
    client.force_login(unit_officer)
    officer_menu = [item["url"] for item in client.get(reverse("home")).context["nav_links"]]

    assert url in secretary_menu
    assert url not in officer_menu


# --- Assigning and removing scorers ------------------------------------------------------------------


@pytest.fixture
def branch_b_submission(org, period, other_unit_officer):
    return submitted(org.branch_b, period, other_unit_officer)


def test_assign_form_offers_only_members_without_a_conflict(
    client, secretary, branch_b_submission, committee_member, panel
):
    client.force_login(secretary)

    response = client.get(reverse("emulation:submission-manage", kwargs={"pk": branch_b_submission.pk}))

    form = response.context["assign_form"]
    offered = [value for value, _label in form.fields["member"].choices if value]
    assert sorted(offered) == sorted(member.pk for member in panel)
    assert [member.pk for member in form.conflicted] == [committee_member.pk]
    html = response.content.decode()
    conflicted_section = html.split('data-testid="conflicted-members"')[1]
    assert "(member)" in conflicted_section
    assert (
        f'value="{committee_member.pk}"' not in html.split('data-testid="assign-form"')[1].split("</form>")[0]
    )


def test_posting_a_conflicted_member_is_refused_next_to_the_field(
    client, secretary, branch_b_submission, committee_member
):
    client.force_login(secretary)
    audit_before = AuditEntry.objects.count()

    response = client.post(
        reverse("emulation:submission-scorer-add", kwargs={"pk": branch_b_submission.pk}),
        {"member": committee_member.pk},
        **EN,
    )

    assert response.status_code == 200
    errors = response.context["assign_form"].errors.as_data()["member"]
    assert [error.code for error in errors] == ["conflict_of_interest"]
    assert "Chi cục Hải quan khu vực II" in response.content.decode()
    assert ScorerAssignment.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_a_member_working_in_a_sub_unit_cannot_score_the_branch_above_it(
    client, secretary, org, branch_b_submission
):
    office_member = make_persona("office_b_member", [Role.COMMITTEE_MEMBER], org.office_b)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-scorer-add", kwargs={"pk": branch_b_submission.pk}),
        {"member": office_member.pk},
    )

    assert response.status_code == 200
    assert list(response.context["assign_form"].errors) == ["member"]
    assert ScorerAssignment.objects.count() == 0


def test_secretary_assigns_a_scorer(client, secretary, submission, panel):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-scorer-add", kwargs={"pk": submission.pk}), {"member": panel[0].pk}
    )

    assert response.status_code == 302
    assignment = ScorerAssignment.objects.get()
    assert (assignment.submission_id, assignment.member_id, assignment.assigned_by_id) == (
        submission.pk,
        panel[0].pk,
        secretary.pk,
    )
    assert (
        AuditEntry.objects.filter(action="submission.scorer_assigned", object_id=submission.pk).count() == 1
    )


def test_assigning_the_same_member_twice_is_refused(client, secretary, submission, panel):
    assign_scorer(submission, member=panel[0], actor=secretary)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-scorer-add", kwargs={"pk": submission.pk}), {"member": panel[0].pk}
    )

    assert response.status_code == 200
    assert list(response.context["assign_form"].errors) == ["member"]
    assert ScorerAssignment.objects.count() == 1


def test_removing_a_scorer_who_has_scored_is_refused(client, secretary, submission, panel):
    assignment = assign_scorer(submission, member=panel[0], actor=secretary)
    idle = assign_scorer(submission, member=panel[1], actor=secretary)
    score_all(submission, panel[0])
    client.force_login(secretary)

    refused = client.post(
        reverse(
            "emulation:submission-scorer-remove", kwargs={"pk": submission.pk, "assignment": assignment.pk}
        )
    )
    refused_messages = messages_of(refused)
    removed = client.post(
        reverse("emulation:submission-scorer-remove", kwargs={"pk": submission.pk, "assignment": idle.pk})
    )

    assert refused.status_code == 302
    assert [level for level, _text in refused_messages] == ["error"]
    assert removed.status_code == 302
    assert list(ScorerAssignment.objects.values_list("member__username", flat=True)) == ["m1"]
    assert Score.objects.filter(member=panel[0]).count() == 5


def test_scorers_cannot_be_removed_once_the_period_is_finalised(client, secretary, period, scored, panel):
    extra = make_persona("m9", [Role.COMMITTEE_MEMBER], None)
    idle = assign_scorer(scored, member=extra, actor=secretary)
    Period.objects.filter(pk=period.pk).update(is_finalised=True)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-scorer-remove", kwargs={"pk": scored.pk, "assignment": idle.pk})
    )

    assert response.status_code == 302
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert ScorerAssignment.objects.filter(pk=idle.pk).exists()


def test_removing_another_submissions_assignment_is_404(client, secretary, org, period, submission, panel):
    other = submitted(org.office_a, period, None)
    foreign = assign_scorer(other, member=panel[0], actor=secretary)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-scorer-remove", kwargs={"pk": submission.pk, "assignment": foreign.pk})
    )

    assert response.status_code == 404
    assert ScorerAssignment.objects.filter(pk=foreign.pk).exists()


# --- Automatic assignment ---------------------------------------------------------------------------


def test_auto_assign_never_gives_members_their_own_line(
    client, secretary, org, period, unit_officer, other_unit_officer, committee_member, panel
):
    Period.objects.filter(pk=period.pk).update(scorers_per_submission=2)
    for unit in (org.dept, org.branch_a, org.office_a, org.branch_b, org.office_b):
        submitted(unit, period, unit_officer)
    client.force_login(secretary)

    response = client.post(reverse("emulation:period-scorers-assign", kwargs={"pk": period.pk}))

    assert response.status_code == 302
    own_line = {org.dept.pk, org.branch_b.pk, org.office_b.pk}
    member_b_units = set(
        ScorerAssignment.objects.filter(member=committee_member).values_list("submission__unit", flat=True)
    )
    assert member_b_units.isdisjoint(own_line)
    # The headquarters members work under the department: they never score the department either.
    assert not ScorerAssignment.objects.filter(submission__unit=org.dept).exists()
    for unit in (org.branch_a, org.office_a, org.branch_b, org.office_b):
        assert ScorerAssignment.objects.filter(submission__unit=unit).count() == 2
    levels = [level for level, _text in messages_of(response)]
    assert levels == ["success", "warning"]


def test_auto_assign_balances_the_load(client, secretary, org, period, unit_officer, panel):
    members = [*panel, make_persona("m4", [Role.COMMITTEE_MEMBER], hq_unit(org, "HQ4"))]
    Period.objects.filter(pk=period.pk).update(scorers_per_submission=2)
    units = [org.branch_a, org.office_a, org.branch_b, org.office_b]
    units += [UnitFactory(code=f"KV{n}", kind="branch", parent=org.dept) for n in (3, 4)]
    for unit in units:
        submitted(unit, period, unit_officer)
    client.force_login(secretary)

    client.post(reverse("emulation:period-scorers-assign", kwargs={"pk": period.pk}))

    loads = [ScorerAssignment.objects.filter(member=member).count() for member in members]
    assert sum(loads) == 12
    assert max(loads) - min(loads) <= 1
    for unit in units:
        assert ScorerAssignment.objects.filter(submission__unit=unit).count() == 2


# --- Settings, finalisation, reopening --------------------------------------------------------------


def test_scoring_settings_are_saved_with_before_and_after(client, secretary, period, submission):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:period-scoring-settings", kwargs={"pk": period.pk}),
        {
            "settings-aggregation": "median",
            "settings-normalise_scores": "on",
            "settings-scorers_per_submission": "2",
        },
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.aggregation, period.normalise_scores, period.scorers_per_submission) == ("median", True, 2)
    entry = AuditEntry.objects.get(action="period.scoring_settings")
    assert entry.actor == secretary
    assert entry.before == {"aggregation": "mean", "normalise_scores": False, "scorers_per_submission": 3}
    assert entry.after == {"aggregation": "median", "normalise_scores": True, "scorers_per_submission": 2}


def test_bad_scoring_settings_are_refused_next_to_the_field(client, secretary, period):
    client.force_login(secretary)
    before = state_of(period)

    response = client.post(
        reverse("emulation:period-scoring-settings", kwargs={"pk": period.pk}),
        {"settings-aggregation": "mode", "settings-scorers_per_submission": "0"},
    )

    assert response.status_code == 200
    assert sorted(response.context["settings_form"].errors) == ["aggregation", "scorers_per_submission"]
    assert state_of(period) == before


@pytest.fixture
def scored(period, submission, panel):
    """Branch A's self-assessment scored by three members: 4.1 gets 6, 7 and 9.5; 5.1 gets 10, 10, 4."""
    for member in panel:
        assign_scorer(submission, member=member, actor=None)
    for member, points in zip(panel, (("6", "10"), ("7", "10"), ("9.5", "4")), strict=True):
        score_all(submission, member, {"4.1": points[0], "5.1": points[1]})
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SCORED
    return submission


def test_finalise_is_blocked_while_a_submission_is_not_scored(
    client, secretary, org, period, scored, other_unit_officer
):
    waiting = submitted(org.branch_b, period, other_unit_officer)
    client.force_login(secretary)
    before = state_of(period)

    page = client.get(reverse("emulation:period-scoring", kwargs={"pk": period.pk}), **EN)
    response = client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))

    assert page.context["blockers"] == [f"{waiting.unit.name}: Submitted."]
    assert response.status_code == 302
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert state_of(period) == before
    assert CriterionResult.objects.count() == 0


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        # (6 + 7 + 9.5) / 3 = 7.50; (10 + 10 + 4) / 3 = 8.00
        ("mean", {"4.1": D("7.50"), "5.1": D("8.00"), "4.2": D("5.00")}),
        # middle of 6, 7, 9.5 = 7; middle of 4, 10, 10 = 10
        ("median", {"4.1": D("7.00"), "5.1": D("10.00"), "4.2": D("5.00")}),
    ],
)
def test_finalise_fixes_the_combined_points(client, secretary, period, scored, aggregation, expected):
    Period.objects.filter(pk=period.pk).update(aggregation=aggregation)
    client.force_login(secretary)

    page = client.get(reverse("emulation:period-scoring", kwargs={"pk": period.pk}))
    response = client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))

    assert page.context["blockers"] == []
    assert response.status_code == 302
    assert [level for level, _text in messages_of(response)] == ["success"]
    period.refresh_from_db()
    assert period.is_finalised is True
    assert period.finalised_by == secretary
    results = {
        code: (raw, points, scorers)
        for code, raw, points, scorers in CriterionResult.objects.filter(submission=scored).values_list(
            "criterion__code", "raw_points", "points", "scorers"
        )
    }
    assert len(results) == 5
    for code, points in expected.items():
        assert results[code] == (points, points, 3)
    scored.refresh_from_db()
    assert scored.state == SubmissionState.FINALISED


def test_second_finalise_is_refused_and_changes_nothing(client, secretary, period, scored):
    other_secretary = make_persona("secretary2", [Role.COMMITTEE_SECRETARY], None)
    client.force_login(secretary)
    client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))
    after_first = state_of(period)
    other_client = Client()
    other_client.force_login(other_secretary)

    response = other_client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}), **EN)

    assert response.status_code == 302
    notes = messages_of(response)
    assert [level for level, _text in notes] == ["error"]
    assert "already finalised" in notes[0][1]
    assert state_of(period) == after_first
    assert period.finalised_by == secretary


def test_reopen_requires_a_reason(client, secretary, period, scored):
    client.force_login(secretary)
    client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))
    before = state_of(period)

    refused = client.post(
        reverse("emulation:period-reopen", kwargs={"pk": period.pk}), {"reopen-reason": "  "}
    )
    after_refusal = state_of(period)
    reopened = client.post(
        reverse("emulation:period-reopen", kwargs={"pk": period.pk}),
        {"reopen-reason": "Đơn vị khiếu nại điểm tiêu chí 4.1"},
    )

    assert refused.status_code == 200
    assert list(refused.context["reopen_form"].errors) == ["reason"]
    assert after_refusal == before
    assert reopened.status_code == 302
    period.refresh_from_db()
    assert period.is_finalised is False
    assert CriterionResult.objects.count() == 0
    entry = AuditEntry.objects.get(action="period.reopened")
    assert (entry.actor, entry.reason) == (secretary, "Đơn vị khiếu nại điểm tiêu chí 4.1")


def test_settings_cannot_change_once_finalised(client, secretary, period, scored):
    client.force_login(secretary)
    client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))
    before = state_of(period)

    response = client.post(
        reverse("emulation:period-scoring-settings", kwargs={"pk": period.pk}),
        {
            "settings-aggregation": "median",
            "settings-normalise_scores": "on",
            "settings-scorers_per_submission": "5",
        },
    )

    assert response.status_code == 302
    assert state_of(period) == before


def test_finalised_period_page_names_who_finalised(client, secretary, leader, period, scored):
    client.force_login(secretary)
    client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))
    client.force_login(leader)

    response = client.get(reverse("emulation:period-scoring", kwargs={"pk": period.pk}))

    html = response.content.decode()
    assert 'data-testid="finalised"' in html
    assert secretary.get_full_name() in html.split('data-testid="finalised"')[1].split("</p>")[0]
    assert 'data-testid="reopen-form"' not in html


# --- Bonuses and deductions -------------------------------------------------------------------------


def test_bonus_within_the_limit_is_recorded_with_a_vietnamese_decimal(client, secretary, submission):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:submission-adjustment-add", kwargs={"pk": submission.pk}),
        {"adj-kind": "bonus", "adj-points": "2,5", "adj-reason": "Sáng kiến cấp Bộ"},
    )

    assert response.status_code == 302
    assert list(Adjustment.objects.values_list("kind", "points", "reason", "created_by")) == [
        ("bonus", D("2.50"), "Sáng kiến cấp Bộ", secretary.pk)
    ]


@pytest.mark.parametrize(
    ("data", "error_key"),
    [
        ({"adj-kind": "bonus", "adj-points": "2", "adj-reason": "Vượt giới hạn"}, "__all__"),
        ({"adj-kind": "bonus", "adj-points": "6", "adj-reason": "Quá 5 điểm"}, "__all__"),
        ({"adj-kind": "bonus", "adj-points": "0", "adj-reason": "Không điểm"}, "points"),
        ({"adj-kind": "bonus", "adj-points": "1", "adj-reason": "   "}, "reason"),
        ({"adj-kind": "gift", "adj-points": "1", "adj-reason": "Sai loại"}, "kind"),
        ({"adj-kind": "bonus", "adj-points": "1,255", "adj-reason": "Ba chữ số thập phân"}, "points"),
        ({"adj-kind": "bonus", "adj-points": "một", "adj-reason": "Chữ"}, "points"),
    ],
)
def test_adjustment_beyond_the_limit_or_incomplete_is_refused(client, secretary, submission, data, error_key):
    add_adjustment(submission, actor=secretary, kind="bonus", points=D("4"), reason="Điển hình tiên tiến")
    client.force_login(secretary)
    audit_before = AuditEntry.objects.count()

    response = client.post(reverse("emulation:submission-adjustment-add", kwargs={"pk": submission.pk}), data)

    assert response.status_code == 200
    assert list(response.context["adjustment_form"].errors) == [error_key]
    assert Adjustment.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


# --- The list ----------------------------------------------------------------------------------------


def test_submission_list_shows_progress_totals_and_adjustments(
    client, secretary, org, period, scored, other_unit_officer, panel
):
    waiting = submitted(org.branch_b, period, other_unit_officer)
    assign_scorer(waiting, member=panel[0], actor=None)
    add_adjustment(scored, actor=secretary, kind="bonus", points=D("3"), reason="Sáng kiến")
    add_adjustment(scored, actor=secretary, kind="deduction", points=D("1.5"), reason="Nộp chậm")
    client.force_login(secretary)

    response = client.get(reverse("emulation:submission-list"), {"period": period.pk})

    rows = {submission.unit.code: (submission, total) for submission, total in response.context["rows"]}
    done, total = rows["KV1"]
    assert (done.scorers_assigned, done.scorers_completed, done.adjustments_net) == (3, 3, D("1.50"))
    # Mean per criterion: 4.1 7.50, 4.2 5, 4.4 5, 5.1 8, 5.4 10.
    assert total == D("35.50")
    open_row, open_total = rows["KV2"]
    assert (open_row.scorers_assigned, open_row.scorers_completed, open_row.adjustments_net) == (1, 0, D("0"))
    assert open_total is None
    counts = response.context["counts"]
    assert (counts["total"], counts["scored"], counts["submitted"]) == (2, 1, 1)


def test_submission_list_filters_by_cluster_and_state(
    client, secretary, org, period, scored, other_unit_officer
):
    submitted(org.branch_b, period, other_unit_officer)
    cluster = ClusterFactory(year=period.year)
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_b)
    old_cluster = ClusterFactory(year=period.year - 1)
    ClusterMembershipFactory(cluster=old_cluster, unit=org.branch_a)
    client.force_login(secretary)

    by_cluster = client.get(
        reverse("emulation:submission-list"), {"period": period.pk, "cluster": cluster.pk}
    )
    by_old_cluster = client.get(
        reverse("emulation:submission-list"), {"period": period.pk, "cluster": old_cluster.pk}
    )
    by_state = client.get(reverse("emulation:submission-list"), {"period": period.pk, "state": "scored"})

    assert [row.unit.code for row, _total in by_cluster.context["rows"]] == ["KV2"]
    assert by_old_cluster.context["rows"] == []
    assert [row.unit.code for row, _total in by_state.context["rows"]] == ["KV1"]
    assert list(by_cluster.context["clusters"]) == [cluster]


def test_submission_list_shows_the_latest_period_by_default(client, secretary, movement, period, submission):
    from tests.factories import PeriodFactory

    older = PeriodFactory(movement=movement, year=2025)
    client.force_login(secretary)

    latest = client.get(reverse("emulation:submission-list"))
    chosen = client.get(reverse("emulation:submission-list"), {"period": older.pk})

    assert latest.context["period"] == period
    assert len(latest.context["rows"]) == 1
    assert chosen.context["period"] == older
    assert chosen.context["rows"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_submission_list_query_count_does_not_grow(
    client, secretary, org, period, unit_officer, panel, django_assert_num_queries, count
):
    for index in range(count):
        unit = UnitFactory(code=f"KV{index + 3}", kind="branch", parent=org.dept)
        item = submitted(unit, period, unit_officer)
        for member in panel[:2]:
            assign_scorer(item, member=member, actor=None)
        score_all(item, panel[0])
        add_adjustment(item, actor=secretary, kind="bonus", points=D("1"), reason="Sáng kiến")
    client.force_login(secretary)

    # session, user, roles, periods, counts, clusters, page count, page rows, scores of the page
    with django_assert_num_queries(9):
        response = client.get(reverse("emulation:submission-list"), {"period": period.pk})

    assert len(response.context["rows"]) == count


# --- The manage page: scores, results, history ------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_manage_page_query_count_does_not_grow(
    client, secretary, submission, panel, django_assert_num_queries, count
):
    for member in panel[:count]:
        assign_scorer(submission, member=member, actor=None)
        score_all(submission, member)
    add_adjustment(submission, actor=secretary, kind="bonus", points=D("1"), reason="Sáng kiến")
    client.force_login(secretary)

    # session, user, roles, submission, assignments, criteria, scores, self-scores, combined scores,
    # adjustments, members for the assign form, score history, audit trail
    with django_assert_num_queries(13):
        response = client.get(reverse("emulation:submission-manage", kwargs={"pk": submission.pk}))

    assert len(response.context["assignments"]) == count
    assert len(response.context["history"]) == 5 * count


def test_manage_page_shows_every_members_points_and_the_combined_result(
    client, secretary, period, scored, panel
):
    Period.objects.filter(pk=period.pk).update(normalise_scores=True)
    client.force_login(secretary)

    response = client.get(reverse("emulation:submission-manage", kwargs={"pk": scored.pk}))

    rows = {row["criterion"].code: row for row in response.context["rows"]}
    assert [cell.points for cell in rows["4.1"]["cells"]] == [D("6.00"), D("7.00"), D("9.50")]
    raw, normalised, used = rows["4.1"]["result"]
    assert raw == D("7.50")
    assert normalised is not None
    assert used == normalised
    assert all(row["result"][1] <= row["criterion"].max_points for row in rows.values())
    assert response.context["raw_total"] == D("35.50")
    assert 'data-testid="normalised"' in response.content.decode()


def test_score_history_shows_old_and_new_points_newest_first(client, secretary, submission, panel):
    assign_scorer(submission, member=panel[0], actor=None)
    criterion = (
        submission.self_scores.select_related("criterion__task_area").get(criterion__code="4.1").criterion
    )
    with at(SCORING_DAY):
        first = save_score(submission, criterion, member=panel[0], points=D("6"), comment="", version=0)
    with at(SCORING_DAY + datetime.timedelta(days=1)):
        save_score(
            submission,
            criterion,
            member=panel[0],
            points=D("8.5"),
            comment="Đã xem minh chứng",
            version=first.version,
        )
    other = submitted(UnitFactory(code="KV9", kind="branch"), submission.period, None)
    assign_scorer(other, member=panel[1], actor=None)
    with at(SCORING_DAY):
        save_score(other, criterion, member=panel[1], points=D("1"), comment="", version=0)
    client.force_login(secretary)

    response = client.get(reverse("emulation:submission-manage", kwargs={"pk": submission.pk}), **EN)

    history = response.context["history"]
    assert [(change["entry"].actor, change["code"], change["old"], change["new"]) for change in history] == [
        (panel[0], "4.1", "6.00", "8.5"),
        (panel[0], "4.1", None, "6"),
    ]
    table = response.content.decode().split('data-testid="score-history"')[1].split("</table>")[0]
    assert "6 → 8.5" in table
    assert "06/01/2027" in table


# --- The export ----------------------------------------------------------------------------------------


def test_export_lists_every_score_and_the_combined_results(client, leader, period, scored, panel):
    score = Score.objects.get(submission=scored, member=panel[2], criterion__code="4.1")
    Score.objects.filter(pk=score.pk).update(comment="=1+1 thiếu minh chứng")
    client.force_login(leader)

    response = client.get(reverse("emulation:period-scores-export", kwargs={"pk": period.pk}), **EN)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scores-2026.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    scores_sheet, results_sheet = workbook.worksheets
    assert [cell.value for cell in scores_sheet[1]] == [
        "Unit code",
        "Unit",
        "Criterion code",
        "Criterion",
        "Username",
        "Committee member",
        "Points",
        "Comment",
        "Last changed",
    ]
    assert scores_sheet[1][0].font.bold is True
    assert scores_sheet.freeze_panes == "A2"
    assert scores_sheet.max_row == 1 + 15
    row = next(
        cells
        for cells in scores_sheet.iter_rows(min_row=2)
        if cells[4].value == "m3" and cells[2].value == "4.1"
    )
    assert [cell.value for cell in row[:8]] == [
        "KV1",
        "Chi cục Hải quan khu vực I",
        "4.1",
        "Số thu so với chỉ tiêu",
        "m3",
        panel[2].get_full_name(),
        9.5,
        "=1+1 thiếu minh chứng",
    ]
    assert row[6].number_format == "0.00"
    assert row[7].data_type == "s"
    # Excel has no time zones: the wall-clock time in Vietnam when the member saved.
    assert row[8].value == datetime.datetime(2027, 1, 5, 10, 0, tzinfo=HCM).replace(tzinfo=None)
    assert row[8].number_format == "dd/mm/yyyy hh:mm"
    assert [cell.value for cell in results_sheet[1]] == [
        "Unit code",
        "Unit",
        "Criterion code",
        "Criterion",
        "Number of scorers",
        "Points (raw)",
        "Points (normalised)",
        "Points used",
    ]
    result = next(cells for cells in results_sheet.iter_rows(min_row=2) if cells[2].value == "4.1")
    assert [cell.value for cell in result] == [
        "KV1",
        "Chi cục Hải quan khu vực I",
        "4.1",
        "Số thu so với chỉ tiêu",
        3,
        7.5,
        None,
        7.5,
    ]


def test_export_of_a_finalised_period_uses_the_fixed_results(client, secretary, period, scored):
    client.force_login(secretary)
    client.post(reverse("emulation:period-finalise", kwargs={"pk": period.pk}))
    CriterionResult.objects.filter(criterion__code="4.1").update(points=D("7.25"))

    response = client.get(reverse("emulation:period-scores-export", kwargs={"pk": period.pk}), **EN)

    results_sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[1]
    assert results_sheet.title == "Results"
    result = next(cells for cells in results_sheet.iter_rows(min_row=2) if cells[2].value == "4.1")
    assert result[7].value == 7.25


def test_export_filters_both_sheets_and_keeps_a_formula_comment_as_quoted_text(
    client, leader, period, scored, panel
):
    score = Score.objects.get(submission=scored, member=panel[2], criterion__code="4.1")
    Score.objects.filter(pk=score.pk).update(comment="\t=1+1 thiếu minh chứng")
    client.force_login(leader)

    response = client.get(reverse("emulation:period-scores-export", kwargs={"pk": period.pk}), **EN)

    scores_sheet, results_sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
    assert scores_sheet.auto_filter.ref == f"A1:I{scores_sheet.max_row}"
    assert results_sheet.auto_filter.ref == f"A1:H{results_sheet.max_row}"
    comments = [row[7] for row in scores_sheet.iter_rows(min_row=2) if row[7].value]
    assert [(cell.value, cell.quotePrefix) for cell in comments] == [("\t=1+1 thiếu minh chứng", True)]

"""The council's own conflict rule, recusals with their reasons, the threshold over the council's total
members at the 80 % and 90 % edges, and the dates of a session and of a decision."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards.enums import NominationState
from awards.models import AwardRecord, Decision, Nomination, Recusal, RuleSet, Vote
from awards.services.council import (
    cast_vote,
    close_session,
    create_session,
    record_attendance,
    record_recusal,
    record_written_vote,
)
from awards.services.decisions import create_decision
from awards.services.nominations import AwardsError
from tests.awards.conftest import registered
from tests.conftest import make_persona
from tests.factories import AwardTypeFactory, NominationFactory, RatingFactory, StaffFactory, UnitFactory
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

D = datetime.date
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
HELD_ON = D(2026, 3, 2)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def today():
    """15/03/2026: the sessions below met on 02/03/2026."""
    with time_machine.travel(datetime.datetime(2026, 3, 15, 10, tzinfo=HCM), tick=False):
        yield


@pytest.fixture
def office(org):
    return UnitFactory(code="VP", name="Văn phòng Cục", kind="hq_unit", parent=org.dept)


def seat(session_members, secretary, *, held_on=HELD_ON):
    session = create_session(
        title="Hội đồng TĐKT", year=2025, held_on=held_on, members=session_members, actor=secretary
    )
    record_attendance(session, present_ids={member.pk for member in session_members}, actor=secretary)
    return session


def nominate(session, staff, code: str = "CSTDCS", *, proposing_unit) -> Nomination:
    registered(staff, 2025)
    RatingFactory(staff=staff, year=2025, grade="excellent")
    return NominationFactory(
        award_type=AwardTypeFactory(code=code),
        year=2025,
        staff=staff,
        proposing_unit=proposing_unit,
        state=NominationState.COUNCIL,
        session=session,
        achievements="Thành tích xuất sắc.",
    )


# --- who has a conflict ------------------------------------------------------------------------------------


def test_council_the_departments_head_votes_on_staff_of_the_units_below(org, secretary):
    chair = make_persona("cuc_truong", [Role.LEADER], org.dept)
    session = seat([chair], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)

    cast_vote(session, nomination=nomination, member=chair, choice="yes")

    assert Vote.objects.filter(nomination=nomination, member=chair).count() == 1


def test_council_a_member_of_the_unit_above_the_subject_votes(org, secretary):
    head_of_branch = make_persona("truong_kv1", [Role.COMMITTEE_MEMBER], org.branch_a)
    session = seat([head_of_branch], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)

    cast_vote(session, nomination=nomination, member=head_of_branch, choice="yes")

    assert Vote.objects.filter(nomination=nomination).count() == 1


def test_council_a_member_never_votes_on_its_own_nomination(org, secretary, office):
    member = make_persona("tv_chinh", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary)
    nomination = nominate(session, member.staff, proposing_unit=org.dept)

    with pytest.raises(AwardsError, match="conflict of interest"):
        cast_vote(session, nomination=nomination, member=member, choice="yes")

    assert Vote.objects.count() == 0


def test_council_a_member_never_votes_on_a_colleague_of_its_own_unit(org, secretary):
    member = make_persona("tv_noibai", [Role.COMMITTEE_MEMBER], org.office_a)
    session = seat([member], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)

    with pytest.raises(AwardsError, match="conflict of interest"):
        record_written_vote(session, nomination=nomination, member=member, choice="yes", actor=secretary)

    assert Vote.objects.count() == 0


def test_council_conflicted_member_cannot_open_the_nomination_but_a_member_above_can(client, org, secretary):
    colleague = make_persona("tv_dong_nghiep", [Role.COMMITTEE_MEMBER], org.office_a)
    above = make_persona("tv_cap_tren", [Role.COMMITTEE_MEMBER], org.branch_a)
    session = seat([colleague, above], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)

    client.force_login(colleague)
    refused = client.get(nomination.get_absolute_url())
    client.force_login(above)
    opened = client.get(nomination.get_absolute_url())

    assert (refused.status_code, opened.status_code) == (404, 200)


# --- recusals -----------------------------------------------------------------------------------------------


def test_council_recusal_with_a_reason_is_recorded_and_the_member_no_longer_votes(org, secretary, office):
    member = make_persona("tv_than_nhan", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)

    record_recusal(
        session, nomination=nomination, member=member, reason="Người được đề nghị là em ruột.", actor=member
    )

    with pytest.raises(AwardsError, match="Người được đề nghị là em ruột"):
        cast_vote(session, nomination=nomination, member=member, choice="yes")
    assert Recusal.objects.get().reason == "Người được đề nghị là em ruột."
    entry = AuditEntry.objects.for_record(session).filter(action="council.recusal").get()
    assert entry.reason == "Người được đề nghị là em ruột."


def test_council_recusal_needs_a_reason_and_comes_before_the_vote(org, secretary, office):
    member = make_persona("tv_a", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary)
    first = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)
    second = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)
    cast_vote(session, nomination=second, member=member, choice="yes")

    with pytest.raises(AwardsError, match="Write why"):
        record_recusal(session, nomination=first, member=member, reason="   ", actor=member)
    with pytest.raises(AwardsError, match="already voted"):
        record_recusal(session, nomination=second, member=member, reason="Lý do.", actor=member)

    assert Recusal.objects.count() == 0


def test_council_recuse_page_records_the_members_reason(client, org, secretary, office):
    member = make_persona("tv_b", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)
    client.force_login(member)

    response = client.post(
        reverse("awards:session-recuse", kwargs={"pk": session.pk}),
        {"nomination": nomination.pk, "reason": "Từng công tác cùng phòng."},
    )
    page = client.get(session.get_absolute_url())

    assert response.status_code == 302
    assert Recusal.objects.get().member == member
    assert page.context["rows"][0].conflict is True
    assert page.context["rows"][0].vote_form is None


# --- the threshold over the council's total members -----------------------------------------------------


@pytest.fixture
def ten(office, secretary):
    members = [make_persona(f"tv{index:02d}", [Role.COMMITTEE_MEMBER], office) for index in range(10)]
    session = seat(members, secretary)
    session.users = members
    return session


def ballot(session, nomination, yes: int, *, aside: int = 0) -> None:
    """`aside` members stand aside (with a reason), then `yes` vote yes and the rest no."""
    for member in session.users[:aside]:
        record_recusal(
            session, nomination=nomination, member=member, reason="Có quan hệ gia đình.", actor=member
        )
    for index, member in enumerate(session.users[aside:]):
        cast_vote(session, nomination=nomination, member=member, choice="yes" if index < yes else "no")


@pytest.mark.parametrize(
    ("code", "yes", "aside", "passed", "required"),
    [
        ("CSTDCS", 8, 0, True, 8),  # 80 % of 10 exactly
        ("CSTDCS", 7, 0, False, 8),
        ("CSTD_BO", 9, 0, True, 9),  # 90 % of 10 exactly
        ("CSTD_BO", 8, 0, False, 9),
        ("CSTD_BO", 9, 1, True, 9),  # one aside still counts in the total: the other nine all agree
        ("CSTD_BO", 8, 2, False, 9),  # two aside: at most 8 of 10, below 90 %
        ("CSTDCS", 8, 2, True, 8),  # two aside, eight agree: 80 % of 10
        ("CSTDCS", 7, 2, False, 8),
    ],
)
def test_council_threshold_is_a_share_of_all_members_with_those_standing_aside(
    org, ten, secretary, code, yes, aside, passed, required
):
    nomination = nominate(ten, StaffFactory(unit=org.office_a), code, proposing_unit=org.branch_a)
    ballot(ten, nomination, yes, aside=aside)

    (result,) = close_session(ten, actor=secretary)

    nomination.refresh_from_db()
    assert (result["passed"], result["required"], result["total"], result["recused"]) == (
        passed,
        required,
        10,
        aside,
    )
    assert nomination.state == (NominationState.APPROVED if passed else NominationState.REJECTED)


@pytest.mark.parametrize(("yes", "passed"), [(8, True), (7, False)])
def test_council_threshold_without_those_standing_aside_when_the_rule_set_says_so(
    org, ten, secretary, yes, passed
):
    rule_set = RuleSet.objects.get(effective_from=D(2025, 7, 1))
    rule_set.params = {**rule_set.params, "vote_total_excludes_recused": True}
    rule_set.save()
    nomination = nominate(ten, StaffFactory(unit=org.office_a), "CSTD_BO", proposing_unit=org.branch_a)
    ballot(ten, nomination, yes, aside=2)

    (result,) = close_session(ten, actor=secretary)

    assert (result["passed"], result["total"], result["required"]) == (passed, 8, 8)  # 90 % of 8 = 7.2 -> 8


# --- dates ------------------------------------------------------------------------------------------------


def test_council_session_cannot_close_before_it_meets(org, secretary, office):
    member = make_persona("tv_c", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary, held_on=D(2026, 3, 20))

    with pytest.raises(AwardsError, match="meets on 20/03/2026; it cannot be closed before it meets"):
        close_session(session, actor=secretary)

    session.refresh_from_db()
    assert session.is_closed is False


@pytest.fixture
def approved(org, office, secretary):
    member = make_persona("tv_d", [Role.COMMITTEE_MEMBER], office)
    session = seat([member], secretary)
    nomination = nominate(session, StaffFactory(unit=org.office_a), proposing_unit=org.branch_a)
    cast_vote(session, nomination=nomination, member=member, choice="yes")
    close_session(session, actor=secretary)
    nomination.refresh_from_db()
    assert nomination.state == NominationState.APPROVED
    return nomination


def decide(nomination, on, actor):
    return create_decision(
        number="7/QĐ-CHQ",
        decided_on=on,
        signer="Nguyễn Văn Cẩn",
        level="unit",
        title="Tặng danh hiệu năm 2025",
        nominations=[nomination],
        actor=actor,
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D(2026, 3, 1), "before the council that approved it met (02/03/2026)"),
        (D(2026, 3, 23), "more than 7 days ahead (latest 22/03/2026)"),
    ],
)
def test_decision_dated_before_its_council_or_too_far_ahead_is_refused(approved, secretary, day, message):
    with pytest.raises(AwardsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decide(approved, day, secretary)

    approved.refresh_from_db()
    assert approved.state == NominationState.APPROVED
    assert (Decision.objects.count(), AwardRecord.objects.count()) == (0, 0)


@pytest.mark.parametrize("day", [D(2026, 3, 2), D(2026, 3, 22)])
def test_decision_on_the_councils_day_or_a_week_ahead_is_accepted(approved, secretary, day):
    decision = decide(approved, day, secretary)

    approved.refresh_from_db()
    assert (approved.state, decision.decided_on) == (NominationState.DECIDED, day)
    assert approved.eligibility["judged_on"] == day.isoformat()


def test_decision_form_shows_the_date_refusal_at_the_date_field(client, approved, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("awards:decision-create"),
        {
            "number": "8/QĐ-CHQ",
            "decided_on": "01/03/2026",
            "signer": "Nguyễn Văn Cẩn",
            "level": "unit",
            "title": "Tặng danh hiệu năm 2025",
            "file": SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf"),
            "nominations": [approved.pk],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "before the council that approved it met" in " ".join(
        response.context["form"].errors["decided_on"]
    )
    assert Decision.objects.count() == 0

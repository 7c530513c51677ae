"""Council sessions: quorum, the secret ballot, written votes, thresholds over all members, minutes."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import translation

from awards.enums import NominationState
from awards.models import CouncilSession, Nomination, Vote
from awards.services.council import (
    cast_vote,
    close_session,
    create_session,
    record_attendance,
    record_written_vote,
)
from awards.services.nominations import AwardsError
from tests.awards.conftest import registered
from tests.conftest import make_persona
from tests.factories import AwardTypeFactory, NominationFactory, StaffFactory, UnitFactory
from units.enums import Role
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HELD_ON = datetime.date(2026, 3, 2)


@pytest.fixture
def elsewhere(org):
    """A headquarters unit outside branch A's line: its members have no conflict with branch A."""
    return UnitFactory(code="HQX", name="Văn phòng Cục", kind="hq_unit", parent=org.dept)


@pytest.fixture
def council(elsewhere, secretary):
    """council(n, present=k): a 2025 session with n seated members, the first k of them present."""

    built = itertools.count()

    def build(members: int, *, present: int | None = None) -> CouncilSession:
        batch = next(built)
        users = [
            make_persona(f"tv{batch}-{index:02d}", [Role.COMMITTEE_MEMBER], elsewhere)
            for index in range(members)
        ]
        session = create_session(
            title="Phiên họp Hội đồng TĐKT", year=2025, held_on=HELD_ON, members=users, actor=secretary
        )
        chosen = users[: members if present is None else present]
        record_attendance(session, present_ids={user.pk for user in chosen}, actor=secretary)
        session.users = users
        return session

    return build


@pytest.fixture
def on_agenda(org, unit_officer):
    """on_agenda(session, code): a nomination of a new staff member of office A, sent to the session."""

    def build(session: CouncilSession, code: str = "CSTDCS", name: str = "Nguyễn Thị Mai") -> Nomination:
        return NominationFactory(
            award_type=AwardTypeFactory(code=code),
            year=session.year,
            staff=registered(StaffFactory(unit=org.office_a, full_name=name), session.year),
            proposing_unit=org.branch_a,
            state=NominationState.COUNCIL,
            session=session,
            achievements="Thành tích xuất sắc.",
            created_by=unit_officer,
        )

    return build


def vote_all(session, nomination, choices: list[str]) -> None:
    for member, choice in zip(session.users, choices, strict=False):
        cast_vote(session, nomination=nomination, member=member, choice=choice)


def states(*nominations) -> list[str]:
    return [Nomination.objects.get(pk=nomination.pk).state for nomination in nominations]


@pytest.fixture
def english():
    """Messages of services called outside a request are in the default language (Vietnamese)."""
    with translation.override("en"):
        yield


# --- thresholds over ALL members -------------------------------------------------------------------------


def test_council_ten_members_eight_yes_approves_cstdcs_80_and_rejects_cstd_bo_90(
    council, on_agenda, secretary
):
    session = council(10)
    cstdcs = on_agenda(session, "CSTDCS", "Nguyễn Văn An")
    cstd_bo = on_agenda(session, "CSTD_BO", "Trần Thị Bình")
    choices = ["yes"] * 8 + ["no", "abstain"]
    vote_all(session, cstdcs, choices)
    vote_all(session, cstd_bo, choices)

    results = close_session(session, actor=secretary)

    assert states(cstdcs, cstd_bo) == [NominationState.APPROVED, NominationState.REJECTED]
    by_nomination = {result["nomination"]: result for result in results}
    assert (by_nomination[cstdcs.pk]["required"], by_nomination[cstd_bo.pk]["required"]) == (8, 9)
    assert (by_nomination[cstdcs.pk]["threshold"], by_nomination[cstd_bo.pk]["threshold"]) == ("80", "90")


def test_council_ten_members_nine_yes_approves_both(council, on_agenda, secretary):
    session = council(10)
    cstdcs = on_agenda(session, "CSTDCS", "Nguyễn Văn An")
    cstd_bo = on_agenda(session, "CSTD_BO", "Trần Thị Bình")
    vote_all(session, cstdcs, ["yes"] * 9 + ["no"])
    vote_all(session, cstd_bo, ["yes"] * 9 + ["no"])

    close_session(session, actor=secretary)

    assert states(cstdcs, cstd_bo) == [NominationState.APPROVED, NominationState.APPROVED]


def test_council_threshold_counts_members_who_did_not_vote(council, on_agenda, secretary):
    """8 of 8 votes cast are yes, but the council has 10 members: 80 % of ALL members is still 8."""
    session = council(10)
    cstdcs = on_agenda(session, "CSTDCS")
    cstd_bo = on_agenda(session, "CSTD_BO", "Lê Văn Cường")
    vote_all(session, cstdcs, ["yes"] * 8)
    vote_all(session, cstd_bo, ["yes"] * 8)

    close_session(session, actor=secretary)

    assert states(cstdcs, cstd_bo) == [NominationState.APPROVED, NominationState.REJECTED]


def test_council_written_votes_of_absent_members_count(council, on_agenda, secretary):
    session = council(10, present=7)
    helped = on_agenda(session, "CSTDCS", "Nguyễn Văn An")
    alone = on_agenda(session, "CSTDCS", "Trần Thị Bình")
    vote_all(session, helped, ["yes"] * 7)
    vote_all(session, alone, ["yes"] * 7)
    record_written_vote(session, nomination=helped, member=session.users[7], choice="yes", actor=secretary)
    record_written_vote(session, nomination=alone, member=session.users[7], choice="no", actor=secretary)

    results = close_session(session, actor=secretary)

    assert states(helped, alone) == [NominationState.APPROVED, NominationState.REJECTED]
    assert [(result["yes"], result["no"], result["written"]) for result in results] == [(8, 0, 1), (7, 1, 1)]


# --- quorum ---------------------------------------------------------------------------------------------


def test_council_quorum_six_of_nine_present_is_exactly_two_thirds_and_closes(council, on_agenda, secretary):
    session = council(9, present=6)
    nomination = on_agenda(session)

    close_session(session, actor=secretary)

    session.refresh_from_db()
    assert session.is_closed is True
    assert states(nomination) == [NominationState.REJECTED]


def test_council_quorum_five_of_nine_present_cannot_close(client, council, on_agenda, secretary):
    session = council(9, present=5)
    nomination = on_agenda(session)
    vote_all(session, nomination, ["yes"] * 5)
    client.force_login(secretary)

    response = client.post(reverse("awards:session-close", kwargs={"pk": session.pk}), follow=True, **EN)

    session.refresh_from_db()
    assert session.is_closed is False
    assert states(nomination) == [NominationState.COUNCIL]
    assert "cannot be closed without a quorum" in " ".join(str(m) for m in response.context["messages"])
    with pytest.raises(AwardsError):
        close_session(session, actor=secretary)
    page = client.get(session.get_absolute_url())
    assert 'data-reached="no"' in page.content.decode()


# --- the secret ballot ----------------------------------------------------------------------------------


def test_council_ballot_is_secret_until_the_session_closes(client, council, on_agenda, secretary):
    session = council(3)
    nomination = on_agenda(session)
    first, second, third = session.users
    cast_vote(session, nomination=nomination, member=first, choice="no")
    cast_vote(session, nomination=nomination, member=second, choice="abstain")

    client.force_login(first)
    own = client.get(session.get_absolute_url()).content.decode()
    client.force_login(second)
    other = client.get(session.get_absolute_url()).content.decode()
    client.force_login(third)
    not_yet = client.get(session.get_absolute_url()).content.decode()
    client.force_login(secretary)
    secretary_page = client.get(session.get_absolute_url()).content.decode()

    assert own.count('data-testid="my-vote"') == 1
    assert 'data-choice="no"' in own
    assert 'data-choice="abstain"' not in own
    assert 'data-choice="abstain"' in other
    assert 'data-choice="no"' not in other
    assert "data-choice" not in not_yet
    assert 'data-testid="vote-form"' in not_yet
    assert "data-choice" not in secretary_page
    assert 'data-testid="result"' not in secretary_page
    assert 'data-testid="result"' not in own
    client.force_login(secretary)
    assert [row.ballots for row in client.get(session.get_absolute_url()).context["rows"]] == [2]


def test_council_after_closing_everyone_sees_counts_but_no_choices(client, council, on_agenda, secretary):
    session = council(3)
    nomination = on_agenda(session)
    vote_all(session, nomination, ["yes", "yes", "no"])
    close_session(session, actor=secretary)
    first = session.users[0]

    client.force_login(secretary)
    secretary_page = client.get(session.get_absolute_url(), **EN)
    client.force_login(session.users[2])
    member_page = client.get(session.get_absolute_url(), **EN)

    for response in (secretary_page, member_page):
        row = response.context["rows"][0]
        assert (row.result["yes"], row.result["no"], row.result["abstain"]) == (2, 1, 0)
        assert 'data-testid="result"' in response.content.decode()
    assert "data-choice" not in secretary_page.content.decode()
    assert member_page.content.decode().count('data-testid="my-vote"') == 1
    assert first.username not in [entry.after.get("choice") for entry in AuditEntry.objects.all()]
    assert all("choice" not in entry.after for entry in AuditEntry.objects.all())


def test_council_minutes_show_attendance_and_counts_and_no_member_choices(
    client, council, on_agenda, secretary
):
    session = council(4, present=3)
    nomination = on_agenda(session)
    vote_all(session, nomination, ["yes", "no", "abstain"])
    record_written_vote(
        session, nomination=nomination, member=session.users[3], choice="yes", actor=secretary
    )
    close_session(session, actor=secretary)
    client.force_login(secretary)

    response = client.get(reverse("awards:session-minutes", kwargs={"pk": session.pk}), **EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert {seat.member for seat in response.context["present"]} == set(session.users[:3])
    assert [seat.member for seat in response.context["absent"]] == session.users[3:]
    result = response.context["results"][0]
    assert (result["yes"], result["no"], result["abstain"], result["written"]) == (2, 1, 1, 1)
    assert result["passed"] is False
    assert 'data-col="yes">2<' in html
    assert 'data-col="written">1<' in html
    assert "data-choice" not in html
    assert "Agree" in html  # the column heading, not a member's choice


def test_council_minutes_of_an_open_session_say_they_come_at_closing(client, council, secretary):
    session = council(3)
    client.force_login(secretary)

    response = client.get(reverse("awards:session-minutes", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    assert response.context["results"] is None
    assert 'data-testid="minutes-pending"' in response.content.decode()


# --- who may vote ---------------------------------------------------------------------------------------


def test_council_a_member_votes_once_only(client, council, on_agenda):
    session = council(3)
    nomination = on_agenda(session)
    member = session.users[0]
    client.force_login(member)
    url = reverse("awards:session-vote", kwargs={"pk": session.pk})

    client.post(url, {"nomination": nomination.pk, "choice": "yes"})
    client.post(url, {"nomination": nomination.pk, "choice": "no"})

    assert list(Vote.objects.values_list("member", "choice")) == [(member.pk, "yes")]


def test_council_a_member_not_seated_sees_nothing_and_cannot_vote(
    client, council, on_agenda, committee_member
):
    session = council(3)
    nomination = on_agenda(session)
    client.force_login(committee_member)

    page = client.get(session.get_absolute_url())
    post = client.post(
        reverse("awards:session-vote", kwargs={"pk": session.pk}),
        {"nomination": nomination.pk, "choice": "yes"},
    )

    assert (page.status_code, post.status_code) == (404, 404)
    assert Vote.objects.count() == 0
    with pytest.raises(AwardsError):
        cast_vote(session, nomination=nomination, member=committee_member, choice="yes")


def test_council_an_absent_member_cannot_vote_in_person(council, on_agenda, english):
    session = council(3, present=2)
    nomination = on_agenda(session)

    with pytest.raises(AwardsError, match="present"):
        cast_vote(session, nomination=nomination, member=session.users[2], choice="yes")


def test_council_written_votes_are_for_absent_members_and_by_the_secretary(
    client, council, on_agenda, secretary
):
    session = council(3, present=2)
    nomination = on_agenda(session)
    url = reverse("awards:session-written-vote", kwargs={"pk": session.pk})

    client.force_login(session.users[0])
    by_member = client.post(
        url, {"member": session.users[2].pk, "nomination": nomination.pk, "choice": "yes"}
    )
    client.force_login(secretary)
    for_present = client.post(
        url, {"member": session.users[0].pk, "nomination": nomination.pk, "choice": "yes"}
    )
    for_absent = client.post(
        url, {"member": session.users[2].pk, "nomination": nomination.pk, "choice": "yes"}
    )

    assert by_member.status_code == 403
    assert for_present.status_code == 400
    assert list(for_present.context["written_form"].errors) == ["member"]
    assert for_absent.status_code == 302
    assert list(Vote.objects.values_list("member", "is_written")) == [(session.users[2].pk, True)]


def test_council_a_member_with_a_conflict_of_interest_does_not_vote(
    client, council, on_agenda, org, secretary
):
    session = council(2)
    insider = make_persona("insider", [Role.COMMITTEE_MEMBER], org.office_a)
    session.seats.create(member=insider, attended=True)
    nomination = on_agenda(session)
    client.force_login(insider)

    page = client.get(session.get_absolute_url())

    assert 'data-testid="conflict"' in page.content.decode()
    assert 'data-testid="vote-form"' not in page.content.decode()
    with translation.override("en"), pytest.raises(AwardsError, match="conflict of interest"):
        cast_vote(session, nomination=nomination, member=insider, choice="yes")
    assert Vote.objects.count() == 0


def test_council_agenda_links_a_nomination_only_for_members_who_may_open_it(
    client, council, on_agenda, org, secretary
):
    session = council(1)
    insider = make_persona("insider", [Role.COMMITTEE_MEMBER], org.office_a)
    session.seats.create(member=insider, attended=True)
    nomination = on_agenda(session, name="Phạm Thu Hà")
    link = f'href="{nomination.get_absolute_url()}"'

    client.force_login(insider)
    insiders_page = client.get(session.get_absolute_url()).content.decode()
    insiders_answer = client.get(nomination.get_absolute_url()).status_code
    client.force_login(session.users[0])
    outsiders_page = client.get(session.get_absolute_url()).content.decode()

    assert "Phạm Thu Hà" in insiders_page
    assert link not in insiders_page
    assert insiders_answer == 404
    assert link in outsiders_page
    assert client.get(nomination.get_absolute_url()).status_code == 200


def test_council_attendance_keeps_a_member_who_voted_in_person_present(
    council, on_agenda, secretary, english
):
    session = council(3)
    nomination = on_agenda(session)
    cast_vote(session, nomination=nomination, member=session.users[0], choice="yes")

    with pytest.raises(AwardsError, match="already voted"):
        record_attendance(session, present_ids={session.users[1].pk}, actor=secretary)

    assert session.seats.filter(attended=True).count() == 3


def test_council_a_closed_session_takes_no_more_votes_or_attendance(council, on_agenda, secretary, english):
    session = council(3)
    nomination = on_agenda(session)
    close_session(session, actor=secretary)

    with pytest.raises(AwardsError, match="closed"):
        cast_vote(session, nomination=nomination, member=session.users[0], choice="yes")
    with pytest.raises(AwardsError, match="closed"):
        record_attendance(session, present_ids=set(), actor=secretary)


# --- sessions -------------------------------------------------------------------------------------------


def test_council_session_create_page_seats_committee_members_secretary_and_leaders(
    client, secretary, leader, committee_member, unit_officer
):
    client.force_login(secretary)
    url = reverse("awards:session-create")
    data = {
        "title": "Phiên 1",
        "year": 2025,
        "held_on": "02/03/2026",
        "members": [committee_member.pk, secretary.pk, leader.pk],
    }

    refused = client.post(url, {**data, "members": [committee_member.pk, unit_officer.pk]})
    created = client.post(url, data)

    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["members"]
    session = CouncilSession.objects.get()
    assert created["Location"] == session.get_absolute_url()
    assert set(session.seats.values_list("member", flat=True)) == {
        committee_member.pk,
        secretary.pk,
        leader.pk,
    }
    assert session.held_on == HELD_ON


def test_council_pages_for_roles(client, council, secretary, leader, unit_officer, committee_member):
    session = council(3)

    answers = {}
    for name, user in {
        "leader": leader,
        "officer": unit_officer,
        "member": committee_member,
        "secretary": secretary,
    }.items():
        client.force_login(user)
        answers[name] = (
            client.get(reverse("awards:session-list")).status_code,
            client.get(session.get_absolute_url()).status_code,
            client.post(reverse("awards:session-close", kwargs={"pk": session.pk})).status_code,
        )

    assert answers == {
        "leader": (200, 200, 403),
        "officer": (403, 404, 404),
        "member": (200, 404, 404),
        "secretary": (200, 200, 302),
    }


@pytest.mark.parametrize("size", [1, 3])
def test_council_session_detail_query_count_does_not_grow(
    client, council, on_agenda, secretary, django_assert_num_queries, size
):
    session = council(2 + size)
    for index in range(size):
        nomination = on_agenda(session, name=f"Cán bộ {index}")
        cast_vote(session, nomination=nomination, member=session.users[0], choice="yes")
    client.force_login(secretary)

    # session, user, roles, the session, seats, agenda, rule set in force, ballots received,
    # attendance choices, audit trail (every member is present: no query for the absent ones),
    # the members' staff records and the recusals (who stands aside), and the verdicts as of the
    # meeting (rule set, ten fact queries)
    with django_assert_num_queries(22):
        response = client.get(session.get_absolute_url())

    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [1, 3])
def test_council_session_detail_for_a_member_query_count_does_not_grow(
    client, council, on_agenda, django_assert_num_queries, size
):
    session = council(2 + size)
    member = session.users[0]
    for index in range(size):
        nomination = on_agenda(session, name=f"Cán bộ {index}")
        cast_vote(session, nomination=nomination, member=member, choice="yes")
    client.force_login(member)

    # session, user, roles, the session, seats, agenda, rule set in force, my votes, ballots
    # received, the members' staff records and the recusals (who stands aside), and the verdicts
    # as of the meeting (rule set, ten fact queries)
    with django_assert_num_queries(23):
        response = client.get(session.get_absolute_url())

    assert [row.my_choice for row in response.context["rows"]] == ["yes"] * size


def test_council_session_list_shows_a_member_its_own_sessions_with_every_seat_counted(client, council):
    mine = council(3)
    council(2)
    client.force_login(mine.users[1])

    response = client.get(reverse("awards:session-list"))

    assert [(session.pk, session.member_count) for session in response.context["page"]] == [(mine.pk, 3)]


@pytest.mark.parametrize("size", [1, 3])
def test_council_session_list_query_count_does_not_grow(
    client, council, secretary, django_assert_num_queries, size
):
    for _index in range(size):
        council(1)
    client.force_login(secretary)

    # session, user, roles, page count, page rows
    with django_assert_num_queries(5):
        response = client.get(reverse("awards:session-list"))

    assert len(response.context["page"].object_list) == size

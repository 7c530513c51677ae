"""The law at every step of an award (awards.services.law): blocking rules refuse each step and change
nothing; rules the council may weigh need a written reason; the verdict is judged on each step's date."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from awards.enums import NominationState
from awards.models import (
    AwardRecord,
    Decision,
    Discipline,
    Nomination,
    Rating,
    ReviewFlag,
    Vote,
)
from awards.services.council import cast_vote, close_session, create_session, record_attendance
from awards.services.decisions import create_decision
from awards.services.nominations import (
    BlockedByLawError,
    ReasonRequiredError,
    propose_ministry_flags,
    send_to_council,
    start_screening,
    submit_nomination,
)
from tests.awards.conftest import registered
from tests.conftest import make_persona
from tests.factories import (
    AwardTypeFactory,
    ClusterFactory,
    MovementFactory,
    NominationDocumentFactory,
    NominationFactory,
    PeriodFactory,
    RankingEntryFactory,
    RankingSnapshotFactory,
    StaffFactory,
    UnitFactory,
)
from units.enums import Role
from units.models import AuditEntry, UnitLineage

pytestmark = pytest.mark.django_db

D = datetime.date
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = D(2026, 3, 15)
HELD_ON = D(2026, 3, 2)
DECIDED_ON = D(2026, 3, 10)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
WEIGHED = "Thành tích đột phá trong chống buôn lậu; đề nghị Hội đồng xem xét."
DOSSIER = {
    "CSTDCS": ["proposal", "achievement_report", "minutes", "vote_result", "rating_proof"],
    "TTLDTT": ["proposal", "achievement_report", "minutes", "vote_result"],
}
STEPS = ["submit", "screen", "agenda", "ballot", "decision"]
STATE_BEFORE = {
    "submit": NominationState.DRAFT,
    "screen": NominationState.SUBMITTED,
    "agenda": NominationState.SCREENING,
    "ballot": NominationState.COUNCIL,
    "decision": NominationState.APPROVED,
}


@pytest.fixture(autouse=True)
def today():
    """15/03/2026: the council met on 02/03/2026, decisions are dated 10/03/2026 (Decree 152/2025)."""
    with time_machine.travel(datetime.datetime(2026, 3, 15, 10, tzinfo=HCM), tick=False):
        yield


@pytest.fixture
def council(org, secretary):
    """A 2025 session of three members of the department's office, all present."""
    office = UnitFactory(code="VP", name="Văn phòng Cục", kind="hq_unit", parent=org.dept)
    members = [make_persona(f"tv{index}", [Role.COMMITTEE_MEMBER], office) for index in range(3)]
    session = create_session(
        title="Hội đồng TĐKT", year=2025, held_on=HELD_ON, members=members, actor=secretary
    )
    record_attendance(session, present_ids={member.pk for member in members}, actor=secretary)
    session.users = members
    return session


def _dossier(nomination, officer) -> None:
    for kind in DOSSIER[nomination.award_type.code]:
        NominationDocumentFactory(
            nomination=nomination,
            kind=kind,
            original_name=f"{kind}.pdf",
            content=PDF,
            sha256=kind.ljust(64, "0")[:64],
            uploaded_by=officer,
        )


@pytest.fixture
def at_step(org, unit_officer, council):
    """at_step(step, staff=… | unit=…): a nomination for 2025 in the state just before `step`."""

    def build(step: str, *, staff=None, unit=None) -> Nomination:
        code = "CSTDCS" if staff is not None else "TTLDTT"
        state = STATE_BEFORE[step]
        nomination = NominationFactory(
            award_type=AwardTypeFactory(code=code),
            year=2025,
            staff=staff,
            unit=unit,
            proposing_unit=org.branch_a,
            state=state,
            achievements="Hoàn thành xuất sắc nhiệm vụ.",
            created_by=unit_officer,
            session=council if state in (NominationState.COUNCIL, NominationState.APPROVED) else None,
        )
        _dossier(nomination, unit_officer)
        return nomination

    return build


def take(step: str, nomination, *, officer, secretary, council, reason: str = WEIGHED):
    """Carry out `step` on the nomination through its service."""
    if step == "submit":
        return submit_nomination(nomination, actor=officer, reason=reason)
    if step == "screen":
        return start_screening(nomination, actor=secretary)
    if step == "agenda":
        return send_to_council(nomination, actor=secretary, session=council, reason=reason)
    if step == "ballot":
        return cast_vote(council, nomination=nomination, member=council.users[0], choice="yes")
    return create_decision(
        number="12/QĐ-CHQ",
        decided_on=DECIDED_ON,
        signer="Nguyễn Văn Cẩn",
        level="unit",
        title="Tặng danh hiệu năm 2025",
        nominations=[nomination],
        actor=secretary,
    )


def footprint(nomination) -> tuple:
    """Everything a step could change."""
    row = Nomination.objects.get(pk=nomination.pk)
    return (
        row.state,
        row.version,
        row.eligibility,
        row.is_eligible,
        row.session_id,
        row.submitted_at,
        AuditEntry.objects.count(),
        Vote.objects.count(),
        Decision.objects.count(),
        AwardRecord.objects.count(),
    )


# --- the facts that block, one per rule the law makes absolute -------------------------------------------


def open_investigation(org):
    """Rule 13: an investigation opened on 01/12/2025 and still open."""
    staff = registered(StaffFactory(unit=org.office_a, full_name="Trần Văn Điều"), 2025)
    ReviewFlag.objects.create(staff=staff, kind="investigation", opened_on=D(2025, 12, 1))
    return {"staff": staff}


def discipline_in_year(org):
    """Rules 1 and 17: a reprimand in force from May to November 2025 (rated excellent all the same)."""
    staff = registered(StaffFactory(unit=org.office_a, full_name="Lê Thị Kỷ"), 2025)
    Rating.objects.create(staff=staff, year=2025, grade="excellent")
    Discipline.objects.create(
        staff=staff,
        level="reprimand",
        decided_on=D(2025, 4, 20),
        starts_on=D(2025, 5, 1),
        ends_on=D(2025, 11, 1),
    )
    return {"staff": staff}


def not_registered(org):
    """Rule 20: rated excellent, but no registration for 2025."""
    staff = StaffFactory(unit=org.office_a, full_name="Phạm Văn Đăng")
    Rating.objects.create(staff=staff, year=2025, grade="excellent")
    return {"staff": staff}


def dissolved_unit(org):
    """Rule 15: a unit of branch A dissolved on 31/01/2026, with no successor."""
    unit = UnitFactory(
        code="KV1-09", name="Đội giải thể", kind="office", parent=org.branch_a, valid_to=D(2026, 1, 31)
    )
    return {"unit": registered(unit, 2025)}


BLOCKS = {
    "R13": (open_investigation, "Open matters block any award until they are closed: Investigation."),
    "R1": (discipline_in_year, "Disciplined in 2025 (Reprimand from 01/05/2025)."),
    "R20": (
        not_registered,
        "No registration for Grassroots emulation fighter in 2025: without one the title is not considered.",
    ),
    "R15": (
        dissolved_unit,
        "The unit was dissolved on 31/01/2026 and has no successor: it cannot be awarded.",
    ),
}


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("rule", sorted(BLOCKS))
def test_law_blocking_rule_refuses_every_step_with_its_message_and_changes_nothing(
    rule, step, org, at_step, unit_officer, secretary, council
):
    facts, sentence = BLOCKS[rule]
    nomination = at_step(step, **facts(org))
    before = footprint(nomination)

    with pytest.raises(BlockedByLawError) as refusal:
        take(step, nomination, officer=unit_officer, secretary=secretary, council=council)

    message = str(refusal.value)
    assert rule in message.split("(", 1)[1].split(",")[0]  # "(R13, judged on …)" names the rule
    assert sentence in message
    assert "nothing was changed" in message
    assert footprint(nomination) == before


def test_law_blocking_rule_is_judged_on_the_steps_date_a_review_closed_before_it_does_not_block(
    org, at_step, unit_officer, secretary, council
):
    staff = registered(StaffFactory(unit=org.office_a), 2025)
    Rating.objects.create(staff=staff, year=2025, grade="excellent")
    ReviewFlag.objects.create(
        staff=staff, kind="complaint", opened_on=D(2025, 12, 1), closed_on=D(2026, 3, 1)
    )
    nomination = at_step("ballot", staff=staff)

    cast_vote(council, nomination=nomination, member=council.users[0], choice="yes")

    assert Vote.objects.filter(nomination=nomination).count() == 1


def test_law_a_unit_dissolved_after_submission_is_refused_at_the_decision_but_not_before(
    org, at_step, secretary, council
):
    unit = registered(
        UnitFactory(
            code="KV1-08", name="Đội sáp nhập", kind="office", parent=org.branch_a, valid_to=D(2026, 3, 5)
        ),
        2025,
    )
    approved = at_step("decision", unit=unit)

    with pytest.raises(BlockedByLawError, match="dissolved on 05/03/2026"):
        take("decision", approved, officer=None, secretary=secretary, council=council)
    UnitLineage.objects.create(predecessor=unit, successor=org.branch_a, effective_on=D(2026, 3, 5))
    decision = take("decision", approved, officer=None, secretary=secretary, council=council)

    approved.refresh_from_db()
    assert approved.state == NominationState.DECIDED
    assert AwardRecord.objects.get(decision=decision).unit == unit
    assert (approved.eligibility["step"], approved.eligibility["judged_on"]) == ("decision", "2026-03-10")


def test_law_a_discipline_of_another_year_does_not_block_the_2025_title(org, at_step, unit_officer, council):
    staff = registered(StaffFactory(unit=org.office_a), 2025)
    Rating.objects.create(staff=staff, year=2025, grade="excellent")
    Discipline.objects.create(
        staff=staff,
        level="reprimand",
        decided_on=D(2023, 2, 1),
        starts_on=D(2023, 3, 1),
        ends_on=D(2023, 9, 1),
    )
    nomination = at_step("submit", staff=staff)

    submitted = submit_nomination(nomination, actor=unit_officer)

    assert (submitted.state, submitted.is_eligible) == (NominationState.SUBMITTED, True)


# --- conditions the council may weigh --------------------------------------------------------------------


def weighed_subject(org):
    """Registered, no blocking fact, but rated only "good": CSTĐCS has no ground (rule 2)."""
    staff = registered(StaffFactory(unit=org.office_a, full_name="Vũ Thị Cân"), 2025)
    Rating.objects.create(staff=staff, year=2025, grade="good")
    return staff


@pytest.mark.parametrize("step", ["submit", "agenda"])
def test_law_weighed_conditions_need_a_written_reason_and_nothing_changes_without_one(
    step, org, at_step, unit_officer, secretary, council
):
    nomination = at_step(step, staff=weighed_subject(org))
    before = footprint(nomination)

    with pytest.raises(ReasonRequiredError) as refusal:
        take(step, nomination, officer=unit_officer, secretary=secretary, council=council, reason="  ")

    assert "No ground for Grassroots emulation fighter in 2025" in str(refusal.value)
    assert footprint(nomination) == before


@pytest.mark.parametrize(
    ("step", "action"), [("submit", "nomination.submitted"), ("agenda", "nomination.sent_to_council")]
)
def test_law_weighed_conditions_go_on_with_the_reason_kept_in_the_audit_trail(
    step, action, org, at_step, unit_officer, secretary, council
):
    nomination = at_step(step, staff=weighed_subject(org))

    take(step, nomination, officer=unit_officer, secretary=secretary, council=council)

    nomination.refresh_from_db()
    entry = AuditEntry.objects.for_record(nomination).filter(action=action).get()
    assert entry.reason == WEIGHED
    assert nomination.is_eligible is False
    assert (nomination.eligibility["step"], nomination.eligibility["judged_on"]) == (step, "2026-03-15")


def test_law_screening_and_ballot_show_weighed_conditions_without_asking_for_a_reason(
    org, at_step, secretary, council
):
    screened = start_screening(at_step("screen", staff=weighed_subject(org)), actor=secretary)
    on_agenda = at_step("ballot", staff=weighed_subject(org))

    cast_vote(council, nomination=on_agenda, member=council.users[1], choice="no")

    assert (screened.state, screened.is_eligible) == (NominationState.SCREENING, False)
    assert Vote.objects.filter(nomination=on_agenda).count() == 1


# --- closing the session, the ministry flag proposals ------------------------------------------------------


def test_law_closing_rejects_a_nomination_blocked_on_the_meeting_day_whatever_its_votes(
    org, at_step, secretary, council
):
    staff = registered(StaffFactory(unit=org.office_a), 2025)
    Rating.objects.create(staff=staff, year=2025, grade="excellent")
    nomination = at_step("ballot", staff=staff)
    for member in council.users:
        cast_vote(council, nomination=nomination, member=member, choice="yes")
    # Recorded after the ballot, opened before the meeting: the law blocked it on the meeting day.
    ReviewFlag.objects.create(staff=staff, kind="inspection", opened_on=D(2026, 2, 20))

    (result,) = close_session(council, actor=secretary)

    nomination.refresh_from_db()
    assert (result["yes"], result["passed"]) == (3, False)
    assert "Inspection" in result["blocked"]
    assert nomination.state == NominationState.REJECTED


def test_law_flag_proposal_button_warns_the_secretary_of_a_blocked_unit(client, org, secretary):
    period = PeriodFactory(movement=MovementFactory(), year=2025)
    cluster = ClusterFactory(year=2025, code="CUM2", name="Cụm thi đua số 2")
    shot = RankingSnapshotFactory(period=period, cluster=cluster)
    # branch B registered nothing for 2025: rule 20
    RankingEntryFactory(snapshot=shot, unit=org.branch_b, rank=1, criteria_points=Decimal(90))
    client.force_login(secretary)

    response = client.post(reverse("awards:nomination-propose-flags"), {"year": 2025}, follow=True, **EN)

    texts = [str(message) for message in response.context["messages"]]
    assert any(text.startswith(f"{org.branch_b.name}: The law does not allow") for text in texts)
    assert Nomination.objects.count() == 0


def test_law_flag_proposals_skip_a_unit_the_law_blocks_and_say_why(org, secretary):
    period = PeriodFactory(movement=MovementFactory(), year=2025)
    cluster = ClusterFactory(year=2025, code="CUM1", name="Cụm thi đua số 1")
    shot = RankingSnapshotFactory(period=period, cluster=cluster)
    RankingEntryFactory(snapshot=shot, unit=org.branch_a, rank=1, criteria_points=Decimal(90))
    registered(org.branch_a, 2025)
    ReviewFlag.objects.create(unit=org.branch_a, kind="inspection", opened_on=D(2026, 1, 10))
    refused: list[str] = []

    created = propose_ministry_flags(2025, actor=secretary, refused=refused)

    assert created == []
    assert Nomination.objects.count() == 0
    assert len(refused) == 1
    assert refused[0].startswith(f"{org.branch_a.name}: The law does not allow")


# --- the pages: the verdict before sending, the refusals at their field -------------------------------------


def test_law_officer_sees_the_verdict_of_today_before_sending(client, org, at_step, unit_officer):
    nomination = at_step("submit", **open_investigation(org))
    client.force_login(unit_officer)

    page = client.get(nomination.get_absolute_url(), **EN)

    live = page.context["live"]
    assert (live.step, live.on, live.blocked) == ("submit", TODAY, True)
    assert [reason.code for reason in live.blocking] == ["open_review"]
    html = page.content.decode()
    assert 'data-testid="law-blocking"' in html
    assert "Open matters block any award until they are closed: Investigation." in html


def test_law_submit_page_refuses_a_blocked_nomination_with_400_and_changes_nothing(
    client, org, at_step, unit_officer
):
    nomination = at_step("submit", **discipline_in_year(org))
    before = footprint(nomination)
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-submit", kwargs={"pk": nomination.pk}), {"reason": WEIGHED}, **EN
    )

    assert response.status_code == 400
    assert "Disciplined in 2025" in " ".join(response.context["submit_form"].non_field_errors())
    assert footprint(nomination) == before


def test_law_submit_page_asks_for_the_reason_at_its_field(client, org, at_step, unit_officer):
    nomination = at_step("submit", staff=weighed_subject(org))
    before = footprint(nomination)
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-submit", kwargs={"pk": nomination.pk}), {"reason": ""}, **EN
    )

    assert response.status_code == 400
    assert "write why the nomination should go on" in " ".join(
        response.context["submit_form"].errors["reason"]
    )
    assert footprint(nomination) == before


def test_law_send_page_asks_the_secretary_for_the_reason_at_its_field(
    client, org, at_step, secretary, council
):
    nomination = at_step("agenda", staff=weighed_subject(org))
    client.force_login(secretary)

    refused = client.post(
        reverse("awards:nomination-send", kwargs={"pk": nomination.pk}), {"session": council.pk}, **EN
    )
    sent = client.post(
        reverse("awards:nomination-send", kwargs={"pk": nomination.pk}),
        {"session": council.pk, "reason": WEIGHED},
        **EN,
    )

    nomination.refresh_from_db()
    assert refused.status_code == 400
    assert "reason" in refused.context["send_form"].errors
    assert sent.status_code == 302
    assert (nomination.state, nomination.session) == (NominationState.COUNCIL, council)


def test_law_council_sees_the_verdict_as_of_the_meeting(client, org, at_step, council):
    nomination = at_step("ballot", **open_investigation(org))
    client.force_login(council.users[0])

    page = client.get(council.get_absolute_url(), **EN)

    (row,) = page.context["rows"]
    assert row.nomination == nomination
    assert (row.check.step, row.check.on, row.check.blocked) == ("ballot", HELD_ON, True)
    assert row.vote_form is None
    assert 'data-testid="vote-blocked"' in page.content.decode()


# --- the admin door --------------------------------------------------------------------------------------


def test_law_admin_cannot_move_a_nomination_nor_add_an_award(client, org, at_step, superuser):
    nomination = at_step("decision", **open_investigation(org))
    client.force_login(superuser)
    change = reverse("admin:awards_nomination_change", args=[nomination.pk])

    form = client.get(change)
    added = client.get(reverse("admin:awards_awardrecord_add"))

    assert "state" not in form.context["adminform"].form.fields
    assert added.status_code == 403
    assert Nomination.objects.get(pk=nomination.pk).state == NominationState.APPROVED

"""Journey 6: the law before sending and at the meeting. The unit officer sees, before sending, that an
open investigation blocks one nomination (no button) and that another has conditions the council may
weigh (sent only with a reason); a council member sees each nomination's verdict as of the meeting,
and cannot vote on the one the law blocks that day."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from awards.enums import NominationState
from awards.models import AwardType, Nomination, NominationDocument, Rating, ReviewFlag
from awards.services.council import create_session, record_attendance
from awards.services.nominations import create_nomination, send_to_council, start_screening
from emulation.models import IndividualRegistration
from tests.conftest import make_persona
from tests.factories import PeriodFactory, PledgeFactory, StaffFactory, UnitFactory
from units.enums import Role

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("award_catalogue"),
]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOSSIER = ["proposal", "achievement_report", "minutes", "vote_result", "rating_proof"]


def draft_for(staff, officer, org, year: int) -> Nomination:
    """A CSTĐCS draft of the staff member with its complete dossier."""
    nomination = create_nomination(
        actor=officer,
        proposing_unit=org.branch_a,
        award_type=AwardType.objects.get(code="CSTDCS"),
        year=year,
        staff=staff,
        achievements="Hoàn thành tốt nhiệm vụ; có sáng kiến cải tiến quy trình.",
    )
    for kind in DOSSIER:
        document = NominationDocument(
            nomination=nomination,
            kind=kind,
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=kind.ljust(64, "0")[:64],
            uploaded_by=officer,
        )
        document.file.save(f"{kind}.pdf", ContentFile(PDF), save=False)
        document.save()
    return nomination


def test_law_journey_verdict_before_sending_and_as_of_the_meeting(
    page, login, org, unit_officer, secretary, artifacts_dir
):
    today = timezone.localdate()
    year = today.year - 1
    held_on = today - datetime.timedelta(days=2)
    pledge = PledgeFactory(unit=org.office_a, period=PeriodFactory(year=year), state="accepted")
    watched = StaffFactory(unit=org.office_a, full_name="Trần Văn Điều")
    weighed = StaffFactory(unit=org.office_a, full_name="Vũ Thị Cân")
    for staff in (watched, weighed):
        IndividualRegistration.objects.create(pledge=pledge, staff=staff, title="CSTDCS")
    Rating.objects.create(staff=watched, year=year, grade="excellent")
    Rating.objects.create(staff=weighed, year=year, grade="good")  # no ground for CSTĐCS: weighed
    ReviewFlag.objects.create(
        staff=watched, kind="investigation", opened_on=today - datetime.timedelta(days=30)
    )
    blocked = draft_for(watched, unit_officer, org, year)
    to_weigh = draft_for(weighed, unit_officer, org, year)
    page.on("dialog", lambda dialog: dialog.accept())

    # The officer sees, before sending, that the investigation blocks the first nomination.
    login(unit_officer)
    page.goto(blocked.get_absolute_url())
    check = page.get_by_test_id("law-check")
    assert (check.get_attribute("data-step"), check.get_attribute("data-blocked")) == ("submit", "yes")
    assert page.get_by_test_id("law-blocking").locator("[data-code=open_review]").count() == 1
    assert page.get_by_test_id("nomination-submit").is_disabled()
    page.screenshot(path=str(artifacts_dir / "law-blocked-before-sending.png"), full_page=True)

    # ... and that the second has conditions the council may weigh: sent only with a reason.
    page.goto(to_weigh.get_absolute_url())
    assert page.get_by_test_id("law-check").get_attribute("data-blocked") == "no"
    assert page.get_by_test_id("law-weighed").locator("[data-code=no_cstdcs_ground]").count() == 1
    page.get_by_test_id("nomination-submit").click()
    assert page.get_by_test_id("submit-form").locator(".invalid-feedback").count() == 1
    to_weigh.refresh_from_db()
    assert to_weigh.state == NominationState.DRAFT
    page.get_by_test_id("submit-form").locator("textarea[name=reason]").fill(
        "Có sáng kiến cải tiến quy trình đang chờ công nhận; đề nghị Hội đồng xem xét."
    )
    page.get_by_test_id("nomination-submit").click()
    assert page.get_by_test_id("nomination-state").get_attribute("data-state") == NominationState.SUBMITTED

    # The secretary puts it before a council that met two days ago; the investigation of the first
    # subject is closed today, but it was open on the meeting day.
    elsewhere = UnitFactory(code="HQX", name="Văn phòng Cục", kind="hq_unit", parent=org.dept)
    member = make_persona("council_law", [Role.COMMITTEE_MEMBER], elsewhere)
    session = create_session(
        title=f"Hội đồng Thi đua – Khen thưởng năm {year}",
        year=year,
        held_on=held_on,
        members=[member],
        actor=secretary,
    )
    record_attendance(session, present_ids={member.pk}, actor=secretary)
    start_screening(to_weigh, actor=secretary)
    send_to_council(to_weigh, actor=secretary, session=session, reason="Hội đồng cân nhắc sáng kiến.")
    Nomination.objects.filter(pk=blocked.pk).update(state=NominationState.COUNCIL, session=session)
    ReviewFlag.objects.filter(staff=watched).update(closed_on=today)

    # The member sees each verdict as of the meeting and cannot vote on the blocked one.
    page.context.clear_cookies()
    login(member)
    page.goto(session.get_absolute_url())
    rows = {
        int(item.get_attribute("data-nomination")): item for item in page.get_by_test_id("agenda-item").all()
    }
    watched_row, weighed_row = rows[blocked.pk], rows[to_weigh.pk]
    watched_row.get_by_test_id("meeting-verdict").locator("summary").wait_for()
    verdict = watched_row.get_by_test_id("law-check")
    assert (verdict.get_attribute("data-step"), verdict.get_attribute("data-blocked")) == ("ballot", "yes")
    assert held_on.strftime("%d/%m/%Y") in verdict.get_by_test_id("law-headline").inner_text()
    assert watched_row.get_by_test_id("vote-blocked").count() == 1
    assert watched_row.get_by_test_id("vote-form").count() == 0
    weighed_row.get_by_test_id("meeting-verdict").locator("summary").click()
    assert weighed_row.get_by_test_id("law-weighed").locator("[data-code=no_cstdcs_ground]").is_visible()
    ballot = weighed_row.get_by_test_id("vote-form")
    ballot.locator("input[name=choice][value=no]").check()
    ballot.get_by_test_id("vote-submit").click()
    assert page.get_by_test_id("my-vote").get_attribute("data-choice") == "no"
    page.screenshot(path=str(artifacts_dir / "law-verdict-as-of-the-meeting.png"), full_page=True)
    # The one refused submission answers 400 by design (the reason was missing); nothing else failed.
    assert [error for error in page.console_errors if "400 (Bad Request)" not in error] == []

"""Journey 3: a unit proposes a CSTĐCS with its dossier; the secretary screens it and sends it to a
council session; three members vote in secret; the session closes; the decision is recorded and the
person's award history shows the award."""

import pytest
from django.utils import timezone

from awards.enums import NominationState
from awards.models import AwardRecord, AwardType, CouncilSession, Nomination, Rating
from emulation.models import IndividualRegistration
from tests.conftest import make_persona
from tests.factories import PeriodFactory, PledgeFactory, StaffFactory, UnitFactory
from tests.files import pdf_bytes
from units.enums import Role

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("award_catalogue"),
]

PDF = pdf_bytes()  # a real PDF: uploads are parsed before they are accepted
DOSSIER = ["proposal", "achievement_report", "minutes", "vote_result", "rating_proof"]


def test_awards_journey_propose_screen_vote_decide_history(
    page, login, org, unit_officer, secretary, tmp_path, artifacts_dir
):
    year = timezone.localdate().year - 1
    person = StaffFactory(unit=org.office_a, full_name="Nguyễn Thị Mai")
    # The facts that make the person eligible: registered for CSTĐCS (rule 20), rated "excellent".
    pledge = PledgeFactory(unit=org.office_a, period=PeriodFactory(year=year), state="accepted")
    IndividualRegistration.objects.create(pledge=pledge, staff=person, title="CSTDCS")
    Rating.objects.create(staff=person, year=year, grade="excellent")
    elsewhere = UnitFactory(code="HQX", name="Văn phòng Cục", kind="hq_unit", parent=org.dept)
    members = [make_persona(f"council{index}", [Role.COMMITTEE_MEMBER], elsewhere) for index in range(3)]
    cstdcs = AwardType.objects.get(code="CSTDCS")
    files = {}
    for kind in DOSSIER:
        files[kind] = tmp_path / f"{kind}.pdf"
        files[kind].write_bytes(PDF + kind.encode())
    page.on("dialog", lambda dialog: dialog.accept())

    # The unit officer proposes the person and uploads the dossier, one document at a time.
    login(unit_officer)
    page.goto("/awards/nominations/mine/")
    page.get_by_test_id("nomination-new").click()
    page.locator("select[name=staff]").select_option(str(person.pk))
    page.locator("select[name=award_type]").select_option(str(cstdcs.pk))
    page.locator("input[name=year]").fill(str(year))
    page.locator("textarea[name=achievements]").fill("Hoàn thành xuất sắc nhiệm vụ; thu ngân sách vượt 12 %.")
    page.get_by_test_id("nomination-save").click()
    nomination = Nomination.objects.get(staff=person)
    page.wait_for_url(f"**{nomination.get_absolute_url()}")
    for kind in DOSSIER:
        page.locator("select[name=kind]").select_option(kind)
        page.locator("input[name=file]").set_input_files(str(files[kind]))
        page.get_by_test_id("document-upload").click()
        page.get_by_test_id(f"dossier-{kind}").get_by_role("link", name=f"{kind}.pdf").wait_for()
    page.get_by_test_id("dossier-complete").wait_for()
    page.get_by_test_id("nomination-submit").click()
    assert page.get_by_test_id("nomination-state").get_attribute("data-state") == NominationState.SUBMITTED
    page.screenshot(path=str(artifacts_dir / "nomination-submitted.png"), full_page=True)
    nomination.refresh_from_db()
    assert nomination.documents.count() == len(DOSSIER)
    assert nomination.is_eligible is True
    assert page.get_by_test_id("eligible").get_attribute("data-eligible") == "yes"

    # The secretary opens a council session with three members, all present.
    page.context.clear_cookies()
    login(secretary)
    page.goto("/awards/council/new/")
    page.locator("input[name=title]").fill(f"Phiên họp Hội đồng Thi đua – Khen thưởng năm {year}")
    for member in members:
        page.locator(f"input[name=members][value='{member.pk}']").check()
    page.get_by_test_id("session-save").click()
    session = CouncilSession.objects.get()
    page.wait_for_url(f"**{session.get_absolute_url()}")
    for member in members:
        page.locator(f"input[name=present][value='{member.pk}']").check()
    page.get_by_test_id("attendance-save").click()
    assert page.get_by_test_id("quorum").get_attribute("data-reached") == "yes"

    # ... screens the nomination and sends it to the session.
    page.goto(nomination.get_absolute_url())
    page.get_by_test_id("nomination-screen").click()
    assert page.get_by_test_id("nomination-state").get_attribute("data-state") == NominationState.SCREENING
    page.get_by_test_id("nomination-send").click()
    assert page.get_by_test_id("nomination-state").get_attribute("data-state") == NominationState.COUNCIL

    # The members log in one after another and cast their secret ballots.
    for member in members:
        page.context.clear_cookies()
        login(member)
        page.goto(session.get_absolute_url())
        assert page.locator("[data-choice]").count() == 0
        ballot = page.get_by_test_id("vote-form")
        ballot.locator("input[name=choice][value=yes]").check()
        ballot.get_by_test_id("vote-submit").click()
        assert page.get_by_test_id("my-vote").get_attribute("data-choice") == "yes"

    # The secretary sees no choice before closing, closes the session and prints the minutes.
    page.context.clear_cookies()
    login(secretary)
    page.goto(session.get_absolute_url())
    assert page.locator("[data-choice]").count() == 0
    page.screenshot(path=str(artifacts_dir / "council-session-open.png"), full_page=True)
    page.get_by_test_id("session-close").click()
    assert page.get_by_test_id("session-state").get_attribute("data-closed") == "yes"
    assert page.get_by_test_id("result").locator("[data-passed]").get_attribute("data-passed") == "yes"
    page.goto(f"/awards/council/{session.pk}/minutes/")
    assert page.locator("[data-testid=minutes-row] [data-col=yes]").inner_text() == "3"
    page.screenshot(path=str(artifacts_dir / "council-minutes.png"), full_page=True)

    # The secretary records the decision with the signed PDF.
    page.goto("/awards/decisions/new/")
    page.locator("input[name=number]").fill(f"125/QĐ-CHQ-{year}")
    page.locator("input[name=decided_on]").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.locator("input[name=signer]").fill("Nguyễn Văn Cẩn")
    page.locator("select[name=level]").select_option("unit")
    page.locator("input[name=title]").fill(f"Tặng danh hiệu Chiến sĩ thi đua cơ sở năm {year}")
    page.locator("input[name=file]").set_input_files(str(files["proposal"]))
    page.locator(f"input[name=nominations][value='{nomination.pk}']").check()
    page.get_by_test_id("decision-save").click()
    page.get_by_test_id("decision-number").wait_for()
    record = AwardRecord.objects.get()
    assert record.amount == record.decision.base_salary * cstdcs.coefficient

    # The person's award history on the staff page shows the award.
    page.goto(person.get_absolute_url())
    history = page.get_by_test_id("award-history-row")
    assert history.count() == 1
    assert history.get_attribute("data-code") == "CSTDCS"
    assert history.get_attribute("data-revoked") == "no"
    page.screenshot(path=str(artifacts_dir / "award-history.png"), full_page=True)
    assert page.console_errors == []

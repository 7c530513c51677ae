"""Decisions: numbering, reward amounts, award records, revocation and the award-history panels."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from awards.enums import NominationState
from awards.models import AwardRecord, Decision, Nomination
from awards.services.decisions import create_decision, revoke_award
from awards.services.nominations import AwardsError
from awards.views.decisions import staff_award_history, unit_award_history
from tests.awards.conftest import registered
from tests.core.corpus import hostile_pdfs
from tests.factories import AwardTypeFactory, NominationFactory, StaffFactory
from tests.files import pdf_bytes
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PDF = pdf_bytes()  # a real PDF: uploads are parsed before they are accepted
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def approved(org, unit_officer):
    """approved(code, staff=..., unit=...): a nomination the council approved."""

    def build(code: str = "CSTDCS", *, staff=None, unit=None, year: int = 2024) -> Nomination:
        if staff is None and unit is None:
            staff = StaffFactory(unit=org.office_a, full_name="Nguyễn Thị Mai")
        registered(staff or unit, year)
        return NominationFactory(
            award_type=AwardTypeFactory(code=code),
            year=year,
            staff=staff,
            unit=unit,
            proposing_unit=org.branch_a,
            state=NominationState.APPROVED,
            created_by=unit_officer,
        )

    return build


def decide(nominations, *, on=datetime.date(2025, 1, 15), number="15/QĐ-CHQ", actor=None) -> Decision:
    return create_decision(
        number=number,
        decided_on=on,
        signer="Nguyễn Văn Cẩn",
        level="unit",
        title="Tặng danh hiệu thi đua năm 2024",
        nominations=nominations,
        actor=actor,
    )


def decision_post(nominations, **overrides) -> dict:
    data = {
        "number": "125/QĐ-CHQ",
        "decided_on": "15/01/2025",
        "signer": "Nguyễn Văn Cẩn",
        "level": "unit",
        "title": "Tặng danh hiệu Chiến sĩ thi đua cơ sở năm 2024",
        "file": SimpleUploadedFile("quyet-dinh.pdf", PDF, content_type="application/pdf"),
        "nominations": [nomination.pk for nomination in nominations],
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Decision.objects.count(), AwardRecord.objects.count(), AuditEntry.objects.count()


@pytest.fixture
def english():
    """Messages of services called outside a request are in the default language (Vietnamese)."""
    with translation.override("en"):
        yield


# --- reward amounts -------------------------------------------------------------------------------------


def test_decision_cstdcs_on_15_01_2025_is_one_times_2_340_000(approved, secretary):
    nomination = approved("CSTDCS")

    decision = decide([nomination], actor=secretary)

    record = AwardRecord.objects.get()
    assert decision.base_salary == Decimal("2340000")
    assert record.amount == Decimal("2340000")
    assert (record.staff, record.year, record.decision, record.nomination) == (
        nomination.staff,
        2024,
        decision,
        nomination,
    )


def test_decision_ttldxs_for_a_unit_is_1_5_times_2_340_000(approved, secretary, org):
    approved("TTLDXS", unit=org.office_a)

    decide(Nomination.objects.all(), actor=secretary)

    assert AwardRecord.objects.get().amount == Decimal("3510000")


def test_decision_on_15_01_2024_uses_the_base_salary_of_1_800_000(approved, secretary):
    approved("CSTDCS", year=2023)

    decision = decide(Nomination.objects.all(), on=datetime.date(2024, 1, 15), actor=secretary)

    assert decision.base_salary == Decimal("1800000")
    assert AwardRecord.objects.get().amount == Decimal("1800000")


def test_decision_forms_use_the_coefficient_of_the_subject(approved, secretary, org):
    person = approved("BK_BO_CN")
    unit = approved("BK_BO_TT", unit=org.office_a)

    decide([person, unit], actor=secretary)

    amounts = dict(AwardRecord.objects.values_list("award_type__code", "amount"))
    assert amounts == {"BK_BO_CN": Decimal("3510000"), "BK_BO_TT": Decimal("7020000")}


def test_decision_ldtt_amount_is_rounded_to_whole_dong(approved, secretary):
    approved("LDTT")

    decide(Nomination.objects.all(), actor=secretary)

    assert AwardRecord.objects.get().amount == Decimal("702000")


# --- recording a decision -------------------------------------------------------------------------------


def test_decision_create_page_records_the_decision_and_the_awards(client, approved, secretary):
    first = approved("CSTDCS")
    second = approved("TTLDXS", unit=first.staff.unit)
    client.force_login(secretary)

    response = client.post(reverse("awards:decision-create"), decision_post([first, second]))

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert (decision.number, decision.decided_on, decision.base_salary) == (
        "125/QĐ-CHQ",
        datetime.date(2025, 1, 15),
        Decimal("2340000"),
    )
    assert decision.file.name.startswith("decisions/")
    assert "quyet-dinh" not in decision.file.name
    assert sorted(AwardRecord.objects.values_list("amount", flat=True)) == [
        Decimal("2340000"),
        Decimal("3510000"),
    ]
    assert set(Nomination.objects.values_list("state", flat=True)) == {NominationState.DECIDED}
    assert list(AuditEntry.objects.for_record(decision).values_list("action", flat=True)) == [
        "decision.recorded"
    ]
    assert AuditEntry.objects.for_record(first).first().action == "nomination.decided"
    page = client.get(decision.get_absolute_url())
    assert page.context["total"] == Decimal("5850000")


def test_decision_duplicate_number_is_a_form_error_and_nothing_is_saved(client, approved, secretary):
    earlier = approved("CSTDCS")
    decide([earlier], number="125/QĐ-CHQ", actor=secretary)
    waiting = approved("LDTT")
    client.force_login(secretary)
    before = counts()

    response = client.post(
        reverse("awards:decision-create"), decision_post([waiting], number=" 125/qđ-chq "), **EN
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["number"]
    assert "already recorded" in response.context["form"].errors["number"][0]
    assert counts() == before
    waiting.refresh_from_db()
    assert waiting.state == NominationState.APPROVED


def test_decision_duplicate_number_is_refused_by_the_service_too(approved, secretary, english):
    decide([approved("CSTDCS")], number="7/QĐ", actor=secretary)
    waiting = approved("LDTT")
    before = counts()

    with pytest.raises(AwardsError, match="already recorded"):
        decide([waiting], number="7/QĐ", actor=secretary)

    assert counts() == before


def test_decision_file_must_be_a_real_pdf(client, approved, secretary):
    nomination = approved("CSTDCS")
    client.force_login(secretary)
    before = counts()

    image = client.post(
        reverse("awards:decision-create"),
        decision_post([nomination], file=SimpleUploadedFile("qd.png", PNG, content_type="image/png")),
    )
    renamed = client.post(
        reverse("awards:decision-create"),
        decision_post(
            [nomination], file=SimpleUploadedFile("qd.pdf", b"plain text", content_type="application/pdf")
        ),
    )

    assert (image.status_code, renamed.status_code) == (400, 400)
    assert list(image.context["form"].errors) == ["file"]
    assert list(renamed.context["form"].errors) == ["file"]
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("object-stream-after-bare-cr.pdf", "contains JavaScript"),
        ("encrypted-empty-password-with-script.pdf", "is encrypted"),
        ("link-launch.pdf", "an action that starts a program"),
    ],
)
def test_decision_file_with_scripts_or_encryption_is_refused(client, approved, secretary, name, reason):
    nomination = approved("CSTDCS")
    client.force_login(secretary)
    before = counts()

    response = client.post(
        reverse("awards:decision-create"),
        decision_post([nomination], file=SimpleUploadedFile(name, hostile_pdfs()[name][0])),
        **EN,
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["file"]
    assert reason in response.context["form"].errors["file"][0]
    assert counts() == before


def test_decision_only_approved_nominations_and_no_future_date(client, approved, secretary):
    nomination = approved("CSTDCS")
    Nomination.objects.filter(pk=nomination.pk).update(state=NominationState.COUNCIL)
    ready = approved("LDTT")
    client.force_login(secretary)
    before = counts()

    not_approved = client.post(reverse("awards:decision-create"), decision_post([nomination]))
    future = client.post(reverse("awards:decision-create"), decision_post([ready], decided_on="01/01/2099"))

    assert list(not_approved.context["form"].errors) == ["nominations"]
    assert list(future.context["form"].errors) == ["decided_on"]
    assert counts() == before


def test_decision_pages_for_roles(client, approved, secretary, leader, unit_officer):
    decision = decide([approved("CSTDCS")], actor=secretary)
    record = AwardRecord.objects.get()

    answers = {}
    for name, user in {"leader": leader, "officer": unit_officer}.items():
        client.force_login(user)
        answers[name] = (
            client.get(reverse("awards:decision-list")).status_code,
            client.get(decision.get_absolute_url()).status_code,
            client.get(reverse("awards:decision-create")).status_code,
            client.post(
                reverse("awards:award-revoke", kwargs={"pk": record.pk}), {"reason": "x"}
            ).status_code,
        )

    assert answers == {"leader": (200, 200, 403, 403), "officer": (403, 403, 403, 403)}
    record.refresh_from_db()
    assert record.is_revoked is False


# --- revocation and history -----------------------------------------------------------------------------


def test_award_revoke_keeps_the_record_struck_through_with_the_reason(client, approved, secretary):
    nomination = approved("CSTDCS")
    decide([nomination], actor=secretary)
    record = AwardRecord.objects.get()
    client.force_login(secretary)

    empty = client.post(reverse("awards:award-revoke", kwargs={"pk": record.pk}), {"reason": "  "})
    record.refresh_from_db()
    assert record.is_revoked is False
    assert empty.status_code == 302

    client.post(
        reverse("awards:award-revoke", kwargs={"pk": record.pk}), {"reason": "Kê khai thành tích không đúng."}
    )
    staff_page = client.get(nomination.staff.get_absolute_url())

    record.refresh_from_db()
    assert (record.is_revoked, record.revoked_reason) == (True, "Kê khai thành tích không đúng.")
    assert record.revoked_at is not None
    assert list(AuditEntry.objects.for_record(record).values_list("action", "reason")) == [
        ("award.revoked", "Kê khai thành tích không đúng.")
    ]
    html = staff_page.content.decode()
    assert 'data-revoked="yes"' in html
    assert "text-decoration-line-through" in html
    with pytest.raises(AwardsError):
        revoke_award(record, actor=secretary, reason="again")


def test_award_history_panels_show_the_records_to_those_who_may_see_the_subject(
    client, approved, secretary, unit_officer, other_unit_officer, committee_member, org
):
    person_nomination = approved("CSTDCS")
    unit_nomination = approved("TTLDXS", unit=org.office_a)
    decide([person_nomination, unit_nomination], actor=secretary)
    person = person_nomination.staff

    client.force_login(unit_officer)
    staff_page = client.get(person.get_absolute_url())
    unit_page = client.get(org.office_a.get_absolute_url())

    assert 'data-code="CSTDCS"' in staff_page.content.decode()
    assert 'data-code="TTLDXS"' in unit_page.content.decode()
    assert 'data-code="CSTDCS"' not in unit_page.content.decode()
    assert staff_award_history(person, other_unit_officer) is None
    assert unit_award_history(org.office_a, other_unit_officer) is None
    assert staff_award_history(person, committee_member) is None
    assert [
        record.award_type.code for record in unit_award_history(org.office_a, committee_member)["records"]
    ] == ["TTLDXS"]


def test_award_history_panel_says_when_nothing_is_recorded(client, secretary, org):
    client.force_login(secretary)

    response = client.get(org.branch_b.get_absolute_url())

    assert 'data-testid="award-history-empty"' in response.content.decode()


@pytest.mark.parametrize("size", [1, 3])
def test_decision_list_query_count_does_not_grow(
    client, approved, secretary, django_assert_num_queries, size
):
    for index in range(size):
        decide([approved("CSTDCS")], number=f"{index}/QĐ", actor=secretary)
    client.force_login(secretary)

    # session, user, roles, page count, page rows with their totals
    with django_assert_num_queries(5):
        response = client.get(reverse("awards:decision-list"))

    assert [decision.award_count for decision in response.context["page"]] == [1] * size


def test_decision_file_opens_in_the_pdf_viewer_and_never_as_a_page(client, approved, secretary):
    nomination = approved("CSTDCS")
    client.force_login(secretary)
    client.post(reverse("awards:decision-create"), decision_post([nomination]))
    decision = Decision.objects.get()
    url = reverse("awards:decision-file", kwargs={"pk": decision.pk})

    served = client.get(url)
    body = b"".join(served.streaming_content)
    decision.file.storage.delete(decision.file.name)
    missing = client.get(url)

    assert body == PDF
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == "inline; filename*=utf-8''125-Q%C4%90-CHQ.pdf"  # 125/QĐ-CHQ
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-cache"
    assert (
        "Content-Security-Policy" not in served
    )  # the browser's PDF viewer is a plugin a policy would block
    assert missing.status_code == 404

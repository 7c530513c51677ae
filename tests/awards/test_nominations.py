"""Nominations: the unit's proposal and dossier, rule 12, submission, screening, the ministry flag proposal."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from awards.enums import NominationState
from awards.models import AwardType, CouncilSession, Nomination, NominationDocument, Rating
from awards.services.eligibility import check_nomination
from awards.services.nominations import (
    DuplicateNominationError,
    IncompleteDossierError,
    add_document,
    create_nomination,
    propose_ministry_flags,
    request_supplement,
    send_to_council,
    start_screening,
    submit_nomination,
)
from core.uploads import check_uploaded_file
from emulation.models import IndividualRegistration
from tests.awards.conftest import registered
from tests.core.corpus import hostile_office_files, hostile_pdfs
from tests.factories import (
    ClusterFactory,
    MovementFactory,
    PeriodFactory,
    PledgeFactory,
    RankingEntryFactory,
    RankingSnapshotFactory,
    StaffFactory,
    UnitFactory,
)
from tests.files import pdf_bytes
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PDF = pdf_bytes()  # a real PDF: uploads are parsed before they are accepted
WEIGHED = "Thành tích nổi bật; đề nghị Hội đồng xem xét."
CSTDCS_DOSSIER = ["proposal", "achievement_report", "minutes", "vote_result", "rating_proof"]


def award(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def pdf_upload(name: str, salt: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + salt.encode(), content_type="application/pdf")


def attach(nomination, kind: str, actor) -> NominationDocument:
    upload = pdf_upload(f"{kind}.pdf", kind)
    checked = check_uploaded_file(upload, max_bytes=settings.UPLOAD_MAX_MB * 1024 * 1024)
    return add_document(nomination, actor=actor, kind=kind, upload=upload, checked=checked)


def register(staff, title: str, year: int) -> None:
    """Rule 20: the person registered for the title in its unit's (accepted) pledge of the year."""
    pledge = PledgeFactory(unit=staff.unit, period=PeriodFactory(year=year), state="accepted")
    IndividualRegistration.objects.create(pledge=pledge, staff=staff, title=title)


def audit_actions(record) -> list[str]:
    return list(AuditEntry.objects.for_record(record).order_by("at", "pk").values_list("action", flat=True))


@pytest.fixture
def person(org):
    return registered(StaffFactory(unit=org.office_a, full_name="Nguyễn Thị Mai"), 2025)


@pytest.fixture
def draft(person, org, unit_officer):
    return create_nomination(
        actor=unit_officer,
        proposing_unit=org.branch_a,
        award_type=award("CSTDCS"),
        year=2025,
        staff=person,
        achievements="Hoàn thành xuất sắc nhiệm vụ thu ngân sách.",
    )


@pytest.fixture
def complete(draft, unit_officer):
    for kind in CSTDCS_DOSSIER:
        attach(draft, kind, unit_officer)
    return draft


@pytest.fixture
def submitted(complete, unit_officer):
    return submit_nomination(complete, actor=unit_officer, reason=WEIGHED)


@pytest.fixture
def english():
    """Messages of services called outside a request are in the default language (Vietnamese)."""
    with translation.override("en"):
        yield


# --- proposing ----------------------------------------------------------------------------------------


def test_nomination_create_page_saves_a_draft_for_a_staff_member_of_the_subtree(
    client, unit_officer, person, org
):
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-create"),
        {
            "staff": person.pk,
            "award_type": award("CSTDCS").pk,
            "year": 2025,
            "achievements": "Thu vượt chỉ tiêu.",
        },
    )

    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == nomination.get_absolute_url()
    assert (nomination.state, nomination.staff, nomination.proposing_unit, nomination.year) == (
        NominationState.DRAFT,
        person,
        org.branch_a,
        2025,
    )
    assert audit_actions(nomination) == ["nomination.created"]


def test_nomination_create_page_refuses_a_staff_member_of_another_unit(client, unit_officer, org):
    stranger = StaffFactory(unit=org.office_b)
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-create"),
        {"staff": stranger.pk, "award_type": award("CSTDCS").pk, "year": 2025, "achievements": "x"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["staff"]
    assert Nomination.objects.count() == 0


def test_nomination_create_page_refuses_a_unit_title_for_a_person(client, unit_officer, person):
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-create"),
        {"staff": person.pk, "award_type": award("TTLDXS").pk, "year": 2025, "achievements": "x"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["award_type"]
    assert Nomination.objects.count() == 0


def test_nomination_create_page_refuses_both_or_neither_subject_and_a_future_year(
    client, unit_officer, person, org
):
    client.force_login(unit_officer)
    url = reverse("awards:nomination-create")
    cstdcs = award("CSTDCS").pk

    both = client.post(
        url,
        {
            "staff": person.pk,
            "unit": org.office_a.pk,
            "award_type": cstdcs,
            "year": 2025,
            "achievements": "x",
        },
    )
    neither = client.post(url, {"award_type": cstdcs, "year": 2025, "achievements": "x"})
    future = client.post(url, {"staff": person.pk, "award_type": cstdcs, "year": 2099, "achievements": "x"})

    assert (both.status_code, neither.status_code, future.status_code) == (400, 400, 400)
    assert "unit" in both.context["form"].errors
    assert "staff" in neither.context["form"].errors
    assert list(future.context["form"].errors) == ["year"]
    assert Nomination.objects.count() == 0


def test_nomination_rule12_refuses_a_second_nomination_for_the_same_subject_year_and_award(
    client, draft, unit_officer, person
):
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.count()

    response = client.post(
        reverse("awards:nomination-create"),
        {"staff": person.pk, "award_type": award("CSTDCS").pk, "year": 2025, "achievements": "Lần hai."},
        **EN,
    )

    assert response.status_code == 400
    assert "One achievement gets one award" in " ".join(response.context["form"].non_field_errors())
    assert Nomination.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_nomination_rule12_allows_the_same_award_again_after_a_rejection(
    draft, unit_officer, secretary, person, org
):
    Nomination.objects.filter(pk=draft.pk).update(state=NominationState.REJECTED)

    again = create_nomination(
        actor=unit_officer, proposing_unit=org.branch_a, award_type=award("CSTDCS"), year=2025, staff=person
    )

    assert again.pk != draft.pk


def test_nomination_rule12_warns_on_a_second_commendation_form(client, unit_officer, person, org):
    create_nomination(
        actor=unit_officer, proposing_unit=org.branch_a, award_type=award("GK_CN"), year=2025, staff=person
    )
    client.force_login(unit_officer)

    second = create_nomination(
        actor=unit_officer, proposing_unit=org.branch_a, award_type=award("BK_BO_CN"), year=2025, staff=person
    )
    response = client.get(second.get_absolute_url(), **EN)

    assert Nomination.objects.count() == 2
    warnings = [str(text) for text in response.context["conflicts"].warnings]
    assert len(warnings) == 1
    assert "Two commendation forms" in warnings[0]
    assert response.context["conflicts"].refusals == []


def test_nomination_rule12_service_refuses_the_same_award_held_in_the_history(
    draft, unit_officer, person, org
):
    with pytest.raises(DuplicateNominationError):
        create_nomination(
            actor=unit_officer,
            proposing_unit=org.branch_a,
            award_type=award("CSTDCS"),
            year=2025,
            staff=person,
        )


# --- the dossier ----------------------------------------------------------------------------------------


def test_nomination_document_upload_adds_a_checked_pdf_to_the_dossier(client, draft, unit_officer):
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-document-upload", kwargs={"pk": draft.pk}),
        {"kind": "proposal", "file": pdf_upload("C:\\scan\\to-trinh.pdf")},
    )

    document = draft.documents.get()
    assert response.status_code == 302
    assert (document.kind, document.original_name, document.content_type) == (
        "proposal",
        "to-trinh.pdf",
        "application/pdf",
    )
    assert len(document.sha256) == 64
    assert audit_actions(draft)[-1] == "nomination.document_added"


def test_nomination_document_upload_refuses_a_text_file_renamed_pdf(client, draft, unit_officer):
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.count()
    fake = SimpleUploadedFile("bao-cao.pdf", b"just some text, not a PDF", content_type="application/pdf")

    response = client.post(
        reverse("awards:nomination-document-upload", kwargs={"pk": draft.pk}),
        {"kind": "proposal", "file": fake},
        **EN,
    )

    assert response.status_code == 400
    errors = response.context["document_form"].errors
    assert list(errors) == ["file"]
    assert "is not a PDF" in errors["file"][0]
    assert draft.documents.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("corpus", "name", "reason"),
    [
        (hostile_pdfs, "object-stream-after-bare-cr.pdf", "contains JavaScript"),
        (hostile_pdfs, "encrypted-empty-password-with-script.pdf", "is encrypted"),
        (hostile_office_files, "remote-template-with-ole.docx", "contains embedded objects"),
        (hostile_office_files, "macro-enabled-named-xlsx.xlsx", "contains macros"),
    ],
)
def test_nomination_document_upload_refuses_the_hostile_files_of_the_review(
    client, draft, unit_officer, corpus, name, reason
):
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.count()
    content, _expected = corpus()[name]

    response = client.post(
        reverse("awards:nomination-document-upload", kwargs={"pk": draft.pk}),
        {"kind": "proposal", "file": SimpleUploadedFile(name, content)},
        **EN,
    )

    assert response.status_code == 400
    errors = response.context["document_form"].errors
    assert list(errors) == ["file"]
    assert errors["file"][0].startswith(f"“{name}”")
    assert reason in errors["file"][0]
    assert draft.documents.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_nomination_document_file_is_served_to_readers_only(
    client, draft, unit_officer, other_unit_officer, leader
):
    document = attach(draft, "proposal", unit_officer)
    url = reverse("awards:nomination-document-file", kwargs={"pk": document.pk})

    client.force_login(unit_officer)
    own = client.get(url)
    own_content = b"".join(own.streaming_content)
    client.force_login(leader)
    leader_response = client.get(url)
    b"".join(leader_response.streaming_content)
    client.force_login(other_unit_officer)
    stranger = client.get(url)

    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert own["X-Content-Type-Options"] == "nosniff"
    assert own_content.startswith(b"%PDF-")
    assert leader_response.status_code == 200
    assert stranger.status_code == 404


def test_nomination_document_delete_removes_the_file_while_a_draft(client, draft, unit_officer):
    document = attach(draft, "proposal", unit_officer)
    client.force_login(unit_officer)

    response = client.post(reverse("awards:nomination-document-delete", kwargs={"pk": document.pk}))

    assert response.status_code == 302
    assert draft.documents.count() == 0
    assert audit_actions(draft)[-1] == "nomination.document_removed"


# --- submission -----------------------------------------------------------------------------------------


def test_nomination_submit_refuses_an_incomplete_dossier_listing_what_is_missing(client, draft, unit_officer):
    attach(draft, "proposal", unit_officer)
    attach(draft, "achievement_report", unit_officer)
    client.force_login(unit_officer)

    response = client.post(reverse("awards:nomination-submit", kwargs={"pk": draft.pk}), follow=True, **EN)

    draft.refresh_from_db()
    text = " ".join(str(message) for message in response.context["messages"])
    assert draft.state == NominationState.DRAFT
    assert draft.submitted_at is None
    assert "The dossier is incomplete" in text
    assert "Minutes of the unit's meeting" in text
    assert "Vote result" in text
    assert "Proof of the excellent rating" in text
    assert "Proposal" not in text.split("incomplete", 1)[1]
    assert audit_actions(draft)[-1] == "nomination.document_added"


def test_nomination_submit_service_raises_for_an_incomplete_dossier(draft, unit_officer):
    with pytest.raises(IncompleteDossierError):
        submit_nomination(draft, actor=unit_officer)


def test_nomination_submit_computes_and_keeps_the_eligibility_verdict(complete, unit_officer, person):
    Rating.objects.create(staff=person, year=2025, grade="excellent")
    register(person, "CSTDCS", 2025)

    submitted = submit_nomination(complete, actor=unit_officer)

    submitted.refresh_from_db()
    assert submitted.state == NominationState.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.eligibility == {
        **check_nomination(submitted).to_dict(),
        "judged_on": timezone.localdate().isoformat(),
        "step": "submit",
    }
    assert submitted.is_eligible is True
    assert submitted.eligibility["eligible"] is True
    assert audit_actions(submitted)[-1] == "nomination.submitted"


def test_nomination_an_ineligible_nomination_is_submitted_and_flagged_with_reasons(
    client, complete, unit_officer, person
):
    Rating.objects.create(staff=person, year=2025, grade="good")
    register(person, "CSTDCS", 2025)
    client.force_login(unit_officer)

    client.post(
        reverse("awards:nomination-submit", kwargs={"pk": complete.pk}),
        {"reason": "Thành tích nổi bật trong chống buôn lậu."},
    )
    response = client.get(complete.get_absolute_url(), **EN)

    complete.refresh_from_db()
    assert complete.state == NominationState.SUBMITTED
    assert complete.is_eligible is False
    assert complete.eligibility["eligible"] is False
    assert complete.eligibility["reasons"] != []
    assert 'data-eligible="no"' in response.content.decode()
    assert response.context["verdict"].reasons[0].text != ""


# --- permissions ----------------------------------------------------------------------------------------


def test_nomination_another_units_officer_gets_404_for_reading_and_writing(client, draft, other_unit_officer):
    client.force_login(other_unit_officer)
    urls = [
        ("get", reverse("awards:nomination-detail", kwargs={"pk": draft.pk})),
        ("get", reverse("awards:nomination-edit", kwargs={"pk": draft.pk})),
        ("post", reverse("awards:nomination-submit", kwargs={"pk": draft.pk})),
        ("post", reverse("awards:nomination-document-upload", kwargs={"pk": draft.pk})),
        ("post", reverse("awards:nomination-screen", kwargs={"pk": draft.pk})),
    ]

    answers = [getattr(client, method)(url).status_code for method, url in urls]

    assert answers == [404, 404, 404, 404, 404]
    draft.refresh_from_db()
    assert draft.state == NominationState.DRAFT


def test_nomination_leader_reads_but_every_action_is_403(client, submitted, leader):
    client.force_login(leader)
    pk = submitted.pk
    before = AuditEntry.objects.count()

    detail = client.get(reverse("awards:nomination-detail", kwargs={"pk": pk}))
    listing = client.get(reverse("awards:nomination-list"))
    actions = [
        client.post(reverse(f"awards:nomination-{name}", kwargs={"pk": pk}), {"reason": "x"}).status_code
        for name in ("screen", "supplement", "reject", "send", "submit", "document-upload")
    ]
    flags = client.post(reverse("awards:nomination-propose-flags"), {"year": 2025})

    assert (detail.status_code, listing.status_code) == (200, 200)
    assert actions == [403] * 6
    assert flags.status_code == 403
    assert AuditEntry.objects.count() == before


def test_nomination_list_is_refused_to_unit_officers_and_members(client, unit_officer, committee_member):
    for user in (unit_officer, committee_member):
        client.force_login(user)
        assert client.get(reverse("awards:nomination-list")).status_code == 403


def test_nomination_mine_lists_the_subtree_nominations_only(
    client, draft, unit_officer, other_unit_officer, org
):
    other = StaffFactory(unit=org.office_b)
    create_nomination(
        actor=other_unit_officer,
        proposing_unit=org.branch_b,
        award_type=award("CSTDCS"),
        year=2025,
        staff=other,
    )
    client.force_login(unit_officer)

    response = client.get(reverse("awards:nomination-mine"))

    assert [nomination.pk for nomination in response.context["page"]] == [draft.pk]


# --- screening ------------------------------------------------------------------------------------------


def test_nomination_screening_supplement_resubmit_and_send_to_council(
    client, submitted, secretary, unit_officer
):
    session = CouncilSession.objects.create(
        title="Phiên họp Hội đồng", year=2025, held_on=datetime.date(2026, 3, 1)
    )
    client.force_login(secretary)
    detail = reverse("awards:nomination-detail", kwargs={"pk": submitted.pk})

    client.post(reverse("awards:nomination-screen", kwargs={"pk": submitted.pk}))
    client.post(
        reverse("awards:nomination-supplement", kwargs={"pk": submitted.pk}),
        {"reason": "Bổ sung biên bản họp."},
    )
    submitted.refresh_from_db()
    assert (submitted.state, submitted.return_reason) == (
        NominationState.NEEDS_SUPPLEMENT,
        "Bổ sung biên bản họp.",
    )

    client.force_login(unit_officer)
    page = client.get(detail)
    assert "Bổ sung biên bản họp." in page.content.decode()
    attach(submitted, "initiative_proof", unit_officer)
    client.post(reverse("awards:nomination-submit", kwargs={"pk": submitted.pk}), {"reason": WEIGHED})
    submitted.refresh_from_db()
    assert submitted.state == NominationState.SUBMITTED

    client.force_login(secretary)
    client.post(reverse("awards:nomination-screen", kwargs={"pk": submitted.pk}))
    client.post(
        reverse("awards:nomination-send", kwargs={"pk": submitted.pk}),
        {"session": session.pk, "reason": WEIGHED},
    )

    submitted.refresh_from_db()
    assert (submitted.state, submitted.session) == (NominationState.COUNCIL, session)
    assert audit_actions(submitted)[-6:] == [
        "nomination.screening",
        "nomination.needs_supplement",
        "nomination.document_added",
        "nomination.submitted",
        "nomination.screening",
        "nomination.sent_to_council",
    ]


def test_nomination_supplement_without_a_reason_changes_nothing(client, submitted, secretary):
    client.force_login(secretary)
    before = AuditEntry.objects.count()

    response = client.post(
        reverse("awards:nomination-supplement", kwargs={"pk": submitted.pk}), {"reason": "   "}
    )

    submitted.refresh_from_db()
    assert response.status_code == 400
    assert list(response.context["supplement_form"].errors) == ["reason"]
    assert submitted.state == NominationState.SUBMITTED
    assert AuditEntry.objects.count() == before


def test_nomination_reject_with_a_reason_shows_it_in_the_trail(client, submitted, secretary, unit_officer):
    client.force_login(secretary)

    client.post(
        reverse("awards:nomination-reject", kwargs={"pk": submitted.pk}), {"reason": "Không đủ điều kiện."}
    )
    client.force_login(unit_officer)
    page = client.get(submitted.get_absolute_url())

    submitted.refresh_from_db()
    assert submitted.state == NominationState.REJECTED
    assert "Không đủ điều kiện." in page.content.decode()


def test_nomination_send_refuses_a_closed_session_and_a_session_of_another_year(
    submitted, secretary, english
):
    start_screening(submitted, actor=secretary)
    closed = CouncilSession.objects.create(
        title="Đã đóng", year=2025, held_on=datetime.date(2026, 3, 1), is_closed=True
    )
    other_year = CouncilSession.objects.create(title="Năm khác", year=2024, held_on=datetime.date(2025, 3, 1))

    for session in (closed, other_year):
        with pytest.raises(Exception, match="session"):
            send_to_council(submitted, actor=secretary, session=session, reason=WEIGHED)

    submitted.refresh_from_db()
    assert submitted.state == NominationState.SCREENING


def test_nomination_the_unit_cannot_change_the_dossier_once_submitted(client, submitted, unit_officer):
    client.force_login(unit_officer)

    response = client.post(
        reverse("awards:nomination-document-upload", kwargs={"pk": submitted.pk}),
        {"kind": "initiative_proof", "file": pdf_upload("sang-kien.pdf")},
    )

    assert response.status_code == 302
    assert submitted.documents.count() == len(CSTDCS_DOSSIER)


def test_nomination_supplement_service_refuses_a_draft(draft, secretary, english):
    with pytest.raises(Exception, match="screened"):
        request_supplement(draft, actor=secretary, reason="x")


# --- the list -------------------------------------------------------------------------------------------


def test_nomination_list_filters_by_year_state_award_and_unit(
    client, secretary, unit_officer, other_unit_officer, org
):
    mine = StaffFactory(unit=org.office_a)
    theirs = StaffFactory(unit=org.office_b)
    a = create_nomination(
        actor=unit_officer, proposing_unit=org.branch_a, award_type=award("CSTDCS"), year=2025, staff=mine
    )
    create_nomination(
        actor=unit_officer, proposing_unit=org.branch_a, award_type=award("LDTT"), year=2024, staff=mine
    )
    create_nomination(
        actor=other_unit_officer,
        proposing_unit=org.branch_b,
        award_type=award("CSTDCS"),
        year=2025,
        staff=theirs,
    )
    client.force_login(secretary)

    response = client.get(
        reverse("awards:nomination-list"),
        {"year": 2025, "state": "draft", "award_type": award("CSTDCS").pk, "unit": org.branch_a.pk},
    )
    nonsense = client.get(
        reverse("awards:nomination-list"), {"year": "abc", "unit": "999999", "state": "nope"}
    )

    assert [nomination.pk for nomination in response.context["page"]] == [a.pk]
    assert nonsense.status_code == 200
    assert len(nonsense.context["page"].object_list) == 3


def test_nomination_list_every_id_is_unique_so_each_label_names_one_field(client, secretary):
    client.force_login(secretary)

    html = client.get(reverse("awards:nomination-list")).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert ids, "the page has ids"
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert 'for="id_year"' in html  # the year filter
    assert 'for="flags_year"' in html  # the year of the flag proposal, its own field


@pytest.mark.parametrize("size", [1, 3])
def test_nomination_list_query_count_does_not_grow(
    client, secretary, unit_officer, org, django_assert_num_queries, size
):
    for index in range(size):
        staff = StaffFactory(unit=org.office_a)
        nomination = create_nomination(
            actor=unit_officer,
            proposing_unit=org.branch_a,
            award_type=award("CSTDCS"),
            year=2025,
            staff=staff,
            achievements="x",
        )
        Nomination.objects.filter(pk=nomination.pk).update(is_eligible=index % 2 == 0)
    unit = create_nomination(
        actor=unit_officer,
        proposing_unit=org.branch_a,
        award_type=award("TTLDXS"),
        year=2025,
        unit=org.office_a,
    )
    assert unit.unit == org.office_a
    client.force_login(secretary)

    # session, user, roles, years, award types, units, counts, page count, page rows
    with django_assert_num_queries(9):
        response = client.get(reverse("awards:nomination-list"), {"year": 2025})

    assert len(response.context["page"].object_list) == size + 1


# --- the ministry flag ----------------------------------------------------------------------------------


@pytest.fixture
def final_rankings(org):
    """Two clusters of 2025 with final current snapshots, plus a provisional and an outdated one."""
    period = PeriodFactory(movement=MovementFactory(), year=2025)
    area = ClusterFactory(year=2025, code="CUM1", name="Cụm thi đua số 1")
    block = ClusterFactory(year=2025, kind="function", code="KHOI", name="Khối cơ quan")
    extra = registered(UnitFactory(code="HQ1", name="Vụ Thanh tra", kind="hq_unit", parent=org.dept), 2025)
    registered(org.branch_a, 2025)

    def snapshot(cluster, ranked, *, provisional=False, current=True):
        shot = RankingSnapshotFactory(
            period=period,
            cluster=cluster,
            is_provisional=provisional,
            is_current=current,
            inputs_hash=f"{cluster.pk}{provisional}{current}",
        )
        for rank, unit in enumerate(ranked, start=1):
            RankingEntryFactory(snapshot=shot, unit=unit, rank=rank, criteria_points=Decimal(100 - rank))
        return shot

    return {
        "area": snapshot(area, [org.branch_a, org.branch_b]),
        "block": snapshot(block, [extra, org.dept]),
        "provisional": snapshot(area, [org.branch_b, org.branch_a], provisional=True),
        "old": snapshot(block, [org.dept, extra], current=False),
        "extra": extra,
    }


def test_propose_ministry_flags_nominates_the_first_unit_of_each_cluster_from_the_final_snapshot(
    final_rankings, secretary, org
):
    created = propose_ministry_flags(2025, actor=secretary)

    assert sorted((n.unit.code, n.snapshot_id) for n in created) == sorted(
        [(org.branch_a.code, final_rankings["area"].pk), ("HQ1", final_rankings["block"].pk)]
    )
    for nomination in created:
        nomination.refresh_from_db()
        assert nomination.award_type.code == "CO_BO"
        assert nomination.state == NominationState.SUBMITTED
        assert nomination.proposing_unit == nomination.unit
        assert nomination.eligibility["title_code"] == "CO_BO"
        assert nomination.is_eligible is nomination.eligibility["eligible"]
        assert audit_actions(nomination) == ["nomination.flag_proposed"]


def test_propose_ministry_flags_is_idempotent(final_rankings, secretary):
    first = propose_ministry_flags(2025, actor=secretary)

    second = propose_ministry_flags(2025, actor=secretary)

    assert len(first) == 2
    assert second == []
    assert Nomination.objects.count() == 2


def test_propose_ministry_flags_button_for_the_secretary(client, final_rankings, secretary):
    client.force_login(secretary)

    response = client.post(reverse("awards:nomination-propose-flags"), {"year": 2025})

    assert response.status_code == 302
    assert Nomination.objects.filter(award_type__code="CO_BO", year=2025).count() == 2
    flagged = client.get(Nomination.objects.first().get_absolute_url())
    assert flagged.context["nomination"].snapshot is not None

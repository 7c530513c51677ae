"""Evidence files: checked by content, stored under MEDIA_ROOT, served only to readers of the self-assessment."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import DOCX, XLSX
from emulation.models import Evidence
from emulation.services.scoring import assign_scorer, start_submission
from tests.core.corpus import hostile_office_files, hostile_pdfs, zip_bomb
from tests.emulation.conftest import at
from tests.factories import CriterionFactory
from tests.files import docx_bytes, pdf_bytes, xlsx_bytes
from units.models import AuditEntry

IN_WINDOW = datetime.date(2026, 12, 5)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MB = 1024 * 1024

PDF = pdf_bytes()
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
# The content checks themselves (every kind, the hostile-file corpus) are tested in
# tests/core/test_uploads.py; here, what the upload page does with their answers.


# --- Uploading through the page ----------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def in_window():
    with at(IN_WINDOW):
        yield


@pytest.fixture
def submission(org, unit_officer, period, in_window):
    """Started inside the window: the fixture writes at the same clock as the test reads (its audit
    entry must not be newer than the test's own steps, whatever today's date)."""
    return start_submission(org.branch_a, period, actor=unit_officer)


def criterion_id(submission, code: str) -> int:
    return submission.self_scores.get(criterion__code=code).criterion_id


def post_file(client, submission, name: str, content: bytes, code: str | None = "5.1", **extra):
    data = {"file": SimpleUploadedFile(name, content)}
    if code is not None:
        data["criterion"] = criterion_id(submission, code)
    url = reverse("emulation:evidence-upload", kwargs={"pk": submission.pk})
    return client.post(url, data, follow=True, **EN, **extra)


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def refused_cleanly(submission, media: Path, audit_before: int) -> bool:
    return (
        not Evidence.objects.filter(submission=submission).exists()
        and stored_files(media) == []
        and AuditEntry.objects.for_record(submission).count() == audit_before
    )


@pytest.mark.django_db
def test_upload_stores_a_pdf_under_media_root_with_its_checksum(
    client, media, unit_officer, submission, in_window
):
    client.force_login(unit_officer)

    response = post_file(client, submission, "Báo cáo thu 2026.pdf", PDF)

    evidence = Evidence.objects.get(submission=submission)
    path = Path(evidence.file.path).resolve()
    assert response.redirect_chain[-1][0].endswith(f"#criterion-{evidence.criterion_id}")
    assert "“Báo cáo thu 2026.pdf” was attached." in response.content.decode()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "Báo cáo thu 2026.pdf",
        "application/pdf",
        len(PDF),
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.criterion.code == "5.1"
    assert evidence.uploaded_by == unit_officer
    assert path.is_relative_to((media / "evidence").resolve())
    assert path.read_bytes() == PDF
    assert stored_files(media) == [path]
    entry = AuditEntry.objects.for_record(submission).first()
    assert (entry.action, entry.after["file"], entry.after["criterion"]) == (
        "submission.evidence_added",
        "Báo cáo thu 2026.pdf",
        "5.1",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("ghi-chu.pdf", b"Chi la mot tep van ban doi ten thanh .pdf\n", "is not a PDF"),
        ("rong.pdf", b"", "is empty"),
        ("bom.xlsx", zip_bomb(), "archives built like this are used to harm servers"),
        ("co-script.pdf", hostile_pdfs()["object-stream-after-bare-cr.pdf"][0], "contains JavaScript"),
        ("ma-hoa.pdf", hostile_pdfs()["encrypted-empty-password-with-script.pdf"][0], "is encrypted"),
        ("mau-tu-xa.docx", hostile_office_files()["remote-template-with-ole.docx"][0], "embedded objects"),
        ("lien-ket.docx", hostile_office_files()["remote-template.docx"][0], "outside the file"),
    ],
)
def test_bad_upload_is_refused_naming_the_file_and_leaves_nothing(
    client, media, unit_officer, submission, in_window, name, content, reason
):
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.for_record(submission).count()

    response = post_file(client, submission, name, content)

    html = response.content.decode()
    assert f"“{name}”" in html
    assert reason in html
    assert refused_cleanly(submission, media, audit_before)


@pytest.mark.django_db
def test_oversize_upload_is_refused(client, settings, media, unit_officer, submission, in_window):
    settings.UPLOAD_MAX_MB = 1
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.for_record(submission).count()

    response = post_file(client, submission, "lon.pdf", PDF + b"0" * (3 * MB // 2))

    assert "“lon.pdf” is 1.5 MB; files may be at most 1 MB." in response.content.decode()
    assert refused_cleanly(submission, media, audit_before)


@pytest.mark.django_db
@pytest.mark.parametrize("sent_name", ["../../etc/passwd.pdf", "..\\..\\etc\\passwd.pdf"])
def test_path_in_the_sent_file_name_is_never_used_as_a_path(
    client, media, tmp_path, unit_officer, submission, in_window, sent_name
):
    client.force_login(unit_officer)
    boundary = "----evidence-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="criterion"\r\n\r\n'
            f"{criterion_id(submission, '5.1')}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{sent_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )

    client.post(
        reverse("emulation:evidence-upload", kwargs={"pk": submission.pk}),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    evidence = Evidence.objects.get(submission=submission)
    assert evidence.original_name == "passwd.pdf"
    assert "passwd" not in evidence.file.name
    assert Path(evidence.file.path).resolve().is_relative_to((media / "evidence").resolve())
    assert not (tmp_path / "etc").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("so-lieu.xlsx", xlsx_bytes(), XLSX), ("bao-cao.docx", docx_bytes(), DOCX)],
)
def test_office_files_are_accepted_and_download_as_attachments(
    client, media, unit_officer, submission, in_window, name, content, content_type
):
    client.force_login(unit_officer)

    post_file(client, submission, name, content)
    evidence = Evidence.objects.get(submission=submission)
    response = client.get(evidence.get_absolute_url())

    assert evidence.content_type == content_type
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert b"".join(response.streaming_content) == content


@pytest.mark.django_db
def test_evidence_for_the_whole_self_assessment_needs_no_criterion(
    client, media, unit_officer, submission, in_window
):
    client.force_login(unit_officer)

    post_file(client, submission, "tong-hop.pdf", PDF, code=None)
    page = client.get(reverse("emulation:submission-edit", kwargs={"pk": submission.pk}))

    evidence = Evidence.objects.get(submission=submission)
    assert evidence.criterion is None
    assert page.context["general_evidence"] == [evidence]


@pytest.mark.django_db
def test_the_same_file_twice_for_one_criterion_is_refused(client, media, unit_officer, submission, in_window):
    client.force_login(unit_officer)
    post_file(client, submission, "a.pdf", PDF)

    response = post_file(client, submission, "b.pdf", PDF)

    assert "“b.pdf” is already attached here (as “a.pdf”)." in response.content.decode()
    assert Evidence.objects.filter(submission=submission).count() == 1
    assert len(stored_files(media)) == 1


@pytest.mark.django_db
def test_a_criterion_of_another_movement_is_refused(client, media, unit_officer, submission, in_window):
    stranger = CriterionFactory()
    client.force_login(unit_officer)
    audit_before = AuditEntry.objects.for_record(submission).count()

    client.post(
        reverse("emulation:evidence-upload", kwargs={"pk": submission.pk}),
        {"file": SimpleUploadedFile("a.pdf", PDF), "criterion": stranger.pk},
    )

    assert refused_cleanly(submission, media, audit_before)


@pytest.mark.django_db
def test_upload_after_the_window_closes_is_refused(client, media, unit_officer, submission):
    with at(datetime.date(2026, 12, 21)):
        client.force_login(unit_officer)
        audit_before = AuditEntry.objects.for_record(submission).count()

        response = post_file(client, submission, "muon.pdf", PDF)

    assert "Evidence can be added or removed from 01/12/2026 to 20/12/2026." in response.content.decode()
    assert refused_cleanly(submission, media, audit_before)


@pytest.mark.django_db
def test_upload_to_another_units_self_assessment_is_404(
    client, media, other_unit_officer, submission, in_window
):
    client.force_login(other_unit_officer)
    audit_before = AuditEntry.objects.for_record(submission).count()

    response = post_file(client, submission, "a.pdf", PDF)

    assert response.status_code == 404
    assert refused_cleanly(submission, media, audit_before)


@pytest.mark.django_db
def test_upload_by_a_reader_is_403(client, media, leader, submission, in_window):
    client.force_login(leader)
    audit_before = AuditEntry.objects.for_record(submission).count()

    response = post_file(client, submission, "a.pdf", PDF)

    assert response.status_code == 403
    assert refused_cleanly(submission, media, audit_before)


# --- Serving and removing ----------------------------------------------------------------------


@pytest.fixture
def evidence(client, media, unit_officer, submission, in_window):
    client.force_login(unit_officer)
    post_file(client, submission, "bien-ban.pdf", PDF)
    client.logout()
    return Evidence.objects.get(submission=submission)


@pytest.mark.django_db
def test_pdf_is_served_inline_to_its_unit_without_a_policy_that_blanks_the_viewer(
    client, unit_officer, evidence
):
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:evidence-file", kwargs={"pk": evidence.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bien-ban.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response


@pytest.mark.django_db
def test_secretary_and_assigned_scorer_can_open_the_file(
    client, secretary, committee_member, submission, evidence
):
    assign_scorer(submission, member=committee_member, actor=secretary)
    url = reverse("emulation:evidence-file", kwargs={"pk": evidence.pk})
    for user in (secretary, committee_member):
        client.force_login(user)

        response = client.get(url)

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_another_unit_and_an_unassigned_member_get_404_and_no_bytes(
    client, other_unit_officer, committee_member, evidence
):
    url = reverse("emulation:evidence-file", kwargs={"pk": evidence.pk})
    for user in (other_unit_officer, committee_member):
        client.force_login(user)

        response = client.get(url)

        assert response.status_code == 404
        assert PDF not in response.content
        assert "bien-ban.pdf" not in response.content.decode()


@pytest.mark.django_db
def test_officer_removes_a_file_and_it_leaves_the_disk(
    client, media, unit_officer, submission, evidence, django_capture_on_commit_callbacks
):
    client.force_login(unit_officer)
    path = Path(evidence.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("emulation:evidence-delete", kwargs={"pk": evidence.pk}), follow=True, **EN
        )

    assert "“bien-ban.pdf” was removed." in response.content.decode()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not path.exists()
    entry = AuditEntry.objects.for_record(submission).first()
    assert (entry.action, entry.before["file"]) == ("submission.evidence_removed", "bien-ban.pdf")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"), [("other_unit_officer", 404), ("leader", 403), ("secretary", 403)]
)
def test_only_the_units_officer_removes_a_file(client, request, evidence, persona, status):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("emulation:evidence-delete", kwargs={"pk": evidence.pk}))

    assert response.status_code == status
    assert Path(evidence.file.path).exists()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.django_db
def test_file_cannot_be_removed_after_the_window(client, unit_officer, evidence):
    with at(datetime.date(2026, 12, 21)):
        client.force_login(unit_officer)

        client.post(reverse("emulation:evidence-delete", kwargs={"pk": evidence.pk}))

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()


@pytest.mark.django_db
def test_image_is_served_inline_in_a_sandbox(client, media, unit_officer, submission, in_window):
    client.force_login(unit_officer)
    post_file(client, submission, "anh-hien-truong.png", PNG)
    evidence = Evidence.objects.get(submission=submission)

    response = client.get(reverse("emulation:evidence-file", kwargs={"pk": evidence.pk}))

    body = b"".join(response.streaming_content)  # reading it to the end closes the file
    assert body == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox"

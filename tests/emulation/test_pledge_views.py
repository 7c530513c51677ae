"""The pledge pages: the officer's form with its bad inputs, the secretary's review, id guessing."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse

from emulation.enums import PledgeState
from emulation.models import Pledge
from emulation.services import start_pledge
from tests.factories import (
    ClusterFactory,
    ClusterMembershipFactory,
    PeriodFactory,
    PledgeFactory,
    StaffFactory,
    UnitFactory,
)
from units.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during_pledging")]


def form_data(pledge, *, targets=None, title="TTLDXS", registrations=(), version=None, action="save") -> dict:
    values = {"4.1": "105", "4.2": "98,5", "4.4": "1.500.000.000", "5.1": "40", "5.4": "1"} | (targets or {})
    data = {
        "version": pledge.version if version is None else version,
        "collective_title": title,
        "action": action,
        "reg-TOTAL_FORMS": len(registrations),
        "reg-INITIAL_FORMS": 0,
        "reg-MIN_NUM_FORMS": 0,
        "reg-MAX_NUM_FORMS": 1000,
    }
    for target in pledge.targets.select_related("criterion"):
        data[f"target_{target.criterion_id}"] = values.get(target.criterion.code, "")
        data[f"note_{target.criterion_id}"] = ""
    for index, (staff, reg_title, plan) in enumerate(registrations):
        data[f"reg-{index}-staff"] = staff.pk
        data[f"reg-{index}-title"] = reg_title
        data[f"reg-{index}-planned_initiative"] = plan
    return data


@pytest.fixture
def pledge(org, unit_officer, period):
    return start_pledge(org.branch_a, period, actor=unit_officer)


def snapshot(pledge) -> tuple:
    """Everything a rejected post must leave untouched."""
    pledge.refresh_from_db()
    return (
        pledge.version,
        pledge.state,
        pledge.collective_title,
        tuple(pledge.targets.order_by("pk").values_list("value", "note")),
        tuple(pledge.registrations.values_list("staff_id", "title")),
        AuditEntry.objects.for_record(pledge).count(),
    )


def test_officer_entry_point_starts_its_units_draft_on_post(client, org, unit_officer, period):
    client.force_login(unit_officer)

    response = client.post(reverse("emulation:pledge-mine"), {"period": period.pk})

    pledge = Pledge.objects.get(unit=org.branch_a, period=period)
    assert response.status_code == 302
    assert response["Location"] == reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk})
    assert pledge.state == PledgeState.DRAFT


def test_officer_entry_point_opens_an_existing_draft_on_get(client, org, unit_officer, pledge):
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:pledge-mine"))

    assert response.status_code == 302
    assert response["Location"] == reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk})


def test_officer_entry_point_refuses_to_start_a_period_that_is_not_open(client, org, unit_officer, period):
    client.force_login(unit_officer)
    closed = PeriodFactory(movement=period.movement, year=2025)

    response = client.post(reverse("emulation:pledge-mine"), {"period": closed.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "That pledging period is no longer open" in response.content.decode()
    assert not Pledge.objects.exists()


def test_save_draft_reads_vietnamese_number_formats(client, pledge, unit_officer, org):
    person = StaffFactory(unit=org.office_a, full_name="Nguyễn Văn An")
    client.force_login(unit_officer)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, registrations=[(person, "CSTDCS", "Ứng dụng AI phân luồng")]),
    )

    assert response.status_code == 302
    values = dict(pledge.targets.values_list("criterion__code", "value"))
    assert {code: str(value) for code, value in values.items()} == {
        "4.1": "105.00",
        "4.2": "98.50",
        "4.4": "1500000000.00",
        "5.1": "40.00",
        "5.4": "1.00",
    }
    assert list(pledge.registrations.values_list("staff__full_name", "title")) == [
        ("Nguyễn Văn An", "CSTDCS")
    ]


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("4.4", "-5.000", "Chỉ tiêu không được là số âm."),
        ("4.2", "101", "Chỉ tiêu tỷ lệ không được vượt quá 100 %."),
        ("4.1", "250", "Chỉ tiêu tỷ lệ không được vượt quá 200 %."),
        ("5.1", "bốn mươi", "Hãy nhập một số."),
        ("5.1", "4,5", "Hãy nhập số nguyên."),
        ("5.4", "2", "Hãy chọn có hoặc không."),
    ],
)
def test_bad_target_is_refused_next_to_its_field(client, pledge, unit_officer, code, value, message):
    client.force_login(unit_officer)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, targets={code: value})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="error-{code}">{message}<' in html
    assert snapshot(pledge) == before


def test_registration_of_another_units_staff_is_refused(client, pledge, unit_officer, org):
    stranger = StaffFactory(unit=org.office_b)
    client.force_login(unit_officer)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, registrations=[(stranger, "LDTT", "")]),
    )

    assert "Hãy chọn cán bộ thuộc đơn vị này." in response.content.decode()
    assert snapshot(pledge) == before


def test_registration_for_a_collective_title_is_refused(client, pledge, unit_officer, org):
    person = StaffFactory(unit=org.branch_a)
    client.force_login(unit_officer)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, registrations=[(person, "TTLDXS", "")]),
    )

    assert "là danh hiệu dành cho tập thể" in response.content.decode()
    assert snapshot(pledge) == before


def test_the_same_person_twice_is_refused(client, pledge, unit_officer, org):
    person = StaffFactory(unit=org.branch_a)
    client.force_login(unit_officer)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, registrations=[(person, "LDTT", ""), (person, "CSTDCS", "")]),
    )

    assert "Người này đã được đăng ký ở dòng trên." in response.content.decode()
    assert snapshot(pledge) == before


def test_stale_form_is_refused_with_a_conflict(client, pledge, unit_officer):
    client.force_login(unit_officer)
    opened = form_data(pledge, targets={"5.1": "10"})
    client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, targets={"5.1": "40"})
    )
    before = snapshot(pledge)

    response = client.post(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), opened)

    assert response.status_code == 409
    assert "Người khác đã lưu bản đăng ký này sau khi bạn mở trang" in response.content.decode()
    assert snapshot(pledge) == before


def test_incomplete_submit_saves_the_draft_and_lists_what_is_missing(client, pledge, unit_officer):
    client.force_login(unit_officer)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, targets={"5.1": ""}, action="submit"),
        follow=True,
    )

    pledge.refresh_from_db()
    assert pledge.state == PledgeState.DRAFT
    assert pledge.targets.get(criterion__code="4.1").value is not None
    assert "Hãy nhập chỉ tiêu cho tiêu chí 5.1" in response.content.decode()


def test_submit_then_page_is_read_only(client, pledge, unit_officer):
    client.force_login(unit_officer)

    client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, action="submit")
    )
    edit = client.get(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}))

    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SUBMITTED
    assert edit.status_code == 302
    assert edit["Location"] == pledge.get_absolute_url()


def test_pledge_of_another_unit_is_404_for_reading_and_writing(
    client, org, period, other_unit_officer, pledge
):
    client.force_login(other_unit_officer)
    before = snapshot(pledge)

    read = client.get(reverse("emulation:pledge-detail", kwargs={"pk": pledge.pk}))
    write = client.post(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge))

    assert (read.status_code, write.status_code) == (404, 404)
    assert snapshot(pledge) == before


def test_leader_reads_but_cannot_edit_or_review(client, pledge, leader):
    client.force_login(leader)

    assert client.get(reverse("emulation:pledge-detail", kwargs={"pk": pledge.pk})).status_code == 200
    assert (
        client.post(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge)).status_code
        == 403
    )
    assert client.post(reverse("emulation:pledge-accept", kwargs={"pk": pledge.pk})).status_code == 403


def submitted_line(html: str) -> str:
    match = re.search(r'data-testid="submitted"[^>]*>(.*?)</dd>', html, re.S)
    return match.group(1).strip() if match else ""


def test_detail_of_a_pledge_filed_without_a_known_submitter_shows_the_date(client, pledge, secretary):
    # Pledges loaded in bulk (the demo, an import) carry the filing time but no submitter.
    filed = datetime.datetime(2026, 1, 15, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
    Pledge.objects.filter(pk=pledge.pk).update(
        state=PledgeState.SUBMITTED, submitted_at=filed, submitted_by=None
    )
    client.force_login(secretary)

    response = client.get(reverse("emulation:pledge-detail", kwargs={"pk": pledge.pk}))

    assert response.status_code == 200
    assert submitted_line(response.content.decode()) == "15/01/2026 09:00"


def test_detail_names_who_submitted_the_pledge(client, pledge, unit_officer, secretary):
    client.force_login(unit_officer)
    client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, action="submit")
    )
    client.force_login(secretary)

    response = client.get(reverse("emulation:pledge-detail", kwargs={"pk": pledge.pk}))

    assert submitted_line(response.content.decode()) == "15/01/2026 10:00 · " + (
        unit_officer.get_full_name() or unit_officer.username
    )


def test_secretary_returns_with_reason_and_unit_sees_it(client, pledge, unit_officer, secretary):
    client.force_login(unit_officer)
    client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, action="submit")
    )
    client.force_login(secretary)

    client.post(
        reverse("emulation:pledge-return", kwargs={"pk": pledge.pk}), {"reason": "Bổ sung chỉ tiêu nợ đọng"}
    )
    client.force_login(unit_officer)
    page = client.get(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}))

    assert "Bổ sung chỉ tiêu nợ đọng" in page.content.decode()


def test_secretary_return_without_reason_changes_nothing(client, pledge, unit_officer, secretary):
    client.force_login(unit_officer)
    client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge, action="submit")
    )
    client.force_login(secretary)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-return", kwargs={"pk": pledge.pk}), {"reason": ""}, follow=True
    )

    assert "Hãy nêu lý do để đơn vị biết cần sửa gì." in response.content.decode()
    assert snapshot(pledge) == before


def test_print_version_shows_the_targets(client, pledge, unit_officer):
    client.force_login(unit_officer)
    client.post(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), form_data(pledge))

    html = client.get(reverse("emulation:pledge-print", kwargs={"pk": pledge.pk})).content.decode()

    assert "1.500.000.000 ₫" in html
    assert "98,5 %" in html


@pytest.mark.parametrize("units", [1, 3])
def test_pledge_list_query_count_does_not_grow(
    client, org, period, secretary, django_assert_num_queries, units
):
    cluster = ClusterFactory(year=period.year)
    for index in range(units):
        unit = UnitFactory(code=f"P{index}", parent=org.dept)
        ClusterMembershipFactory(cluster=cluster, unit=unit)
        PledgeFactory(unit=unit, period=period, state="submitted")
    client.force_login(secretary)

    # session, user, roles, periods, clusters, counts, page count, page rows
    with django_assert_num_queries(8):
        response = client.get(reverse("emulation:pledge-list"), {"period": period.pk, "cluster": cluster.pk})

    assert len(response.context["page"].object_list) == units


def test_points_target_with_three_decimals_is_refused_not_rounded(client, pledge, unit_officer, movement):
    from tests.factories import CriterionFactory

    points = CriterionFactory(
        task_area=movement.task_areas.first(), code="4.9", measure="points", max_points=5, order=9
    )
    pledge.targets.create(criterion=points)
    client.force_login(unit_officer)
    before = snapshot(pledge)

    response = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        form_data(pledge, targets={"4.9": "2,125"}),
    )

    assert 'data-testid="error-4.9">' in response.content.decode()
    assert snapshot(pledge) == before


def test_history_shows_system_entries_without_a_person(client, pledge, unit_officer):
    from units.services import record_audit

    record_audit(pledge, action="pledge.saved", actor=None)
    client.force_login(unit_officer)

    response = client.get(reverse("emulation:pledge-detail", kwargs={"pk": pledge.pk}))

    assert response.status_code == 200
    assert "hệ thống" in response.content.decode()

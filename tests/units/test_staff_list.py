"""The staff list: pages without a full count, filters and order in the URL, the unit chosen by
search (as the user types with htmx, or as a plain text without JavaScript), and costs that stay
the same with five times the people and units."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

STAFF = reverse("units:staff-list")
OPTIONS = reverse("units:staff-unit-options")


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_staff_list_above_the_cap_offers_next_pages_without_a_total(client, org, secretary, monkeypatch):
    monkeypatch.setattr("units.views.pages.STAFF_PAGE_SIZE", 10)
    monkeypatch.setattr("units.views.pages.STAFF_COUNT_CAP", 15)
    StaffFactory.create_batch(13, unit=org.office_a, gender="female")
    StaffFactory.create_batch(12, unit=org.office_a, gender="male")
    client.force_login(secretary)

    first = html_of(client.get(STAFF, {"gender": "female"}, HTTP_ACCEPT_LANGUAGE="en"))
    everyone = html_of(client.get(STAFF, HTTP_ACCEPT_LANGUAGE="en"))
    third = client.get(STAFF, {"page": 3}, HTTP_ACCEPT_LANGUAGE="en")

    assert "1–10 of 13" in first  # under the cap: the exact total and a last page
    assert ">Last<" in first
    assert "1–10 of more than 15" in everyone
    assert 'href="?page=2" rel="next"' in everyone
    assert ">Last<" not in everyone
    assert len(third.context["page"].object_list) == 5
    assert "21–25 of more than 15" in html_of(third)
    assert 'rel="next"' not in html_of(third)


def test_staff_list_pages_keep_the_filters_and_the_order(client, org, secretary):
    for index in range(55):
        StaffFactory(unit=org.office_a, full_name=f"Nguyễn Văn {index:02d}", gender="male")
    client.force_login(secretary)

    html = html_of(client.get(STAFF, {"gender": "male", "order": "-name"}))
    second = html_of(client.get(STAFF, {"gender": "male", "order": "-name", "page": 2}))

    assert 'href="?gender=male&amp;order=-name&amp;page=2"' in html
    assert html.index("Nguyễn Văn 54") < html.index("Nguyễn Văn 10")
    assert "Nguyễn Văn 04" in second
    assert "Nguyễn Văn 54" not in second


def test_staff_list_orders_by_unit_code_then_name(client, org, secretary):
    StaffFactory(unit=org.office_b, full_name="An Thị Bình")  # KV2-01
    StaffFactory(unit=org.office_a, full_name="Vũ Văn Cường")  # KV1-01
    client.force_login(secretary)

    html = html_of(client.get(STAFF, {"order": "unit"}))
    by_name = html_of(client.get(STAFF))

    assert html.index("Vũ Văn Cường") < html.index("An Thị Bình")
    assert by_name.index("An Thị Bình") < by_name.index("Vũ Văn Cường")


def test_staff_list_with_an_unknown_order_says_so_at_the_field(client, org, secretary):
    client.force_login(secretary)

    response = client.get(STAFF, {"order": "salary"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "Select a valid choice. salary is not one of the available choices." in html_of(response)


def test_staff_list_renders_no_list_of_every_unit(client, org, secretary):
    client.force_login(secretary)

    html = html_of(client.get(STAFF))

    assert "<option" not in html.split('name="unit_q"')[1].split("</div>")[0]
    assert org.office_b.name not in html
    assert 'hx-get="/staff/unit-options/"' in html
    assert 'type="hidden" name="unit"' in html


def test_staff_list_unit_text_without_javascript_filters_and_offers_the_units(client, org, secretary):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa", gender="female")
    StaffFactory(unit=org.branch_a, full_name="Lê Thị Nam", gender="female")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương", gender="female")
    client.force_login(secretary)

    html = html_of(client.get(STAFF, {"unit_q": "noi bai", "gender": "female"}))

    assert "Trần Thị Hoa" in html
    assert "Lê Văn Nam" not in html
    assert "Phạm Thị Hương" not in html
    # The matching unit is offered to pick, keeping the other filters.
    assert f'href="{STAFF}?gender=female&amp;unit={org.office_a.pk}"' in html


def test_staff_list_picked_unit_keeps_the_units_below_and_can_be_dropped(client, org, secretary):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương")
    client.force_login(secretary)

    html = html_of(client.get(STAFF, {"unit": org.branch_a.pk, "order": "code"}, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Trần Thị Hoa" in html
    assert "Phạm Thị Hương" not in html
    assert f"{org.branch_a.name} and the units below it" in html
    assert f'href="{STAFF}?order=code">any unit</a>' in html


def test_staff_list_typed_unit_text_replaces_the_picked_unit(client, org, secretary):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương")
    client.force_login(secretary)

    html = html_of(client.get(STAFF, {"unit": org.branch_a.pk, "unit_q": "KV2-01"}))

    assert "Phạm Thị Hương" in html
    assert "Trần Thị Hoa" not in html


def test_staff_list_another_units_id_is_refused_at_the_field(client, org, unit_officer):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương")
    client.force_login(unit_officer)

    html = html_of(client.get(STAFF, {"unit": org.branch_b.pk}, HTTP_ACCEPT_LANGUAGE="en"))
    typed = html_of(client.get(STAFF, {"unit_q": "KV2"}))

    assert "Select a valid choice." in html
    assert "Phạm Thị Hương" not in html
    assert org.branch_b.name not in html
    assert "Phạm Thị Hương" not in typed
    assert org.branch_b.name not in typed


def test_unit_options_offer_matching_units_of_the_readers_scope_only(client, org, unit_officer):
    client.force_login(unit_officer)

    html = html_of(client.get(OPTIONS, {"unit_q": "hai quan", "gender": "male", "page": "3"}))

    assert f'href="{STAFF}?gender=male&amp;unit={org.branch_a.pk}"' in html
    assert f'href="{STAFF}?gender=male&amp;unit={org.office_a.pk}"' in html
    assert org.branch_b.name not in html
    assert org.office_b.name not in html
    assert org.dept.name not in html


def test_unit_options_stop_at_twenty_and_ask_for_more_letters(client, org, secretary):
    for index in range(25):
        UnitFactory(code=f"KV1-T{index:02d}", name=f"Tổ kiểm tra {index:02d}", parent=org.branch_a)
    client.force_login(secretary)

    html = html_of(client.get(OPTIONS, {"unit_q": "to kiem tra"}, HTTP_ACCEPT_LANGUAGE="en"))
    nothing = html_of(client.get(OPTIONS, {"unit_q": "zzz"}, HTTP_ACCEPT_LANGUAGE="en"))
    empty = html_of(client.get(OPTIONS, {"unit_q": ""}))

    assert html.count("list-group-item-action") == 20
    assert "More units match: type more of the code or name." in html
    assert "No unit matches." in nothing
    assert empty.strip() == ""


def test_unit_options_are_forbidden_to_committee_members(client, org, committee_member):
    client.force_login(committee_member)

    assert client.get(OPTIONS, {"unit_q": "hai quan"}).status_code == 403


def grow(org, start: int, stop: int) -> None:
    """Units numbered start..stop-1 below branch A, each with two people."""
    for index in range(start, stop):
        unit = UnitFactory(code=f"KV1-G{index:04d}", name=f"Đội tăng thêm {index:04d}", parent=org.branch_a)
        StaffFactory.create_batch(2, unit=unit)


def measure_staff(client, org, django_assert_num_queries) -> dict[str, int]:
    # session, user, roles; the page's rows counted (capped) and read with their units
    with django_assert_num_queries(5):
        plain = html_of(client.get(STAFF))
    # the same and the picked unit
    with django_assert_num_queries(6):
        picked = html_of(client.get(STAFF, {"unit": org.branch_a.pk, "order": "unit"}))
    # the same and the units matching the typed text
    with django_assert_num_queries(6):
        typed = html_of(client.get(STAFF, {"unit_q": "tang them"}))
    # session, user, roles; at most 21 matching units
    with django_assert_num_queries(4):
        options = html_of(client.get(OPTIONS, {"unit_q": "tang them"}))
    for html in (plain, picked, typed):
        assert html.count("<tr>") == 51  # the header and 50 people
    assert options.count("list-group-item-action") == 20
    return {"plain": len(plain), "picked": len(picked), "typed": len(typed), "options": len(options)}


def test_staff_list_query_count_and_page_size_stay_the_same_with_five_times_the_data(
    client, org, secretary, django_assert_num_queries
):
    grow(org, 0, 40)
    client.force_login(secretary)
    client.get(STAFF)  # warm the session
    small = measure_staff(client, org, django_assert_num_queries)

    grow(org, 40, 200)
    large = measure_staff(client, org, django_assert_num_queries)

    for view, size in large.items():
        assert size < 150_000
        assert abs(size - small[view]) < 2_000, view  # names differ in length, never in number

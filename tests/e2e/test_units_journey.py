"""Journey: a unit officer opens its own unit in the tree and cannot open a sibling unit's page."""

import pytest

from tests.factories import StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_units_officer_opens_its_unit_but_not_a_sibling(login, org, unit_officer):
    page = login(unit_officer)

    page.goto("/units/")
    page.get_by_test_id("unit-tree").get_by_role("link", name=org.branch_a.name).click()
    own_heading = page.get_by_role("heading", level=1).inner_text()
    sibling = page.goto(f"/units/{org.branch_b.pk}/")

    assert own_heading == org.branch_a.name
    assert org.branch_b.name not in page.content()
    assert sibling.status == 404
    tree = page.goto("/units/")
    assert tree.status == 200
    assert page.get_by_test_id("unit-tree").get_by_role("link", name=org.branch_b.name).count() == 0


def test_units_secretary_opens_a_branch_in_place_and_folds_it_again(login, org, secretary):
    page = login(secretary)
    page.goto("/units/")
    tree = page.get_by_test_id("unit-tree")
    assert tree.get_by_role("link", name=org.office_a.name).count() == 0

    tree.locator(f"#unit-children-{org.branch_a.pk}").get_by_test_id("unit-expand").click()
    office = tree.get_by_role("link", name=org.office_a.name)
    office.wait_for()
    opened_url = page.url
    tree.locator(f"#unit-children-{org.branch_a.pk} > summary").click()

    assert opened_url.endswith("/units/")  # fetched into the page, not a new page
    assert office.is_hidden()  # the opened branch folds like any <details>
    assert tree.get_by_role("link", name=org.office_b.name).count() == 0
    assert page.console_errors == []  # no Content-Security-Policy refusal either


def test_units_secretary_picks_a_unit_for_the_staff_list_as_it_types(login, org, secretary):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương")
    page = login(secretary)
    page.goto("/staff/")

    page.locator("input[name=unit_q]").press_sequentially("noi bai")
    option = page.get_by_test_id("unit-options").get_by_role("link", name=org.office_a.name)
    option.click()
    page.get_by_test_id("chosen-unit").wait_for()
    table = page.get_by_test_id("staff-table").inner_text()

    assert f"unit={org.office_a.pk}" in page.url
    assert "Trần Thị Hoa" in table
    assert "Phạm Thị Hương" not in table
    assert page.console_errors == []

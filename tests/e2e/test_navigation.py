"""Each role logs in through the browser and sees exactly its own navigation."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The navigation each role must see, written down once.
EXPECTED_NAVIGATION = {
    "unit_officer": ["Tổng quan", "Đăng ký thi đua", "Giao ước thi đua", "Đơn vị", "Cụm thi đua", "Cán bộ"],
    "committee_member": ["Tổng quan", "Giao ước thi đua", "Đơn vị", "Cụm thi đua"],
    "committee_secretary": [
        "Tổng quan",
        "Đăng ký thi đua các đơn vị",
        "Phong trào",
        "Giao ước thi đua",
        "Đơn vị",
        "Cụm thi đua",
        "Cán bộ",
    ],
    "leader": [
        "Tổng quan",
        "Đăng ký thi đua các đơn vị",
        "Phong trào",
        "Giao ước thi đua",
        "Đơn vị",
        "Cụm thi đua",
        "Cán bộ",
    ],
    "superuser": [
        "Tổng quan",
        "Đăng ký thi đua",
        "Đăng ký thi đua các đơn vị",
        "Phong trào",
        "Giao ước thi đua",
        "Đơn vị",
        "Cụm thi đua",
        "Cán bộ",
        "Quản trị",
    ],
}


@pytest.mark.parametrize("role", list(EXPECTED_NAVIGATION))
def test_navigation_each_role_sees_its_own_menu(request, login, role):
    user = request.getfixturevalue(
        {
            "unit_officer": "unit_officer",
            "committee_member": "committee_member",
            "committee_secretary": "secretary",
            "leader": "leader",
            "superuser": "superuser",
        }[role]
    )

    page = login(user)

    labels = [
        text.strip() for text in page.get_by_test_id("main-nav").locator("a.nav-link").all_inner_texts()
    ]
    assert labels == EXPECTED_NAVIGATION[role]
    assert page.console_errors == []


def test_navigation_language_switch_and_logout(login, leader):
    page = login(leader)

    page.get_by_role("button", name="EN").click()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    assert page.url.endswith("/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()

"""Each role logs in through the browser and sees exactly its own navigation."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER = ["home", "emulation:pledge-mine", "emulation:submission-mine"]
EVERYONE = ["emulation:covenant-list", "emulation:ranking-list", "emulation:reminder-list"]
ORGANISATION = ["units:unit-list", "units:cluster-list"]
SECRETARY_VIEWS = ["emulation:pledge-list", "emulation:submission-list"]
AWARDS_READERS = [
    "awards:dashboard",
    "awards:eligibility-list",
    "awards:nomination-list",
    "awards:session-list",
    "awards:decision-list",
]

# The pages each role's menu offers, in menu order, written down once.
EXPECTED_NAVIGATION = {
    "unit_officer": [
        *OFFICER,
        *EVERYONE,
        "awards:eligibility-list",
        "awards:nomination-mine",
        *ORGANISATION,
        "units:staff-list",
    ],
    "committee_member": ["home", "emulation:scoring-queue", *EVERYONE, "awards:session-list", *ORGANISATION],
    "secretary": [
        "home",
        *SECRETARY_VIEWS,
        *EVERYONE,
        "emulation:movement-list",
        *AWARDS_READERS,
        *ORGANISATION,
        "units:staff-list",
    ],
    "leader": [
        "home",
        *SECRETARY_VIEWS,
        *EVERYONE,
        "emulation:movement-list",
        *AWARDS_READERS,
        *ORGANISATION,
        "units:staff-list",
    ],
    "superuser": [
        *OFFICER,
        *SECRETARY_VIEWS,
        "emulation:scoring-queue",
        *EVERYONE,
        "emulation:movement-list",
        "awards:dashboard",
        "awards:eligibility-list",
        "awards:nomination-mine",
        "awards:nomination-list",
        "awards:session-list",
        "awards:decision-list",
        *ORGANISATION,
        "units:staff-list",
        "admin:index",
    ],
}


@pytest.mark.parametrize("persona", list(EXPECTED_NAVIGATION))
def test_navigation_each_role_sees_its_own_menu(request, login, persona):
    user = request.getfixturevalue(persona)

    page = login(user)

    links = page.get_by_test_id("main-nav").get_by_test_id("nav-link")
    links.first.wait_for(state="attached")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert hrefs == [reverse(name) for name in EXPECTED_NAVIGATION[persona]]
    assert page.console_errors == []


def test_navigation_menu_opens_and_leads_to_the_page(login, unit_officer):
    page = login(unit_officer)

    page.get_by_test_id("nav-menu").first.click()
    page.get_by_test_id("main-nav").locator(f"a[href='{reverse('emulation:ranking-list')}']").click()

    assert page.url.endswith(reverse("emulation:ranking-list"))


def test_navigation_language_switch_and_logout(login, leader):
    page = login(leader)

    page.get_by_test_id("language-switch").get_by_role("button", name="EN", exact=True).click()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    assert page.url.endswith("/accounts/login/")
    assert page.get_by_role("heading", name="Log in").is_visible()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def administrator(superuser, org):
    """The superuser with a staff record, as a real administrator has: the "mine" pages its menu
    offers open (without one they answer 403)."""
    StaffFactory(user=superuser, unit=org.branch_a, full_name="Quản trị viên")
    return superuser


@pytest.mark.parametrize(
    ("persona", "menu"),
    [
        ("unit_officer", "unit_officer"),
        ("committee_member", "committee_member"),
        ("secretary", "secretary"),
        ("leader", "leader"),
        ("administrator", "superuser"),
    ],
)
def test_navigation_every_menu_page_passes_axe_in_both_languages_and_on_a_phone(
    request, page, login, persona, menu, artifacts_dir
):
    """Every page of the role's menu, in Vietnamese at desktop width, then in English on a phone
    with the menu opened; the page fixture fails the test on a serious or critical violation."""
    user = request.getfixturevalue(persona)
    # Django's admin pages declare no icon, so Chromium guesses /favicon.ico (404): the browser's
    # guess, not a broken link of ours; every other console error still fails the test.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = login(user)
    hrefs = [reverse(name) for name in EXPECTED_NAVIGATION[menu]]

    landed = []
    for href in hrefs:
        page.goto(href)
        landed.append(urlsplit(page.url).path)  # a page may send this role elsewhere
    page.goto("/")  # the switch is in our footer (the last menu page may be Django's admin)
    page.get_by_test_id("language-switch").get_by_role("button", name="EN", exact=True).click()
    page.set_viewport_size(PHONE)
    for href in hrefs:
        page.goto(href)
    page.goto("/")
    page.get_by_role("button", name="Open the menu").click()
    page.get_by_test_id("nav-menu").first.click()
    page.get_by_test_id("main-nav").get_by_test_id("nav-link").first.wait_for(state="visible")
    page.axe.check_again(page)
    page.screenshot(path=str(artifacts_dir / f"navigation-{persona}-en-phone-menu.png"), full_page=True)

    audited = set(page.axe.pages)
    for path in landed:
        assert f"{path} [vi, 1280px]" in audited
        assert f"{path} [en, {PHONE['width']}px]" in audited
    assert page.console_errors == []

"""Accounts: every page needs a login; login, logout, password change, language, navigation."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import PeriodFactory
from units.enums import Role

pytestmark = pytest.mark.django_db


def test_accounts_role_groups_exist_after_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert len(Role.values) == 4


def test_accounts_home_redirects_anonymous_user_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_accounts_admin_is_not_reachable_anonymously(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_accounts_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


def test_accounts_login_with_wrong_password_says_so_in_vietnamese(client, leader):
    response = client.post(reverse("login"), {"username": "leader", "password": "wrong-password"})

    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_accounts_login_then_logout(client, leader, password):
    response = client.post(reverse("login"), {"username": "leader", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_accounts_password_change_requires_the_old_password(client, leader, password):
    client.force_login(leader)

    rejected = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )
    accepted = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        },
    )

    assert rejected.status_code == 200
    assert accepted.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password("Mat-khau-moi-2026")


def test_accounts_language_switch_changes_the_interface_to_english(client, leader):
    client.force_login(leader)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Overview" in html
    assert "Log out" in html


class _CodeThePolicyWouldBlock(HTMLParser):
    """Collects markup a strict policy blocks: inline scripts that run, handlers, styles, javascript: URLs.

    A `<script type="application/json">` block (Django's json_script) is data, never executed, and
    allowed; any other script without `src` is inline code.
    """

    DATA_TYPES = frozenset({"application/json", "application/ld+json"})
    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        script_type = (values.get("type") or "").strip().lower()
        if tag == "script" and "src" not in values and script_type not in self.DATA_TYPES:
            self.found.append(f"inline <script type={script_type or 'text/javascript'!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                self.found.append(f"style= on <{tag}>")
            elif name in self.URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}= on <{tag}>")


def code_the_policy_would_block(html: str) -> list[str]:
    parser = _CodeThePolicyWouldBlock()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script id="d" type="application/json">{"a": 1}</script>', []),
        ('<script src="/static/js/app.js"></script>', []),
        ("<script>alert(1)</script>", ["inline <script type='text/javascript'>"]),
        ('<script type="module">go()</script>', ["inline <script type='module'>"]),
        ('<button onclick="go()">x</button>', ["event handler onclick= on <button>"]),
        ('<img src="x" ONERROR="go()">', ["event handler onerror= on <img>"]),
        ('<a href=" JavaScript:go()">x</a>', ["javascript: URL in href= on <a>"]),
        ('<p style="color: red">x</p>', ["style= on <p>"]),
    ],
)
def test_accounts_policy_checker_allows_data_blocks_and_flags_inline_code(html, found):
    assert code_the_policy_would_block(html) == found


def test_accounts_pages_carry_a_strict_content_security_policy(client, leader, unit_officer):
    PeriodFactory(year=2026)  # the leaders' dashboard then embeds its chart data as a JSON block
    pages = {
        "login": (None, reverse("login")),
        "leader dashboard": (leader, reverse("home")),
        "officer home": (unit_officer, reverse("home")),
        "unit tree": (leader, reverse("units:unit-list")),
        "own pledges": (unit_officer, reverse("emulation:pledge-mine")),
    }

    answers, policies, html = {}, set(), {}
    for name, (user, url) in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        policies.add(response["Content-Security-Policy"])
        html[name] = response.content.decode()
        answers[name] = (response.status_code, code_the_policy_would_block(html[name]))

    assert answers == dict.fromkeys(pages, (200, []))
    (policy,) = policies
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert '<script id="dashboard-chart-data" type="application/json">' in html["leader dashboard"]


def test_accounts_footer_shows_the_version(client, leader):
    from config import __version__

    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    assert f'data-testid="app-version">{__version__}<' in html


def test_accounts_repeated_failures_pause_the_account_with_a_clear_message(
    client, leader, password, settings
):
    settings.AXES_ENABLED = True
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3

    for _attempt in range(3):
        client.post(reverse("login"), {"username": "leader", "password": "wrong-password"})
    locked = client.post(reverse("login"), {"username": "leader", "password": password})

    assert locked.status_code == 429
    assert "Do nhập sai mật khẩu nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_accounts_pause_is_per_account(client, leader, secretary, password, settings):
    settings.AXES_ENABLED = True
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "leader", "password": "wrong-password"})

    response = client.post(reverse("login"), {"username": "secretary", "password": password})

    assert response.status_code == 302

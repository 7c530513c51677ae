"""Accounts: every page needs a login; login, logout, password change, language, navigation."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

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


def test_accounts_pages_carry_a_strict_content_security_policy(client, leader):
    client.force_login(leader)

    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html


def test_accounts_footer_shows_the_version(client, leader):
    from config import __version__

    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    assert f'data-testid="app-version">{__version__}<' in html


def test_accounts_repeated_failures_lock_the_login_with_a_clear_message(client, leader, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3

    for _attempt in range(3):
        client.post(reverse("login"), {"username": "leader", "password": "wrong-password"})
    locked = client.post(reverse("login"), {"username": "leader", "password": password})

    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_accounts_lockout_is_per_username(client, leader, secretary, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "leader", "password": "wrong-password"})

    response = client.post(reverse("login"), {"username": "secretary", "password": password})

    assert response.status_code == 302

"""Refusals (403) and missing pages (404) are pages of the site: in the user's language, with the
menu, and a 403 says why."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_error_pages_forbidden_says_why_in_vietnamese_with_the_menu(client, superuser):
    client.force_login(superuser)  # no staff record: "my nominations" cannot know the unit

    response = client.get(reverse("awards:nomination-mine"))

    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="vi">' in html
    assert "Tài khoản của bạn chưa được gắn với đơn vị nào" in html
    assert 'data-testid="main-nav"' in html


def test_error_pages_not_found_in_vietnamese_with_the_menu(client, unit_officer):
    client.force_login(unit_officer)

    response = client.get("/units/999999/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in html
    assert "Không tìm thấy trang" in html
    assert 'data-testid="main-nav"' in html


def test_error_pages_not_found_for_someone_signed_out_has_no_menu(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert 'data-testid="main-nav"' not in html

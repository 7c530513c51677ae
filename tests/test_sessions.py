"""Sessions end after a spell of inactivity and, however active, after an absolute lifetime.

A shared office computer left signed in is the commonest way into someone else's account here;
before these limits a session lasted 14 days whatever happened. The clock is frozen and moved by
hand: nothing depends on today's date or on sleeping.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

HCM = datetime.timezone(datetime.timedelta(hours=7))
MORNING = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=HCM)


def signed_in(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


def test_sessions_idle_timeout_signs_out_after_30_minutes_without_a_request(client, leader, settings):
    settings.SESSION_IDLE_MINUTES = 30
    with time_machine.travel(MORNING, tick=False) as clock:
        client.force_login(leader)
        answers = [signed_in(client)]
        for minutes in (29, 29, 29):  # each request restarts the idle count
            clock.shift(datetime.timedelta(minutes=minutes))
            answers.append(signed_in(client))
        clock.shift(datetime.timedelta(minutes=31))

        response = client.get(reverse("home"), follow=True, HTTP_ACCEPT_LANGUAGE="vi")

    assert answers == [True, True, True, True]
    assert response.redirect_chain[0] == (f"{reverse('login')}?next=/", 302)
    assert "Phiên làm việc đã kết thúc sau 30 phút không thao tác" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_absolute_lifetime_ends_even_an_active_session(client, leader, settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_MAX_HOURS = 12
    with time_machine.travel(MORNING, tick=False) as clock:
        client.force_login(leader)
        answers = [signed_in(client)]  # as after the login page's redirect
        for _step in range(35):  # a request every 20 minutes: 11 h 40 min, never idle
            clock.shift(datetime.timedelta(minutes=20))
            answers.append(signed_in(client))
        clock.shift(datetime.timedelta(minutes=21))  # 12 h 1 min after signing in

        response = client.get(reverse("home"), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert answers == [True] * 36
    assert response.redirect_chain[0][1] == 302
    assert "Your session ended 12 hours after you signed in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_signing_in_again_starts_a_new_lifetime(client, leader, password, settings):
    settings.SESSION_MAX_HOURS = 12
    with time_machine.travel(MORNING, tick=False) as clock:
        client.force_login(leader)
        clock.shift(datetime.timedelta(hours=11, minutes=50))
        client.post(reverse("logout"))
        client.post(reverse("login"), {"username": "leader", "password": password})
        clock.shift(datetime.timedelta(minutes=20))

        still_in = signed_in(client)

    assert still_in is True


def test_sessions_cookie_lasts_no_longer_than_the_absolute_lifetime(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_HOURS * 3600
    assert settings.SESSION_MAX_HOURS == 12
    assert settings.SESSION_IDLE_MINUTES == 30


def test_sessions_signing_in_over_another_users_session_starts_a_clock_the_next_page_keeps(
    client, leader, secretary
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(MORNING, tick=False):
        client.force_login(secretary)
        client.force_login(leader)  # the same browser, another person: the old session is flushed
        with CaptureQueriesContext(connection) as queries:
            assert signed_in(client)

    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert writes == []  # the page after a sign-in does not rewrite the session to fix its clock

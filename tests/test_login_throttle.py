"""Login throttling: a delay per account that a known device passes, and a limit per address.

The office scenario: everyone at a customs office reaches the site from one NAT address. Someone
there (or anywhere) guessing a colleague's password must not lock the colleague out of the
computer the colleague always uses, and nobody can try a few passwords at every account.
"""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.10"  # the office's NAT address, shared by everyone there
ELSEWHERE = "203.0.113.77"
HCM = datetime.timezone(datetime.timedelta(hours=7))
MORNING = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def _throttling(settings):
    settings.AXES_ENABLED = True
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 5
    settings.LOGIN_BACKOFF_SECONDS = 60
    settings.AXES_FAILURE_LIMIT = 20
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def sign_in(client, username: str, password: str, address: str = OFFICE, language: str = "vi"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def sign_out(client) -> None:
    # Through the page, as a person does: the known-device cookie stays (client.logout() would
    # drop every cookie).
    client.post(reverse("logout"))


def test_login_throttle_colleague_behind_the_same_address_is_not_locked_out_by_failures_on_another_account(
    leader, secretary, password
):
    attacker, colleague = Client(), Client()
    for _attempt in range(12):
        sign_in(attacker, "leader", "wrong-password")

    answer = sign_in(colleague, "secretary", password)

    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")


def test_login_throttle_owner_on_a_known_device_passes_while_the_attacker_is_delayed(leader, password):
    owner, attacker = Client(), Client()
    with time_machine.travel(MORNING, tick=False):
        assert sign_in(owner, "leader", password).status_code == 302  # an ordinary day
        sign_out(owner)
        for _attempt in range(5):
            sign_in(attacker, "leader", "wrong-password")

        attacker_even_right = sign_in(attacker, "leader", password)
        owner_again = sign_in(owner, "leader", password)
        signed_in_users = [client.session.get("_auth_user_id") for client in (attacker, owner)]

    assert attacker_even_right.status_code == 429
    assert 'data-kind="account"' in attacker_even_right.content.decode()
    assert owner_again.status_code == 302
    assert signed_in_users == [None, str(leader.pk)]


def test_login_throttle_delay_grows_with_each_further_failure(leader, password):
    attacker, newcomer = Client(), Client()
    with time_machine.travel(MORNING, tick=False) as clock:
        for _attempt in range(5):
            sign_in(attacker, "leader", "wrong-password")
        answers = [sign_in(attacker, "leader", "wrong-password").status_code]  # refused, counted: 6
        clock.shift(datetime.timedelta(seconds=119))
        answers.append(sign_in(attacker, "leader", "wrong-password").status_code)  # 2 min not over
        clock.shift(datetime.timedelta(minutes=4, seconds=2))
        answers.append(sign_in(attacker, "leader", "wrong-password").status_code)  # 4 min over: tried
        clock.shift(datetime.timedelta(minutes=15, seconds=1))
        answers.append(sign_in(newcomer, "leader", password, address=ELSEWHERE).status_code)

    assert answers == [429, 429, 200, 302]


def test_login_throttle_known_device_has_its_own_budget(leader, password):
    thief = Client()
    with time_machine.travel(MORNING, tick=False):
        sign_in(thief, "leader", password)  # a stolen laptop that once signed in
        sign_out(thief)
        for _attempt in range(5):
            sign_in(thief, "leader", "wrong-password")
        for _attempt in range(5):
            sign_in(thief, "leader", "wrong-password")

        last = sign_in(thief, "leader", password)

    assert last.status_code == 429


def test_login_throttle_spraying_across_accounts_from_one_address_is_blocked_after_the_limit(
    settings, leader, password
):
    settings.AXES_FAILURE_LIMIT = 20
    for index in range(20):
        UserFactory(username=f"canbo{index}")
    sprayer, colleague_elsewhere = Client(), Client()
    for index in range(20):
        sign_in(sprayer, f"canbo{index}", "Matkhau@2026")

    blocked = sign_in(sprayer, "leader", password, address=OFFICE)
    elsewhere = sign_in(colleague_elsewhere, "leader", password, address=ELSEWHERE)

    assert blocked.status_code == 429
    assert 'data-kind="address"' in blocked.content.decode()
    assert elsewhere.status_code == 302


def test_login_throttle_spraying_below_the_limit_is_not_blocked(leader, password):
    for index in range(19):
        UserFactory(username=f"canbo{index}")
    office = Client()
    for index in range(19):
        sign_in(office, f"canbo{index}", "Matkhau@2026")

    assert sign_in(office, "leader", password).status_code == 302


def test_login_throttle_known_device_passes_a_blocked_address(leader, password):
    owner, sprayer = Client(), Client()
    sign_in(owner, "leader", password)
    sign_out(owner)
    for index in range(20):
        sign_in(sprayer, f"khong-co-{index}", "Matkhau@2026")

    assert sign_in(sprayer, "leader", password).status_code == 429
    assert sign_in(owner, "leader", password).status_code == 302


@pytest.mark.parametrize(
    ("language", "account_text", "address_text"),
    [
        (
            "vi",
            "Do nhập sai mật khẩu nhiều lần, việc đăng nhập vào tài khoản này tạm dừng trong 1 phút.",
            "việc đăng nhập từ mạng này tạm dừng trong 15 phút",
        ),
        (
            "en",
            "After several wrong passwords, signing in to this account is paused for 1 minute.",
            "signing in from it is paused for 15 minutes",
        ),
    ],
)
def test_login_throttle_refusals_are_explained_in_the_users_language(
    leader, password, language, account_text, address_text
):
    attacker, sprayer = Client(), Client()
    with time_machine.travel(MORNING, tick=False):
        for _attempt in range(5):
            sign_in(attacker, "leader", "wrong-password", address=ELSEWHERE)
        account = sign_in(attacker, "leader", password, address=ELSEWHERE, language=language)
        for index in range(20):
            sign_in(sprayer, f"khong-co-{index}", "Matkhau@2026")
        address = sign_in(sprayer, "leader", password, language=language)

    assert account_text in account.content.decode()
    assert address_text in address.content.decode()

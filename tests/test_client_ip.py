"""Login throttling behind reverse proxies: failures count per client, not per proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.client_ip import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def login(client, username: str, password: str, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no trusted proxy: the header is anybody's words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry came from the client
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer hops than proxies: not believed
    ],
)
def test_client_ip_believes_only_the_trusted_proxies_entries(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


def test_client_ip_lockout_behind_a_proxy_keeps_other_clients_out_of_it(client, leader, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    for _attempt in range(3):
        login(client, "leader", "wrong-password", "203.0.113.9")

    locked = login(client, "leader", password, "203.0.113.9")
    client.logout()
    elsewhere = login(client, "leader", password, "198.51.100.7")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302  # the same person from another machine still signs in

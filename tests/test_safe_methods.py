"""A GET changes nothing: opening any page of the authorization matrix, as any role, writes no row.

A GET can be fired by a link preview, a prefetching browser, a crawler that follows links or a
reminder email opened on a phone; creating records on it also lets another site make a user's
browser create them (no CSRF token is needed for a GET). Records are created by POSTs only.
"""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from emulation.models import Pledge, Submission
from tests.emulation.conftest import at
from tests.factories import PeriodFactory
from tests.figures import record

# The matrix's URL list, personas and world: a new URL there is checked here too.
from tests.test_authorization_matrix import MATRIX, PERSONAS, world  # noqa: F401 - world is a fixture

pytestmark = pytest.mark.django_db

# Sessions are written by signing in (the test's own force_login), not by the pages.
NOT_COUNTED = {"sessions.Session"}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_COUNTED
    }


def test_safe_methods_get_of_every_matrix_url_changes_no_row_count(client, world):  # noqa: F811
    changed = []
    checked = 0
    for name, (kwargs, _expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(world))
        for persona in PERSONAS:
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            before = row_counts()

            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)  # read to the end, which closes the file

            after = row_counts()
            checked += 1
            if after != before:
                grown = {
                    label: after[label] - before[label] for label in after if after[label] != before[label]
                }
                changed.append(f"GET {name} as {persona} changed {grown}")

    record("GETs that must change nothing (URL x role)", checked)
    assert changed == []


def test_safe_methods_opening_our_pledge_in_the_pledging_window_creates_nothing(client, org, unit_officer):
    period = PeriodFactory(year=2026)

    with at(datetime.date(2026, 1, 15)):
        client.force_login(unit_officer)
        page = client.get(reverse("emulation:pledge-mine"))
        created = Pledge.objects.filter(unit=org.branch_a, period=period).exists()
        started = client.post(reverse("emulation:pledge-mine"), {"period": period.pk})

    pledge = Pledge.objects.get(unit=org.branch_a, period=period)
    assert page.status_code == 200
    assert created is False
    assert 'data-testid="start-pledge"' in page.content.decode()
    assert started.status_code == 302
    assert started["Location"] == reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk})


def test_safe_methods_opening_our_self_assessment_in_its_window_creates_nothing(client, org, unit_officer):
    period = PeriodFactory(year=2026)

    with at(datetime.date(2026, 12, 5)):
        client.force_login(unit_officer)
        page = client.get(reverse("emulation:submission-mine"))
        created = Submission.objects.filter(unit=org.branch_a, period=period).exists()
        started = client.post(reverse("emulation:submission-mine"), {"period": period.pk})

    submission = Submission.objects.get(unit=org.branch_a, period=period)
    assert page.status_code == 200
    assert created is False
    assert 'data-testid="start-submission"' in page.content.decode()
    assert started.status_code == 302
    assert started["Location"] == reverse("emulation:submission-edit", kwargs={"pk": submission.pk})

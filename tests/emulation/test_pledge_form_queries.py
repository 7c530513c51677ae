"""The pledge form reads its staff options once, however many registrations it shows (make bench
found one query per registration row: each row's select read the unit's staff again), and the
pledge pages issue no query while their templates render."""

import pytest
from django.urls import reverse

from emulation.models import IndividualRegistration
from emulation.services import start_pledge
from tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during_pledging")]


@pytest.mark.parametrize("registrations", [1, 3])
def test_pledge_form_query_count_does_not_grow_with_registrations(
    client, org, unit_officer, period, django_assert_num_queries, registrations
):
    pledge = start_pledge(org.branch_a, period, actor=unit_officer)
    staff = StaffFactory.create_batch(registrations, unit=org.branch_a)
    IndividualRegistration.objects.bulk_create(
        IndividualRegistration(pledge=pledge, staff=member, title="LDTT") for member in staff
    )
    client.force_login(unit_officer)

    with django_assert_num_queries(11):
        response = client.get(reverse("emulation:pledge-edit", args=[pledge.pk]))

    assert response.status_code == 200
    assert response.content.decode().count(f'value="{staff[0].pk}"') == registrations + 4

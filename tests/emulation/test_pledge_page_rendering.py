"""The pledge pages render without reaching the database, and the form's widgets, now written in
Python (emulation.forms.widgets) instead of a template per option, still show what was chosen,
escape what they show and mark a refused field."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.template.base import Template
from django.urls import reverse

from emulation.models import IndividualRegistration
from emulation.services import start_pledge
from tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("during_pledging")]


@contextmanager
def queries_while_rendering():
    """The SQL issued while a template body renders (as make bench counts it)."""
    seen: list[str] = []
    depth = 0
    original = Template._render

    def render(template, context):
        nonlocal depth
        depth += 1
        try:
            return original(template, context)
        finally:
            depth -= 1

    def watch(execute, sql, params, many, context):
        if depth:
            seen.append(sql)
        return execute(sql, params, many, context)

    Template._render = render
    try:
        with connection.execute_wrapper(watch):
            yield seen
    finally:
        Template._render = original


@pytest.fixture
def pledge(org, unit_officer, period):
    made = start_pledge(org.branch_a, period, actor=unit_officer)
    staff = StaffFactory(unit=org.branch_a, full_name="Trần <Văn> Bình")
    IndividualRegistration.objects.create(pledge=made, staff=staff, title="LDTT")
    return made


@pytest.mark.parametrize("page", ["emulation:pledge-edit", "emulation:pledge-detail"])
def test_pledge_pages_issue_no_query_while_rendering(client, pledge, unit_officer, page):
    client.force_login(unit_officer)

    with queries_while_rendering() as seen:
        response = client.get(reverse(page, kwargs={"pk": pledge.pk}))

    assert response.status_code == 200
    assert seen == []


def test_pledge_form_selects_the_registered_person_and_escapes_names(client, pledge, unit_officer):
    registration = pledge.registrations.get()
    client.force_login(unit_officer)

    html = client.get(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk})).content.decode()

    # The saved row has its person and title selected; the extra rows and the template do not.
    label = f"Trần &lt;Văn&gt; Bình ({registration.staff.staff_code})"
    assert f'<option value="{registration.staff_id}" selected>{label}</option>' in html
    assert html.count(f'<option value="{registration.staff_id}">{label}</option>') == 4
    assert '<option value="LDTT" selected>' in html
    assert "<Văn>" not in html


def test_refused_registration_is_marked_invalid_next_to_its_field(client, pledge, unit_officer, org):
    stranger = StaffFactory(unit=org.office_b)
    client.force_login(unit_officer)
    data = {
        "version": pledge.version,
        "collective_title": "",
        "action": "save",
        "reg-TOTAL_FORMS": 1,
        "reg-INITIAL_FORMS": 0,
        "reg-MIN_NUM_FORMS": 0,
        "reg-MAX_NUM_FORMS": 1000,
        "reg-0-staff": stranger.pk,
        "reg-0-title": "LDTT",
        "reg-0-planned_initiative": "",
    }

    html = client.post(reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}), data).content.decode()

    assert 'name="reg-0-staff" class="form-select is-invalid" aria-invalid="true"' in html
    assert "Hãy chọn cán bộ thuộc đơn vị này." in html

"""Scoping: who sees which units and staff, conflict of interest, and id guessing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import StaffFactory, UserFactory
from units.models import Staff, Unit
from units.permissions import (
    get_staff_for_user,
    get_unit_for_user,
    has_conflict_of_interest,
)

pytestmark = pytest.mark.django_db


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_visible_units_for_unit_officer_are_its_unit_and_below(org, unit_officer):
    assert codes(Unit.objects.visible_to(unit_officer)) == {"KV1", "KV1-01"}


@pytest.mark.parametrize("persona", ["secretary", "leader", "committee_member", "superuser"])
def test_visible_units_for_movement_wide_roles_are_all(request, org, persona):
    user = request.getfixturevalue(persona)

    assert codes(Unit.objects.visible_to(user)) == {"DEPT", "KV1", "KV2", "KV1-01", "KV2-01"}


def test_visible_units_for_a_user_without_role_or_unit_are_none(org):
    user = UserFactory(username="nobody")

    assert codes(Unit.objects.visible_to(user)) == set()


def test_visible_units_for_an_officer_without_a_staff_link_are_none(org):
    user = UserFactory(username="unlinked", roles=["unit_officer"])

    assert codes(Unit.objects.visible_to(user)) == set()


def test_visible_staff_for_unit_officer_is_its_subtree_only(org, unit_officer):
    StaffFactory(staff_code="A-OFFICE", unit=org.office_a)
    StaffFactory(staff_code="B-OFFICE", unit=org.office_b)
    StaffFactory(staff_code="DEPT-1", unit=org.dept)

    visible = set(Staff.objects.visible_to(unit_officer).values_list("staff_code", flat=True))

    assert "A-OFFICE" in visible
    assert {"B-OFFICE", "DEPT-1"} & visible == set()


def test_visible_staff_for_committee_member_is_none(org, committee_member):
    StaffFactory(staff_code="A-OFFICE", unit=org.office_a)

    assert Staff.objects.visible_to(committee_member).count() == 0


@pytest.mark.parametrize("persona", ["secretary", "leader"])
def test_visible_staff_for_secretary_and_leader_is_everyone(request, org, persona):
    StaffFactory(staff_code="B-OFFICE", unit=org.office_b)
    user = request.getfixturevalue(persona)

    assert Staff.objects.visible_to(user).filter(staff_code="B-OFFICE").exists()


def test_get_unit_for_user_answers_404_for_another_units_id(org, unit_officer):
    assert get_unit_for_user(unit_officer, org.office_a.pk) == org.office_a

    with pytest.raises(Http404):
        get_unit_for_user(unit_officer, org.branch_b.pk)
    with pytest.raises(Http404):
        get_unit_for_user(unit_officer, org.dept.pk)  # the parent is not below the officer's unit
    with pytest.raises(Http404):
        get_unit_for_user(unit_officer, 999_999)


def test_get_unit_for_user_write_is_for_the_secretary(org, unit_officer, leader, secretary):
    assert get_unit_for_user(secretary, org.branch_a.pk, write=True) == org.branch_a
    with pytest.raises(PermissionDenied):
        get_unit_for_user(leader, org.branch_a.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_unit_for_user(unit_officer, org.branch_a.pk, write=True)


def test_get_staff_for_user_scopes_reads_and_writes(org, unit_officer, other_unit_officer, leader):
    person = StaffFactory(unit=org.office_a)

    assert get_staff_for_user(unit_officer, person.pk, write=True) == person
    assert get_staff_for_user(leader, person.pk) == person
    with pytest.raises(PermissionDenied):
        get_staff_for_user(leader, person.pk, write=True)
    with pytest.raises(Http404):
        get_staff_for_user(other_unit_officer, person.pk)


def test_conflict_of_interest_is_own_unit_ancestors_and_descendants(org, committee_member):
    # The member works in branch B.
    assert has_conflict_of_interest(committee_member, org.branch_b) is True
    assert has_conflict_of_interest(committee_member, org.office_b) is True
    assert has_conflict_of_interest(committee_member, org.dept) is True
    assert has_conflict_of_interest(committee_member, org.branch_a) is False
    assert has_conflict_of_interest(committee_member, org.office_a) is False


def test_conflict_of_interest_needs_a_home_unit(org, secretary):
    # The secretary persona has no staff record, hence no home unit and no conflict.
    assert has_conflict_of_interest(secretary, org.branch_a) is False

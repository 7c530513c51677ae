"""The unit tree, validity dates, cluster-year rules and staff assignments at the model level."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import ClusterFactory, ClusterMembershipFactory, StaffFactory, UnitFactory
from units.models import Assignment, Unit
from units.services import UnitsError, assign_staff, move_unit, record_lineage

pytestmark = pytest.mark.django_db


def test_unit_path_and_depth_follow_the_tree(org):
    assert org.dept.path == f"/{org.dept.pk}/"
    assert org.office_a.path == f"/{org.dept.pk}/{org.branch_a.pk}/{org.office_a.pk}/"
    assert (org.dept.depth, org.branch_a.depth, org.office_a.depth) == (0, 1, 2)


def test_unit_descendants_and_ancestors(org):
    assert list(Unit.objects.descendants(org.branch_a)) == [org.office_a]
    assert set(Unit.objects.subtree(org.dept)) == {
        org.dept,
        org.branch_a,
        org.branch_b,
        org.office_a,
        org.office_b,
    }
    assert list(Unit.objects.ancestors(org.office_a).order_by("depth")) == [org.dept, org.branch_a]
    assert list(Unit.objects.ancestors(org.dept)) == []


def test_unit_subtree_does_not_confuse_ids_with_a_common_prefix():
    # Unit 1's path "/1/" must not match unit 12's "/12/": the separator closes each id.
    first = UnitFactory(code="A")
    others = [UnitFactory(code=f"B{i}") for i in range(12)]
    child = UnitFactory(code="A1", parent=first)

    assert set(Unit.objects.subtree(first)) == {first, child}
    assert not set(Unit.objects.subtree(first)) & set(others)


def test_unit_related_to_is_self_ancestors_and_descendants(org):
    assert set(Unit.objects.related_to(org.branch_a)) == {org.dept, org.branch_a, org.office_a}


def test_unit_move_rewrites_the_whole_subtree(org):
    move_unit(org.branch_a, new_parent=org.branch_b)

    org.office_a.refresh_from_db()
    assert org.office_a.path == f"/{org.dept.pk}/{org.branch_b.pk}/{org.branch_a.pk}/{org.office_a.pk}/"
    assert org.office_a.depth == 3
    assert set(Unit.objects.descendants(org.branch_b)) == {org.branch_a, org.office_a, org.office_b}


def test_unit_cannot_move_below_its_own_descendant(org):
    with pytest.raises(UnitsError):
        move_unit(org.branch_a, new_parent=org.office_a)

    org.branch_a.refresh_from_db()
    assert org.branch_a.parent == org.dept


def test_unit_clean_rejects_reversed_validity_and_own_descendant_parent(org):
    org.branch_a.valid_from = datetime.date(2025, 3, 1)
    org.branch_a.valid_to = datetime.date(2025, 1, 1)
    with pytest.raises(ValidationError) as error:
        org.branch_a.full_clean()
    assert "valid_to" in error.value.message_dict

    org.branch_a.valid_to = None
    org.branch_a.parent = org.office_a
    with pytest.raises(ValidationError) as error:
        org.branch_a.full_clean()
    assert "parent" in error.value.message_dict


def test_unit_active_respects_validity_dates():
    UnitFactory(code="OLD", valid_to=datetime.date(2025, 2, 28))
    UnitFactory(code="NEW", valid_from=datetime.date(2025, 3, 1))
    UnitFactory(code="ALWAYS")

    on_2024 = set(Unit.objects.active(datetime.date(2024, 6, 1)).values_list("code", flat=True))
    on_2026 = set(Unit.objects.active(datetime.date(2026, 1, 1)).values_list("code", flat=True))

    assert on_2024 == {"OLD", "ALWAYS"}
    assert on_2026 == {"NEW", "ALWAYS"}


def test_unit_lineage_closes_predecessors_and_links_history():
    old_a = UnitFactory(code="HQ-LS", name="Cục Hải quan tỉnh Lạng Sơn")
    old_b = UnitFactory(code="HQ-CB", name="Cục Hải quan tỉnh Cao Bằng")
    new = UnitFactory(code="KV-V", name="Chi cục Hải quan khu vực V", valid_from=datetime.date(2025, 3, 1))

    record_lineage(new, predecessors=[old_a, old_b], effective_on=datetime.date(2025, 3, 1))

    old_a.refresh_from_db()
    assert old_a.valid_to == datetime.date(2025, 2, 28)
    assert set(new.predecessors.all()) == {old_a, old_b}
    assert list(old_b.successors.all()) == [new]


def test_unit_search_ignores_diacritics():
    UnitFactory(code="NB", name="Hải quan cửa khẩu Nội Bài")
    UnitFactory(code="DN", name="Đội Kiểm soát Đà Nẵng")

    assert list(Unit.objects.search("hai quan noi bai").values_list("code", flat=True)) == ["NB"]
    assert list(Unit.objects.search("DOI KIEM SOAT da nang").values_list("code", flat=True)) == ["DN"]
    assert list(Unit.objects.search("Hải Quan").values_list("code", flat=True)) == ["NB"]


def test_cluster_allows_one_leader_and_one_deputy_only():
    cluster = ClusterFactory()
    ClusterMembershipFactory(cluster=cluster, role="leader")
    ClusterMembershipFactory(cluster=cluster, role="deputy")

    with pytest.raises(IntegrityError), transaction.atomic():
        ClusterMembershipFactory(cluster=cluster, role="leader")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClusterMembershipFactory(cluster=cluster, role="deputy")
    ClusterMembershipFactory(cluster=cluster, role="member")
    assert cluster.memberships.count() == 3


def test_cluster_unit_is_in_one_cluster_per_year():
    unit = UnitFactory()
    ClusterMembershipFactory(cluster=ClusterFactory(year=2024), unit=unit)
    ClusterMembershipFactory(cluster=ClusterFactory(year=2025), unit=unit)

    with pytest.raises(IntegrityError), transaction.atomic():
        ClusterMembershipFactory(cluster=ClusterFactory(year=2025), unit=unit)

    assert sorted(unit.cluster_memberships.values_list("year", flat=True)) == [2024, 2025]


def test_staff_assignment_moves_the_current_unit_and_keeps_history(org):
    person = StaffFactory(unit=None)
    assign_staff(person, unit=org.office_a, start_date=datetime.date(2020, 1, 1))

    assign_staff(person, unit=org.office_b, start_date=datetime.date(2025, 3, 1))

    person.refresh_from_db()
    assert person.unit == org.office_b
    history = list(
        Assignment.objects.filter(staff=person).order_by("start_date").values_list("unit__code", "end_date")
    )
    assert history == [("KV1-01", datetime.date(2025, 2, 28)), ("KV2-01", None)]


def test_staff_assignment_cannot_start_before_the_current_one(org):
    person = StaffFactory(unit=None)
    assign_staff(person, unit=org.office_a, start_date=datetime.date(2024, 1, 1))

    with pytest.raises(UnitsError):
        assign_staff(person, unit=org.office_b, start_date=datetime.date(2023, 1, 1))

    person.refresh_from_db()
    assert person.unit == org.office_a
    assert Assignment.objects.filter(staff=person).count() == 1

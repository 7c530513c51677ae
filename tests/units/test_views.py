"""Pages of the units app: what each role sees, id guessing, filters, and query counts."""

import pytest
from django.urls import reverse

from tests.factories import ClusterFactory, ClusterMembershipFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_unit_tree_shows_an_officer_only_its_subtree(client, org, unit_officer):
    client.force_login(unit_officer)

    html = html_of(client.get(reverse("units:unit-list")))

    assert "Chi cục Hải quan khu vực I" in html
    assert "Hải quan cửa khẩu Nội Bài" in html
    assert "Chi cục Hải quan khu vực II" not in html
    assert "Đội Kiểm soát Hải quan" not in html


def test_unit_tree_search_without_diacritics(client, org, secretary):
    client.force_login(secretary)

    html = html_of(client.get(reverse("units:unit-list"), {"q": "hai quan noi bai"}))

    assert "Hải quan cửa khẩu Nội Bài" in html
    assert "Đội Kiểm soát Hải quan" not in html


def test_unit_tree_search_never_leaks_units_outside_scope(client, org, unit_officer):
    client.force_login(unit_officer)

    html = html_of(client.get(reverse("units:unit-list"), {"q": "doi kiem soat"}))

    assert "Đội Kiểm soát Hải quan" not in html


def test_unit_detail_for_a_sibling_unit_is_404(client, org, unit_officer):
    client.force_login(unit_officer)

    own = client.get(reverse("units:unit-detail", kwargs={"pk": org.branch_a.pk}))
    sibling = client.get(reverse("units:unit-detail", kwargs={"pk": org.branch_b.pk}))
    sibling_child = client.get(reverse("units:unit-detail", kwargs={"pk": org.office_b.pk}))

    assert own.status_code == 200
    assert sibling.status_code == 404
    assert sibling_child.status_code == 404


def test_unit_detail_shows_members_children_and_cluster(client, org, secretary):
    cluster = ClusterFactory(year=2025, name="Cụm thi đua số 1")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a, role="leader")
    StaffFactory(unit=org.branch_a, full_name="Nguyễn Thị Lan")
    client.force_login(secretary)

    html = html_of(client.get(reverse("units:unit-detail", kwargs={"pk": org.branch_a.pk})))

    assert "Nguyễn Thị Lan" in html
    assert "Hải quan cửa khẩu Nội Bài" in html  # the office below
    assert "Cụm thi đua số 1" in html


def test_unit_detail_hides_staff_from_committee_members(client, org, committee_member):
    StaffFactory(unit=org.branch_a, full_name="Nguyễn Thị Lan")
    client.force_login(committee_member)

    html = html_of(client.get(reverse("units:unit-detail", kwargs={"pk": org.branch_a.pk})))

    assert "Nguyễn Thị Lan" not in html


def test_cluster_list_shows_the_chosen_year_with_leader(client, org, leader):
    ClusterMembershipFactory(
        cluster=ClusterFactory(year=2024, name="Cụm 2024"), unit=org.branch_a, role="leader"
    )
    ClusterMembershipFactory(
        cluster=ClusterFactory(year=2025, name="Cụm 2025"), unit=org.branch_b, role="leader"
    )
    client.force_login(leader)

    html = html_of(client.get(reverse("units:cluster-list"), {"year": 2024}))

    assert "Cụm 2024" in html
    assert "Cụm 2025" not in html
    assert "Chi cục Hải quan khu vực I" in html


def test_cluster_list_links_only_the_units_an_officer_may_open(client, org, unit_officer):
    cluster = ClusterFactory(year=2025, name="Cụm số 1")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_a, role="leader")
    ClusterMembershipFactory(cluster=cluster, unit=org.branch_b, role="deputy")
    client.force_login(unit_officer)

    html = html_of(client.get(reverse("units:cluster-list"), {"year": 2025}))

    own_page = reverse("units:unit-detail", kwargs={"pk": org.branch_a.pk})
    assert f'<a href="{own_page}">Chi cục Hải quan khu vực I</a>' in html
    assert "Chi cục Hải quan khu vực II" in html
    assert reverse("units:unit-detail", kwargs={"pk": org.branch_b.pk}) not in html
    assert client.get(reverse("units:unit-detail", kwargs={"pk": org.branch_b.pk})).status_code == 404


def test_cluster_list_warns_the_secretary_of_a_missing_deputy(client, org, secretary):
    ClusterMembershipFactory(
        cluster=ClusterFactory(year=2025, name="Cụm số 9"), unit=org.branch_a, role="leader"
    )
    client.force_login(secretary)

    response = client.get(reverse("units:cluster-list"), {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en")

    assert "Cụm số 9 has no deputy unit." in html_of(response)


def test_cluster_list_with_a_bad_year_falls_back_without_error(client, org, leader):
    ClusterFactory(year=2025, name="Cụm 2025")
    client.force_login(leader)

    html = html_of(client.get(reverse("units:cluster-list"), {"year": "abc"}))

    assert "Cụm 2025" in html


def test_staff_list_filters_by_unit_subtree_gender_and_search(client, org, secretary):
    StaffFactory(unit=org.office_a, full_name="Trần Thị Hoa", gender="female")
    StaffFactory(unit=org.office_a, full_name="Lê Văn Nam", gender="male")
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương", gender="female")
    client.force_login(secretary)

    by_unit = html_of(client.get(reverse("units:staff-list"), {"unit": org.branch_a.pk, "gender": "female"}))
    by_name = html_of(client.get(reverse("units:staff-list"), {"q": "pham thi huong"}))

    assert "Trần Thị Hoa" in by_unit
    assert "Lê Văn Nam" not in by_unit
    assert "Phạm Thị Hương" not in by_unit
    assert "Phạm Thị Hương" in by_name
    assert "Trần Thị Hoa" not in by_name


def test_staff_list_pages_fifty_at_a_time(client, org, secretary):
    StaffFactory.create_batch(55, unit=org.office_a)
    client.force_login(secretary)

    first = client.get(reverse("units:staff-list"))
    second = client.get(reverse("units:staff-list"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5


def test_staff_list_for_unit_officer_excludes_other_units(client, org, unit_officer):
    StaffFactory(unit=org.office_b, full_name="Phạm Thị Hương")
    client.force_login(unit_officer)

    html = html_of(client.get(reverse("units:staff-list")))
    # Asking for a foreign unit in the filter is an invalid choice, not a leak.
    foreign = html_of(client.get(reverse("units:staff-list"), {"unit": org.branch_b.pk}))

    assert "Phạm Thị Hương" not in html
    assert "Phạm Thị Hương" not in foreign


def test_staff_list_is_forbidden_to_committee_members(client, org, committee_member):
    client.force_login(committee_member)

    assert client.get(reverse("units:staff-list")).status_code == 403


def test_staff_detail_of_another_unit_is_404(client, org, unit_officer):
    own = StaffFactory(unit=org.office_a)
    other = StaffFactory(unit=org.office_b)
    client.force_login(unit_officer)

    assert client.get(reverse("units:staff-detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("units:staff-detail", kwargs={"pk": other.pk})).status_code == 404


def grow_organisation(org, branches: int) -> None:
    """Add branches, each with two offices, staff and a cluster membership."""
    cluster = ClusterFactory(year=2025)
    for index in range(branches):
        branch = UnitFactory(code=f"X{index}", kind="branch", parent=org.dept)
        ClusterMembershipFactory(cluster=cluster, unit=branch, role="leader" if index == 0 else "member")
        for office_index in range(2):
            office = UnitFactory(code=f"X{index}-{office_index}", parent=branch)
            StaffFactory.create_batch(3, unit=office)


@pytest.mark.parametrize("branches", [1, 3])
def test_cluster_list_query_count_does_not_grow(client, org, secretary, django_assert_num_queries, branches):
    grow_organisation(org, branches)
    client.force_login(secretary)

    # session, user, roles, years, clusters, memberships with units, units it may open, problems (2)
    with django_assert_num_queries(9):
        response = client.get(reverse("units:cluster-list"), {"year": 2025})

    assert response.status_code == 200

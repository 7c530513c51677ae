"""The unit tree level by level: what each role sees, expanding with htmx or a plain link, paging,
search as a flat list with the names above each unit, and costs that do not grow with the tree."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TREE = reverse("units:unit-list")


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def children_url(unit) -> str:
    return reverse("units:unit-children", kwargs={"pk": unit.pk})


def test_tree_opens_on_the_department_and_its_first_level_only(client, org, secretary):
    client.force_login(secretary)

    html = html_of(client.get(TREE, HTTP_ACCEPT_LANGUAGE="en"))

    for unit in (org.dept, org.branch_a, org.branch_b):
        assert unit.name in html
    assert org.office_a.name not in html
    assert org.office_b.name not in html
    assert "2 units below" in html  # the department's branch
    assert html.count("1 unit below") == 2  # each branch's office, counted, not shown


def test_tree_branch_link_opens_the_level_with_and_without_javascript(client, org, secretary):
    client.force_login(secretary)
    html = html_of(client.get(TREE))

    # The same link: htmx fetches the fragment, a browser without JavaScript opens the level page.
    assert f'href="{TREE}?parent={org.branch_a.pk}"' in html
    assert f'hx-get="{children_url(org.branch_a)}"' in html
    fragment = html_of(client.get(children_url(org.branch_a), HTTP_HX_REQUEST="true"))
    page = html_of(client.get(TREE, {"parent": org.branch_a.pk}))

    assert org.office_a.name in fragment
    assert org.office_b.name not in fragment
    assert "<html" not in fragment
    assert org.office_a.name in page
    assert org.office_b.name not in page
    assert f'href="{TREE}?parent={org.dept.pk}"' in page  # the breadcrumb back up


def test_tree_officer_starts_at_its_own_unit_and_sees_nothing_above(client, org, unit_officer):
    client.force_login(unit_officer)

    top = html_of(client.get(TREE))
    level = html_of(client.get(TREE, {"parent": org.branch_a.pk}))

    assert org.branch_a.name in top
    assert org.office_a.name in top  # its own unit's level is open
    assert org.dept.name not in top
    assert org.branch_b.name not in top
    assert org.dept.name not in level  # no breadcrumb through units outside its scope


@pytest.mark.parametrize("unit_name", ["branch_b", "office_b", "dept"])
def test_tree_levels_outside_the_officers_scope_are_404(client, org, unit_officer, unit_name):
    unit = getattr(org, unit_name)
    client.force_login(unit_officer)

    assert client.get(children_url(unit)).status_code == 404
    assert client.get(TREE, {"parent": unit.pk}).status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999"])
def test_tree_level_with_a_bad_parent_is_404_not_500(client, org, secretary, bad):
    client.force_login(secretary)

    assert client.get(TREE, {"parent": bad}).status_code == 404


def test_tree_pages_a_long_level_and_appends_the_next_page(client, org, secretary):
    for index in range(55):
        UnitFactory(code=f"KV1-X{index:02d}", name=f"Đội số {index:02d}", parent=org.branch_a)
    client.force_login(secretary)

    first = html_of(client.get(children_url(org.branch_a)))
    second = html_of(client.get(children_url(org.branch_a), {"page": 2}))
    second_page = html_of(client.get(TREE, {"parent": org.branch_a.pk, "page": 2}))

    assert first.count('data-testid="unit-node"') == 50
    assert f'hx-get="{children_url(org.branch_a)}?page=2"' in first
    assert f'href="{TREE}?parent={org.branch_a.pk}&amp;page=2"' in first
    # The appended rows are list items only: no second <details> around them.
    assert second.count('data-testid="unit-node"') == 6
    assert "<details" not in second
    assert 'data-testid="unit-more"' not in second
    assert second_page.count('data-testid="unit-node"') == 6
    assert "Đội số 54" in second_page
    assert f"?parent={org.branch_a.pk}&amp;page=1" in second_page


def test_tree_leaves_out_closed_units_unless_asked(client, org, secretary):
    UnitFactory(
        code="KV1-OLD", name="Đội đã giải thể", parent=org.branch_a, valid_to=datetime.date(2000, 1, 1)
    )
    client.force_login(secretary)

    active = html_of(client.get(children_url(org.branch_a), HTTP_ACCEPT_LANGUAGE="en"))
    everything = html_of(client.get(children_url(org.branch_a), {"inactive": 1}, HTTP_ACCEPT_LANGUAGE="en"))
    top = html_of(client.get(TREE, {"inactive": 1}))

    assert "Đội đã giải thể" not in active
    assert "1 unit below" in active
    assert "Đội đã giải thể" in everything
    assert "2 units below" in everything
    assert f'hx-get="{children_url(org.branch_a)}?inactive=1"' in top


def test_tree_search_is_a_flat_list_with_the_units_above(client, org, secretary):
    client.force_login(secretary)

    html = html_of(client.get(TREE, {"q": "noi bai"}))

    assert org.office_a.name in html
    assert f"{org.dept.name} › {org.branch_a.name}" in html
    assert org.office_b.name not in html


def test_tree_search_shows_an_officer_no_name_above_its_scope(client, org, unit_officer):
    client.force_login(unit_officer)

    html = html_of(client.get(TREE, {"q": "hai quan"}))

    assert org.office_a.name in html
    assert org.branch_a.name in html
    assert org.dept.name not in html
    assert org.branch_b.name not in html


def test_tree_search_pages_its_results_keeping_the_query(client, org, secretary):
    for index in range(55):
        UnitFactory(code=f"KV1-X{index:02d}", name=f"Tổ công tác {index:02d}", parent=org.branch_a)
    client.force_login(secretary)

    first = client.get(TREE, {"q": "cong tac"}, HTTP_ACCEPT_LANGUAGE="en")
    second = html_of(client.get(TREE, {"q": "cong tac", "page": 2}))

    assert len(first.context["matches"]) == 50
    assert "1–50 of 55" in html_of(first)
    assert 'href="?q=cong+tac&amp;page=2"' in html_of(first)
    assert "Tổ công tác 54" in second
    assert "Tổ công tác 00" not in second


def grow_level(parent, start: int, stop: int) -> None:
    """Units numbered start..stop-1 below `parent`, each with one unit below it."""
    for index in range(start, stop):
        unit = UnitFactory(code=f"G{index:04d}", name=f"Chi cục tăng thêm {index:04d}", parent=parent)
        UnitFactory(code=f"G{index:04d}-1", name=f"Đội tăng thêm {index:04d}", parent=unit)


def measure_tree(client, org, django_assert_num_queries) -> dict[str, int]:
    """HTML size of the tree's three views, each in a fixed number of queries."""
    # session, user, roles (navigation); roots counted (capped) and read with child counts;
    # the department's first level counted (capped) and read with child counts
    with django_assert_num_queries(7):
        top = html_of(client.get(TREE))
    # session, user, roles; the parent; its level counted (capped) and read
    with django_assert_num_queries(6):
        fragment = html_of(client.get(children_url(org.dept)))
    # session, user, roles; matches counted (capped) and read; the names above them
    with django_assert_num_queries(6):
        search = html_of(client.get(TREE, {"q": "tang them"}))
    assert top.count('data-testid="unit-node"') == 51  # the department and 50 units below it
    assert fragment.count('data-testid="unit-node"') == 50
    assert search.count('<li class="list-group-item">') == 50
    return {"top": len(top), "fragment": len(fragment), "search": len(search)}


def test_tree_query_count_and_page_size_stay_the_same_with_five_times_the_units(
    client, org, secretary, django_assert_num_queries
):
    grow_level(org.dept, 0, 60)
    client.force_login(secretary)
    client.get(TREE)  # warm the session
    small = measure_tree(client, org, django_assert_num_queries)

    grow_level(org.dept, 60, 300)
    large = measure_tree(client, org, django_assert_num_queries)

    for view, size in large.items():
        assert size < 150_000
        assert abs(size - small[view]) < 2_000, view  # a few digits more in counts and ids

"""Pages without a full count (core.paging): the page asked for, the cap, pages past the end."""

import pytest

from core.paging import capped_page
from tests.factories import UnitFactory
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_units(db):
    for index in range(12):
        UnitFactory(code=f"P{index:02d}")
    return Unit.objects.order_by("code")


@pytest.mark.parametrize("raw", [None, "", "abc", "0", "-3", "1.5"])
def test_paging_reads_the_first_page_for_anything_but_a_positive_number(twelve_units, raw):
    page = capped_page(twelve_units, raw, size=5)

    assert page.number == 1
    assert [unit.code for unit in page] == ["P00", "P01", "P02", "P03", "P04"]


def test_paging_under_the_cap_knows_the_total_and_shows_the_last_page_for_one_past_it(twelve_units):
    page = capped_page(twelve_units, "9", size=5, cap=20)

    assert (page.total, page.num_pages, page.number) == (12, 3, 3)
    assert [unit.code for unit in page] == ["P10", "P11"]
    assert not page.has_next
    assert (page.start_index, page.end_index) == (11, 12)


def test_paging_over_the_cap_counts_no_further_and_still_knows_the_next_page(
    twelve_units, django_assert_num_queries
):
    with django_assert_num_queries(2):
        page = capped_page(twelve_units, "2", size=5, cap=6)

    assert page.total is None
    assert page.num_pages is None
    assert page.has_next
    assert [unit.code for unit in page] == ["P05", "P06", "P07", "P08", "P09"]

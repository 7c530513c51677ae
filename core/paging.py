"""Pages of a list whose cost does not grow with the table: no COUNT over every matching row.

Django's Paginator counts every matching row on each request to number the last page; on a list
that grows with the data that count grows with it. `capped_page` reads one page of rows plus one
(to know whether a next page exists) and counts at most `cap` + 1 matching rows, so a page costs
the same whether the table holds a thousand rows or a million. Below the cap the total is exact;
above it the page says "more than <cap>" and offers the next page without a last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

DEFAULT_PAGE_SIZE = 50
DEFAULT_COUNT_CAP = 1000


@dataclass(frozen=True)
class CappedPage:
    """One page of rows, its place in the list and the total when it is known."""

    object_list: Sequence[Any]
    number: int
    size: int
    has_next: bool
    total: int | None  # None: more than `cap` rows match
    cap: int

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        """1-based position of the first row shown (0 for an empty page)."""
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the total is known, else None."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))


def page_number(raw: str | None) -> int:
    """The page asked for in the URL: a positive integer, 1 for anything else."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return number if number >= 1 else 1


def capped_page(
    queryset: QuerySet[Any],
    raw_number: str | None,
    *,
    size: int = DEFAULT_PAGE_SIZE,
    cap: int = DEFAULT_COUNT_CAP,
    total: int | None = None,
) -> CappedPage:
    """Read one page of an ordered queryset in two queries at most, whatever the table's size.

    `total` may be passed when the caller already knows it (the child count of a tree node);
    otherwise at most `cap` + 1 rows are counted. A page beyond the last known one shows the last.
    """
    number = page_number(raw_number)
    if total is None:
        counted = queryset[: cap + 1].count()
        total = counted if counted <= cap else None
    if total is not None:
        last = max(1, -(-total // size))
        number = min(number, last)
    # Above the cap a page past the end reads no rows: the page says so and links back.
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return CappedPage(
        object_list=rows[:size],
        number=number,
        size=size,
        has_next=len(rows) > size,
        total=total,
        cap=cap,
    )


def query_without(params: QueryDict, *names: str) -> str:
    """The URL's query string without the named parameters (links that replace them)."""
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def query_without_page(params: QueryDict) -> str:
    """The URL's query string without `page`, for the links to other pages of the same list."""
    return query_without(params, "page")

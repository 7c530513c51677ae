"""A crawl of the demo site: every demo role follows the links it is shown (GET only, bounded).

The project's own demo (`manage.py seed_demo`, scale 1, seed 2021) is seeded once for the module
with the clock frozen on CRAWL_DAY, inside an outer transaction rolled back after the last test
(each role's crawl runs in its own savepoint on top, so a GET that writes leaves nothing behind).
Each role starts from the home page and its menu and follows every same-site `<a href>` of the
pages it reaches. The crawl fails on any 5xx answer, and on any link shown to a role that answers
4xx to that role: a page must not offer what its reader cannot open.

Bounds, so that it runs in the normal suite: an address is fetched once per role; from each page
at most CAP_PER_PATTERN links per route and set of query parameters are fetched (three pledges of
a list, three `?period=` variants of the rankings), and the links of at most CAP_PER_PATTERN
pages per route are followed further. The administrator (a superuser, holding every role) gets a
cap of one, and the admin site is walked one page per model and action (fetched once, whichever
page links it), without its sorting and filter links. Downloads (exports, evidence and dossier files) are fetched once per route and
format. Logout, the language switch and the eligibility workbook are not fetched (they end the
session, or judge every person of a year; their own tests cover them).

`pytest -m crawl` runs only this; `-m "not crawl"` leaves it out.
"""

import datetime
import io
import time
import zoneinfo
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from config.navigation import navigation_for
from tests.figures import record
from units.demo import DEMO_USERS
from units.enums import Role

pytestmark = pytest.mark.crawl

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# Seeding and crawling happen on this day: the demo's 2026 period is then in its pledging phase.
CRAWL_DAY = datetime.datetime(2026, 12, 7, 10, tzinfo=HCM)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CAP_PER_PATTERN = 3
# Never fetched: they end the session or switch the language, or (the eligibility workbook)
# judge every person of a year, seconds per request.
SKIPPED_VIEWS = {"logout", "admin:logout", "set_language", "awards:eligibility-export"}
# Downloads: whether the role may have them is the point, not how many; one of each is fetched.
FETCHED_ONCE = {
    "units:unit-export",
    "units:staff-export",
    "emulation:period-scores-export",
    "emulation:dashboard-progress-export",
    "emulation:dashboard-targets-export",
    "emulation:ranking-export",
    "emulation:evidence-file",
    "awards:nomination-document-file",
    "awards:decision-file",
}
# Besides the first demo login of every role (the administrator is the superuser): the second
# unit officer, and a committee member working in a branch, whose scope and conflicts of
# interest differ from the first ones'.
SECOND_LOOKS = ["donvi2", "hoidong5"]

Pattern = tuple[str, tuple[str, ...]]


def role_logins() -> list[str]:
    first: dict[str | None, str] = {}
    for username, _label, role, *_rest in DEMO_USERS:
        first.setdefault(role, username)
    return [*first.values(), *SECOND_LOOKS]


# --- the crawler -----------------------------------------------------------------------------------


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


def same_site(page: str, href: str) -> str | None:
    """An href of `page` as an absolute path without fragment, or None when it leaves the site."""
    absolute, _fragment = urldefrag(urljoin(page, href))
    parts = urlsplit(absolute)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None  # another site, mailto:, tel:
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links_of(page: str, html: str) -> list[str]:
    """The same-site addresses a page links to."""
    parser = LinkParser()
    parser.feed(html)
    return [link for href in parser.hrefs if (link := same_site(page, href)) is not None]


def pattern_of(url: str) -> Pattern | None:
    """(route name, query parameter names), or None for an address Django does not serve."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))
    return match.view_name, keys


def is_admin(pattern: Pattern) -> bool:
    return pattern[0].startswith("admin:")


def is_followed(link: str, pattern: Pattern) -> bool:
    if pattern[0] in SKIPPED_VIEWS:
        return False
    # The admin's sorting and filter links show the same pages again.
    return not (is_admin(pattern) and urlsplit(link).query)


def file_prefixes() -> tuple[str, ...]:
    """Static files and media: addresses outside the URL configuration, not pages."""
    return tuple("/" + prefix.lstrip("/") for prefix in (settings.STATIC_URL, settings.MEDIA_URL))


@dataclass
class Crawl:
    """What one role's crawl met: pages fetched, answers by status, and what went wrong."""

    fetched: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    dead_links: list[str] = field(default_factory=list)


def crawl(client: Client, start: list[str], *, cap: int = CAP_PER_PATTERN) -> Crawl:
    """Fetch, breadth first from `start`, the links each page shows, within the bounds above.

    A page's links are fetched up to `cap` per route *from that page*, so that a list's dead
    links show even when other pages have used the route's quota; the links of at most `cap`
    pages per route are followed further.
    """

    def once(pattern: Pattern) -> bool:
        # The admin has a page per model and action; one of each shows that its templates work.
        return is_admin(pattern) or pattern[0] in FETCHED_ONCE

    def cap_of(pattern: Pattern) -> int:
        return 1 if once(pattern) else cap

    result = Crawl()
    queue: deque[tuple[str, str]] = deque((url, "(start)") for url in start)
    seen = set(start)
    explored: Counter = Counter()
    fetched_once: Counter = Counter()
    while queue:
        url, shown_on = queue.popleft()
        response = client.get(url)
        # Reading a download to the end closes its file; response.close() would also fire
        # request_finished, which closes the test's database connection.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        result.fetched += 1
        result.statuses[response.status_code] += 1
        where = f"{url} ({response.status_code}, linked from {shown_on})"
        if response.status_code >= 500:
            result.server_errors.append(where)
            continue
        if response.status_code >= 400:
            result.dead_links.append(where)
            continue
        pattern = pattern_of(url)
        if pattern is None or explored[pattern] >= cap_of(pattern):
            continue
        explored[pattern] += 1
        if response.status_code in (301, 302, 303, 307, 308):
            found = [link] if (link := same_site(url, response["Location"])) else []
        elif "text/html" in response.get("Content-Type", ""):
            found = links_of(url, content.decode())
        else:
            continue  # a download: fetched, nothing to follow
        from_here: Counter = Counter()
        for link in found:
            if link in seen:
                continue
            link_pattern = pattern_of(link)
            if link_pattern is None:
                if not link.startswith(file_prefixes()):
                    seen.add(link)
                    result.dead_links.append(f"{link} (no such address, linked from {url})")
                continue
            if not is_followed(link, link_pattern) or from_here[link_pattern] >= cap_of(link_pattern):
                continue
            if once(link_pattern) and fetched_once[link_pattern]:
                continue
            from_here[link_pattern] += 1
            fetched_once[link_pattern] += once(link_pattern)
            seen.add(link)
            queue.append((link, url))
    return result


def described(lines: list[str]) -> str:
    shown = "\n".join(lines[:40])
    return shown + (f"\n… and {len(lines) - 40} more" if len(lines) > 40 else "")


# --- the crawler finds what it is for ----------------------------------------------------------------


@override_settings(ROOT_URLCONF="tests.crawl_site")
def test_crawler_reports_crashes_dead_links_and_unknown_addresses():
    client = Client(raise_request_exception=False)

    result = crawl(client, ["/"])

    assert result.server_errors == ["/crash/ (500, linked from /)"]
    assert sorted(result.dead_links) == [
        "/hidden/ (404, linked from /)",
        "/hidden/2/ (404, linked from /moved/)",
        "/nowhere/ (no such address, linked from /)",
    ]
    # the home page, /ok/ once (its fragment is the same page), /crash/, /hidden/, /moved/ and
    # where it leads, /away/; never /logout/, the other site or the static file
    assert result.fetched == 7


def test_crawl_starts_with_every_role_of_the_demo():
    by_login = {username: role for username, _label, role, *_rest in DEMO_USERS}

    assert {by_login[username] for username in role_logins()} == {None, *Role.values}


# --- the demo crawl ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo seeded once, on CRAWL_DAY, inside an outer transaction rolled back at the end.

    The clock stays on CRAWL_DAY while the roles crawl, so what pages offer (phases, deadlines)
    never depends on the day the suite runs.
    """
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with (
            time_machine.travel(CRAWL_DAY, tick=False),
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        ):
            call_command("seed_demo", stdout=io.StringIO())
            yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("username", role_logins())
def test_crawl_every_page_a_role_is_shown_opens(demo_site, username):
    user = get_user_model().objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    menu = [link["url"] for entry in navigation_for(user, None) for link in entry.get("children", [entry])]
    started = time.monotonic()

    # The superuser holds every role: its application pages are the ones the other roles crawl
    # more deeply, so one page per route is enough for it, and the time goes to the admin site.
    result = crawl(client, list(dict.fromkeys(["/", *menu])), cap=1 if user.is_superuser else CAP_PER_PATTERN)

    record(f"crawl: pages fetched as {username}", result.fetched)
    record("crawl: pages fetched", result.fetched)
    record("crawl: roles crawled")
    record("crawl: answers 5xx", len(result.server_errors))
    record("crawl: dead links", len(result.dead_links))
    record("crawl: seconds crawling (wall clock, without the seeding)", round(time.monotonic() - started))
    assert result.server_errors == [], "pages that crash:\n" + described(result.server_errors)
    assert result.dead_links == [], "links the role cannot open:\n" + described(result.dead_links)
    assert result.statuses[200] > 1

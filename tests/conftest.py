"""Shared fixtures: the clock, the Celery app in eager mode, and one persona per role."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from config.celery import app as celery_app
from tests.factories import TEST_PASSWORD, StaffFactory, UnitFactory, UserFactory
from tests.figures import FIGURES
from units.enums import Role


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="YYYY-MM-DD[THH:MM]",
        help="start every test's clock at this local date and time (Asia/Ho_Chi_Minh), running on "
        "from there, to show the suite does not depend on today's date",
    )


def pytest_configure(config):
    """With --clock, the whole run (database set-up, fixtures of every scope, tests) happens as if
    started at that moment; the clock keeps ticking, and a test that travels elsewhere with
    time_machine nests inside it."""
    value = config.getoption("--clock")
    if value:
        start = datetime.datetime.fromisoformat(value)
        if start.tzinfo is None:
            start = start.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
        config._clock = time_machine.travel(start, tick=True)
        config._clock.start()


def pytest_unconfigure(config):
    if getattr(config, "_clock", None) is not None:
        config._clock.stop()


def pytest_report_header(config):
    if config.getoption("--clock"):
        return f"clock: every test starts at {config.getoption('--clock')} (Asia/Ho_Chi_Minh)"
    return None


def pytest_sessionfinish(session, exitstatus):
    """Delete every Redis key this run wrote (its prefix is unique to the run: tests/settings.py)."""
    prefix = getattr(settings, "REDIS_KEY_PREFIX", "")
    if not (settings.REDIS_URL and prefix):
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FIGURES:
        terminalreporter.section("robustness figures")
        for name, amount in sorted(FIGURES.items()):
            terminalreporter.write_line(f"{name}: {amount}")


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded files of the whole test run go to a temporary folder, never to var/media."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process, errors propagating, except in the tests that start a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests log in often; a fast hasher keeps the suite quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """Login throttling is tested on its own (tests/test_accounts.py); elsewhere client.login()
    authenticates without a request, which django-axes would refuse."""
    settings.AXES_ENABLED = False


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def org(db):
    """A small tree: department > branches A and B > one office each.

    dept
    ├── branch_a ── office_a
    └── branch_b ── office_b
    """

    class Org:
        dept = UnitFactory(code="DEPT", name="Cục Hải quan", kind="department", is_legal_entity=True)
        branch_a = UnitFactory(code="KV1", name="Chi cục Hải quan khu vực I", kind="branch", parent=dept)
        branch_b = UnitFactory(code="KV2", name="Chi cục Hải quan khu vực II", kind="branch", parent=dept)
        office_a = UnitFactory(
            code="KV1-01", name="Hải quan cửa khẩu Nội Bài", kind="border_office", parent=branch_a
        )
        office_b = UnitFactory(code="KV2-01", name="Đội Kiểm soát Hải quan", kind="office", parent=branch_b)

    return Org


def make_persona(username: str, roles: list[str], unit) -> object:
    user = UserFactory(username=username, roles=roles)
    StaffFactory(user=user, unit=unit, full_name=f"Cán bộ {username}")
    return user


@pytest.fixture
def unit_officer(org):
    """The emulation officer of branch A (sees branch A and office A)."""
    return make_persona("officer", [Role.UNIT_OFFICER], org.branch_a)


@pytest.fixture
def other_unit_officer(org):
    """The emulation officer of branch B: the stranger for branch A's data."""
    return make_persona("officer_b", [Role.UNIT_OFFICER], org.branch_b)


@pytest.fixture
def committee_member(org):
    """A committee member working in branch B: in conflict with branch B, its office and the department."""
    return make_persona("member", [Role.COMMITTEE_MEMBER], org.branch_b)


@pytest.fixture
def secretary(db):
    return UserFactory(username="secretary", roles=[Role.COMMITTEE_SECRETARY])


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", roles=[Role.LEADER])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)

"""Browser journeys: Playwright driving the machine's Chromium against pytest-django's live server."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.axe import AXE_SCRIPT, AxeAudit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        # In CI a missing browser is a broken setup, never a quiet skip.
        raise pytest.UsageError(f"CI: no Chromium at {CHROMIUM}; .ci/run installs it")
    reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def _async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM must still be usable."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser, live_server):
    """A page in a fresh vi-VN context; every document it shows is checked by axe-core (axe.py),
    and the test fails on a serious or critical violation. The results, per URL, are written to
    test-artifacts/axe/<test>.json."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", base_url=live_server.url)
    context.set_default_timeout(15_000)
    context.add_init_script(path=AXE_SCRIPT)
    browser_page = context.new_page()
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_page.console_errors = errors
    audit = AxeAudit(label=re.sub(r"[^\w.-]+", "_", request.node.name))
    audit.attach(browser_page)
    browser_page.axe = audit
    yield browser_page
    audit.check(browser_page)
    context.close()
    audit.write(ARTIFACTS / "axe")
    if audit.failures():
        pytest.fail(f"axe-core: serious or critical violations\n{audit.summary()}", pytrace=False)


@pytest.fixture
def login(page, password):
    """login(user) signs the user in through the real login form."""

    def _login(user):
        page.goto("/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/")
        return page

    return _login


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def award_catalogue(transactional_db):
    """The award catalogue and rule sets of the data migrations: a journey run after another one
    finds them flushed away, so they are loaded again when missing."""
    import importlib

    from django.apps import apps

    if not apps.get_model("awards", "AwardType").objects.exists():
        importlib.import_module("awards.migrations.0002_award_catalogue").load_catalogue(apps, None)
    if not apps.get_model("awards", "RuleSet").objects.exists():
        importlib.import_module("awards.migrations.0003_rule_sets").load_rule_sets(apps, None)
        importlib.import_module("awards.migrations.0005_rule_sets_recused_members").add_parameter(apps, None)

"""The accessibility check of the browser tests finds what it is there to find."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAULTY_PAGE = """<!doctype html><html lang="vi"><head><title>Thử</title></head><body><main>
<p style="color:#91b0ca;background:#0b4f8a">Trang chủ</p>
<label for="id_year">Năm</label><input id="id_year"><input id="id_year">
</main></body></html>"""


def test_axe_check_reports_low_contrast_and_a_repeated_id_by_url(page, live_server):
    page.route("**/axe-probe/", lambda route: route.fulfill(content_type="text/html", body=FAULTY_PAGE))

    page.goto("/axe-probe/")
    page.axe.check(page)
    failures = page.axe.failures()
    page.axe.results.clear()  # the probe's faults are meant: they must not fail this test too

    assert list(failures) == ["/axe-probe/ [vi, 1280px]"]
    assert {v["id"] for v in failures["/axe-probe/ [vi, 1280px]"]} == {"color-contrast", "repeated-id"}

"""Smoke test of `make bench` (bench/): one short run at scale 1. No timing is asserted, ever.

It checks that the benchmark still runs against the application as it is now: the table has its
rows, the ratios are numbers, the floor query ranks like the service, every main page answers,
and the short page load sees no error and no unexpected status. The bench refuses SQLite, so the
test needs DATABASE_URL (PostgreSQL) and REDIS_URL; the load part needs wrk (Debian package).
The bench works in a database of its own beside DATABASE_URL's, test_<name>_bench_1, reused
while its seed matches.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from bench import data, report
from bench.common import Config, ratio
from bench.run import run_bench

pytestmark = pytest.mark.skipif(
    urlsplit(os.environ.get("DATABASE_URL", "")).scheme not in ("postgres", "postgresql")
    or not os.environ.get("REDIS_URL"),
    reason="the bench runs on PostgreSQL and Redis only (set DATABASE_URL and REDIS_URL)",
)
HAS_WRK = shutil.which("wrk") is not None
NUMERIC = (int, float)


@pytest.fixture(scope="module")
def bench():
    base = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") or "emulation"
    cfg = Config(
        scales=(1,),
        reps=1,
        load_seconds=2,
        load_rounds=1,
        warmup_seconds=1,
        connections=4,
        load=HAS_WRK,
        celery=False,
        profile=False,
        pages=("floor", "ranking", "pledge_post"),
        write_results=False,
        prefix=f"test_{base}_bench",
    )
    try:
        yield run_bench(cfg, log=lambda _message: None)
    finally:
        data.drop(cfg, 1)  # the run leaves no database and no file behind


def test_bench_table_has_a_row_for_every_measurement(bench):
    results, rows, text = bench

    measurements = [row.measurement for row in rows]
    assert results["failures"] == []
    assert "Ranking compile, one period (final, full rewrite)" in measurements
    assert any(name.startswith("Eligibility") for name in measurements)
    assert "Reminder run (plan + send) per 1,000" in measurements
    assert "Query count of every main page" in measurements
    assert "Queries issued while a template renders" in measurements
    assert all(row.result in {report.PASS, report.MISS, report.REPORT, report.PENDING} for row in rows)
    assert "| measurement | scale | measured (median) |" in text
    assert "## Machine" in text


def test_bench_ratios_are_numbers(bench):
    results, _rows, _text = bench

    ranking = results["compile"][1]
    reminders = results["reminders"][1]
    assert isinstance(ratio(ranking["compile_s"], ranking["floor_s"]), NUMERIC)
    assert ranking["floor_matches_service"] is True
    assert ranking["entries"] > 0
    assert isinstance(reminders["per_1000_s"], NUMERIC)
    assert reminders["reminders"] > 0
    assert reminders["failed"] == 0
    assert reminders["undelivered"] == 0
    eligibility = results["eligibility"][1]
    if eligibility["status"] == "measured":
        assert isinstance(eligibility["per_10000_s"], NUMERIC)
        assert isinstance(eligibility["queries"], int)


def test_bench_query_counts_cover_the_main_pages(bench):
    results, _rows, _text = bench

    pages = results["queries"][1]["pages"]
    answered = {key: page for key, page in pages.items() if page["status"] != "absent"}
    assert {"dashboard", "ranking-list", "scoring-form", "pledge-edit"} <= set(answered)
    assert all(200 <= page["status"] < 400 for page in answered.values())
    assert all(isinstance(page["queries"], int) and page["queries"] > 0 for page in answered.values())


@pytest.mark.skipif(not HAS_WRK, reason="the page load needs wrk (Debian package wrk)")
def test_bench_load_answers_without_errors(bench):
    results, _rows, _text = bench

    pages = results["load"]["pages"]
    assert set(pages) == {"floor", "ranking", "pledge_post"}
    assert all(page["errors"] == 0 and page["unexpected"] == 0 for page in pages.values())
    assert all(page["requests"] > 0 for page in pages.values())
    assert pages["pledge_post"]["saved"] > 0
    assert isinstance(pages["ranking"]["ratio"], NUMERIC)
    assert results["load"]["worker_peak_kib"] > 0

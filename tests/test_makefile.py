"""Makefile targets that guard against a silent misconfiguration, run as a person would run them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed here")


def _make(*arguments: str, redis_url: str | None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    environment.pop("REDIS_URL", None)
    if redis_url is not None:
        environment["REDIS_URL"] = redis_url
    return subprocess.run(
        [shutil.which("make"), "--no-print-directory", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("target", ["worker", "beat"])
@pytest.mark.parametrize("redis_url", [None, ""], ids=["unset", "empty"])
def test_makefile_celery_targets_refuse_to_start_without_redis(target, redis_url):
    result = _make(target, redis_url=redis_url)

    assert result.returncode == 2
    assert f"make {target}: REDIS_URL is not set" in result.stderr
    assert "celery" not in result.stdout


@pytest.mark.parametrize("target", ["worker", "beat"])
def test_makefile_celery_targets_start_celery_when_redis_is_set(target):
    # --dry-run prints the commands without running them: the guard lets the target through.
    result = _make("--dry-run", target, redis_url="redis://127.0.0.1:6379/9")

    assert result.returncode == 0, result.stderr
    assert f"/bin/celery -A config {target} " in result.stdout

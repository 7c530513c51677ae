"""The developer tooling is wired as documented: make lint runs every checker, pre-commit needs no download."""

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _make_target(name: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert match, name
    return [line.strip() for line in match.group(1).splitlines()]


def test_tooling_make_lint_runs_ruff_mypy_and_djlint_in_lint_mode():
    recipe = _make_target("lint")

    assert recipe == [
        "$(VENV)/bin/ruff check .",
        "$(VENV)/bin/ruff format --check .",
        "$(VENV)/bin/mypy",
        "$(VENV)/bin/djlint templates --lint",
    ]


def test_tooling_mypy_is_strict_on_the_eligibility_engine_and_the_spreadsheet_writer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    strict = next(item for item in config["overrides"] if "awards.eligibility" in item["module"])
    skipped = {
        module for item in config["overrides"] if item.get("ignore_errors") for module in item["module"]
    }

    assert config["plugins"] == ["mypy_django_plugin.main"]
    assert set(config["files"]) == {"config", "core", "units", "emulation", "awards"}
    assert "core.spreadsheets" in strict["module"]
    assert config["check_untyped_defs"] is False
    assert config["ignore_missing_imports"] is True
    assert strict["disallow_untyped_defs"] is True
    assert strict["check_untyped_defs"] is True
    assert not {module for module in skipped if module.startswith(("awards.eligibility", "core."))}


def test_tooling_djlint_ignores_only_the_documented_rules():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    ignored = tomllib.loads(text)["tool"]["djlint"]["ignore"].split(",")

    for rule in ignored:
        assert re.search(rf"^#\s+{rule} ", text, re.M), f"{rule} is ignored without a reason"


@pytest.fixture(scope="module")
def hooks() -> list[dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_tooling_pre_commit_hooks_use_the_project_virtualenv(hooks):
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))

    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {hook["language"] for hook in hooks} == {"system"}
    assert {hook["id"] for hook in hooks} == {"ruff-check", "ruff-format", "missing-migrations"}
    for hook in hooks:
        assert ".venv/bin/" in hook["entry"]


def test_tooling_pre_commit_migration_check_runs_for_model_changes_only(hooks):
    pattern = next(hook for hook in hooks if hook["id"] == "missing-migrations")["files"]

    assert "makemigrations --check" in next(h for h in hooks if h["id"] == "missing-migrations")["entry"]
    for path in (
        "units/models.py",
        "emulation/models/scoring.py",
        "awards/migrations/0003_x.py",
        "units/enums.py",
    ):
        assert re.search(pattern, path), path
    for path in ("units/views/pages.py", "README.md", "templates/base.html"):
        assert not re.search(pattern, path), path


def test_tooling_pre_commit_configuration_is_valid():
    pre_commit = ROOT / ".venv" / "bin" / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed in .venv (make lint installs it)")

    result = subprocess.run(
        [str(pre_commit), "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_tooling_djlint_passes_on_the_templates():
    djlint = shutil.which("djlint", path=str(ROOT / ".venv" / "bin"))
    if djlint is None:
        pytest.skip("djlint is not installed in .venv (make lint installs it)")

    result = subprocess.run(
        [djlint, "templates", "--lint"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )

    assert result.returncode == 0, result.stdout[-3000:]

"""The lock files pin every requirement, with hashes, at the version the human-edited lists ask for."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def _lock_entries(path: Path) -> dict[str, str]:
    """Each pinned package of a lock file with the text of its entry (the pin and its hash lines)."""
    entries: dict[str, str] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = _normalise(match.group(1))
            entries[current] = line
        elif current and line.startswith("    --hash="):
            entries[current] += "\n" + line
        else:
            current = None
    return entries


LISTS = [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]


@pytest.mark.parametrize(("listed", "locked"), LISTS)
def test_requirements_every_listed_package_is_locked_at_its_version(listed, locked):
    wanted = _pins(ROOT / listed)
    pinned = _pins(ROOT / locked)

    assert len(wanted) >= 10
    assert {name: pinned.get(name) for name in wanted} == wanted


@pytest.mark.parametrize("locked", ["requirements.lock", "requirements-dev.lock"])
def test_requirements_every_locked_package_has_a_hash(locked):
    entries = _lock_entries(ROOT / locked)

    assert len(entries) > len(_pins(ROOT / "requirements.txt"))  # transitive packages too
    assert [name for name, text in entries.items() if "--hash=sha256:" not in text] == []


def test_requirements_dev_lock_holds_the_runtime_lock_unchanged():
    runtime = _pins(ROOT / "requirements.lock")
    development = _pins(ROOT / "requirements-dev.lock")

    assert {name: development.get(name) for name in runtime} == runtime


def test_requirements_listed_files_pin_every_entry():
    for listed, _ in LISTS:
        for line in (ROOT / listed).read_text(encoding="utf-8").splitlines():
            entry = line.split("#")[0].strip()
            if entry and not entry.startswith("-r "):
                assert PIN.match(entry), f"{listed}: {entry} is not pinned with =="


def test_requirements_locks_name_no_index_and_say_how_to_regenerate():
    for locked in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / locked).read_text(encoding="utf-8")

        assert "#    make lock\n" in text
        assert not re.search(r"^--(?:index-url|extra-index-url|find-links|trusted-host)", text, re.M)


def test_requirements_transitive_packages_are_locked():
    # The packages that used to float (Celery's own dependencies) now have one version.
    pinned = _pins(ROOT / "requirements.lock")

    assert {"kombu", "billiard", "amqp", "vine"} <= set(pinned)


def test_requirements_makefile_and_image_install_from_the_locks():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")

    assert "install --require-hashes -r requirements-dev.lock" in makefile
    assert "install --require-hashes -r requirements.lock" in makefile
    assert re.search(r"^lock:", makefile, re.M)
    assert "pip install --require-hashes -r requirements.lock" in dockerfile

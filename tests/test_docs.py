"""The repository stands alone: no file cites a document kept outside it, and every docs link resolves."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The team documents that lived outside the repository, spelled in pieces so this file does not
# name them itself. Only docs/design.md and docs/domain.md, which replace them, may mention them.
OUTSIDE = re.compile(
    "|".join(
        [
            "DESIGN" + r"\.md",
            "DOMAIN" + r"\.md",
            "ST" + "YLE",
            r"\.\./" + "shared",
            "reference/" + "domain-research",
            "seed/" + "movement-2021",
        ]
    )
)
MAY_MENTION = {"docs/design.md", "docs/domain.md"}
# Third-party files shipped as they are (their own source maps name their own folders; minified
# code holds words of any kind).
THIRD_PARTY = ("static/vendor/", "tests/e2e/vendor/")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def tracked() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return [name for name in result.stdout.split("\0") if name]


def _text(name: str) -> str | None:
    try:
        return (ROOT / name).read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None  # binary files (images, compiled catalogues) and deleted paths


def test_docs_no_file_cites_a_document_outside_the_repository(tracked):
    citing = []
    for name in tracked:
        if name in MAY_MENTION or name.startswith(THIRD_PARTY):
            continue
        text = _text(name)
        if text is None:
            continue
        citing += [
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]

    assert len(tracked) > 100
    assert citing == []


def test_docs_the_replacing_documents_exist():
    for name in ("design.md", "domain.md", "contributing.md", "architecture.md", "security.md"):
        assert (ROOT / "docs" / name).is_file(), name


def _links(path: Path) -> list[str]:
    return [target for target in LINK.findall(path.read_text(encoding="utf-8")) if "://" not in target]


def test_docs_every_link_in_docs_and_the_top_level_files_resolves(tracked):
    sources = [ROOT / name for name in tracked if name.endswith(".md") and not name.startswith(THIRD_PARTY)]
    broken = []
    for source in sources:
        for target in _links(source):
            path = target.split("#", 1)[0]
            if path.startswith("mailto:") or not path:
                continue
            if not (source.parent / path).exists():
                broken.append(f"{source.relative_to(ROOT)} -> {target}")

    assert any(source.name == "design.md" for source in sources)
    assert broken == []


def test_docs_link_check_reads_markdown_links(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("See [design](design.md#5-rankings) and [site](https://example.org).", encoding="utf-8")

    assert _links(page) == ["design.md#5-rankings"]


def test_docs_every_docs_file_named_anywhere_exists(tracked):
    named = set()
    for name in tracked:
        if name.startswith(THIRD_PARTY):
            continue
        text = _text(name)
        if text is not None:
            named |= {(name, target) for target in re.findall(r"\bdocs/[\w./-]+\.md\b", text)}

    assert ("CONTRIBUTING.md", "docs/contributing.md") in named
    assert sorted(f"{name}: {target}" for name, target in named if not (ROOT / target).is_file()) == []

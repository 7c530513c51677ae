"""Every template the code names exists: a name that resolves to nothing is a page part that never shows."""

import re
from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "units", "emulation", "awards")
# A quoted template path: app folder, optional sub-folders, a name ending in .html or .txt.
TEMPLATE_NAME = re.compile(r"""["']((?:[a-z_]+/)+[A-Za-z0-9_.\-]+\.(?:html|txt))["']""")
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""")


def _named_in_python() -> set[tuple[str, str]]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in TEMPLATE_NAME.findall(path.read_text(encoding="utf-8")):
                names.add((str(path.relative_to(ROOT)), name))
    return names


def _named_in_templates() -> set[tuple[str, str]]:
    names = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for name in INCLUDE.findall(path.read_text(encoding="utf-8")):
            names.add((str(path.relative_to(ROOT)), name))
    return names


def test_template_names_in_code_and_includes_all_resolve():
    named = _named_in_python() | _named_in_templates()
    missing = []
    for where, name in sorted(named):
        try:
            get_template(name)
        except TemplateDoesNotExist:
            missing.append(f"{where}: {name}")

    assert len(named) > 50  # the scan reads the real sources
    assert missing == []


@pytest.mark.parametrize("text", ['X = "awards/_unit_awards.html"', "{% include 'awards/_gone.html' %}"])
def test_template_names_scan_finds_a_quoted_name(text):
    found = TEMPLATE_NAME.findall(text) or INCLUDE.findall(text)

    assert found
    assert found[0].startswith("awards/")

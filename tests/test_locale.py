"""Translations: Vietnamese complete and compiled, English locale present, nothing unextracted."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"


def load_po(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language)


def message_key(message) -> str:
    key = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}\x04{key}" if message.context else key


@pytest.mark.parametrize("language", ["vi", "en"])
def test_locale_catalogue_exists_for_each_language(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()


def test_locale_vietnamese_has_every_string_translated():
    catalogue = load_po("vi")

    untranslated = [
        message_key(message)
        for message in catalogue
        if message.id
        and (not all(message.string) if isinstance(message.string, tuple) else not message.string)
    ]
    fuzzy = [message_key(message) for message in catalogue if message.id and message.fuzzy]

    assert untranslated == []
    assert fuzzy == []


def test_locale_compiled_catalogue_matches_the_po_file():
    catalogue = load_po("vi")
    with (LOCALE / "vi" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = [
        message_key(message)
        for message in catalogue
        if message.id
        and isinstance(message.id, str)
        and (
            compiled.pgettext(message.context, message.id)
            if message.context
            else compiled.gettext(message.id)
        )
        != message.string
    ]

    assert stale == [], "run `make messages` to recompile"


def test_locale_every_marked_string_is_in_the_catalogue(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian package gettext) is needed to check the catalogue")
        pytest.skip("xgettext is not installed (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "test-artifacts", "*.pyc"),
    )
    env = dict(os.environ, DEBUG="true")

    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "vi",
            "--no-obsolete",
            "--ignore=static/vendor",
            "--ignore=tests",
            "--ignore=bench",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    with (copy / "locale" / "vi" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        extracted = {message_key(message) for message in read_po(handle, locale="vi") if message.id}
    committed = {message_key(message) for message in load_po("vi") if message.id}
    assert sorted(extracted - committed) == [], "run `make messages` and translate the new strings"

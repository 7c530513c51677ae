"""Rendered sections of a page, cached under a digest of what they show.

Used by the movement dashboard, the ranking page, the scoring page and the pledge form (see
docs/performance.md, "What is cached"): the data is read on every request; only its rendering is
kept, under a key made of the template, the template's source, the language and a digest of the
plain values the section shows. Equal data gives the same HTML, so nothing is ever invalidated.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Rendered fragments (and cached figures) are kept a day; their keys name the data they came from.
FRAGMENT_CACHE_SECONDS = 24 * 3600


@functools.cache
def _template_digest(template_name: str) -> str:
    """The template's own source, hashed: a changed template (a deploy) never serves old HTML."""
    source = get_template(template_name).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _fragment_key(template_name: str, material) -> str:
    digest = hashlib.sha256(repr(material).encode()).hexdigest()[:32]
    return f"section:{template_name}:{_template_digest(template_name)}:{get_language()}:{digest}"


class CachedSection:
    """A section's HTML: from the cache, or rendered when the page shows it and then cached.

    Rendering waits until the page's template writes the section out, so the page's own template
    is the first one rendered (as without the cache); the context is built before, in the view.
    """

    def __init__(self, key: str, template_name: str, context: dict | None, html: str | None) -> None:
        self.key, self.template_name, self.context, self.html = key, template_name, context, html

    def __html__(self) -> SafeString:
        if self.html is None:
            self.html = render_to_string(self.template_name, self.context)
            cache.set(self.key, self.html, FRAGMENT_CACHE_SECONDS)
        # Our own template's output, cached by us: safe to show as it is.
        return mark_safe(self.html)

    __str__ = __html__


def cached_sections(
    sections: dict[str, tuple[str, dict | Callable[[], dict], object]],
) -> dict[str, CachedSection]:
    """Each section `name: (template, context, material)`, from the cache or rendered when shown.

    `material` is everything the template shows, as plain values (numbers, strings, dates,
    dataclasses of those; never a model instance, whose repr leaves fields out): the section is
    cached under a digest of its repr, the template's source and the language. Equal data gives
    the same HTML, so nothing needs invalidating: changed data is a new key, old keys expire. The
    data itself is still read on every request (a few aggregate queries); what this saves is the
    rendering of a few hundred table cells (make bench: most of the dashboard's time at 10x).
    `context` is the template's context, or a function that returns it (called on a cache miss
    only, when building the context costs queries of its own).
    """
    keys = {
        name: _fragment_key(template, material) for name, (template, _context, material) in sections.items()
    }
    found = cache.get_many(list(keys.values()))
    shown: dict[str, CachedSection] = {}
    for name, (template, context, _material) in sections.items():
        html = found.get(keys[name])
        if html is None and callable(context):
            context = context()
        shown[name] = CachedSection(keys[name], template, None if html is not None else context, html)
    return shown

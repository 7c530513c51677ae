"""axe-core in the browser journeys: every page a journey shows is checked for accessibility.

The vendored axe-core (tests/e2e/vendor/axe-core/) is added to every document of the browser
context as an init script. Playwright hands init scripts to Chromium through the DevTools
protocol, so the page's strict Content-Security-Policy never sees them (no script tag, no inline
code in the page). The check itself runs from the test side, between the journey's own steps:
before each call the journey makes on the page (``goto``, ``get_by_*``, ``locator``, …) the
current document is checked once, after it has loaded, and once more when the test ends. Each
document carries a mark once checked, so a page is audited once however many calls it takes.

The result is kept per URL; ``AxeAudit.failures()`` lists the violations of impact "serious" or
"critical" that are not in ``EXCLUDED_RULES`` (empty: every rule is enforced), plus one check of
ours, ``repeated-id`` (serious): an id used twice on a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

# Rule ids left out of the check, each with the reason and where it occurs. Empty: all enforced.
EXCLUDED_RULES: dict[str, str] = {}

# The page calls after which the journey may look at or act on a new document.
AUDITED_CALLS = (
    "goto",
    "reload",
    "go_back",
    "locator",
    "get_by_role",
    "get_by_test_id",
    "get_by_label",
    "get_by_text",
    "get_by_placeholder",
    "get_by_title",
    "content",
    "screenshot",
    "wait_for_url",
    "set_viewport_size",
    "expect_download",
)

# Runs in the page: checks the document once, marks it, and returns what the report needs.
RUN_AXE = """
async () => {
  if (window.__axeChecked) { return null; }
  window.__axeChecked = true;
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  // A repeated id sends a label, an aria reference or a link to the wrong element. axe 4 has
  // turned its duplicate-id rules off and leaves a repeated id that a label names "to review",
  // so this check is ours.
  const seen = {};
  document.querySelectorAll("[id]").forEach((node) => { seen[node.id] = (seen[node.id] || 0) + 1; });
  const repeated = Object.keys(seen).filter((id) => seen[id] > 1);
  const ours = repeated.length ? [{
    id: "repeated-id",
    impact: "serious",
    help: "Every id is used once on a page (a check of ours, not axe's)",
    targets: repeated.map((id) => "#" + id).slice(0, 5),
    html: [],
  }] : [];
  return {
    url: location.pathname + location.search,
    lang: document.documentElement.lang,
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
      html: v.nodes.map((n) => n.html).slice(0, 2),
    })).concat(ours),
  };
}
"""

NAVIGATED_AWAY = ("Execution context was destroyed", "navigation", "Target page, context or browser")


@dataclass
class AxeAudit:
    """The axe results of one test's page, by URL (a URL seen in two states keeps both)."""

    label: str
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    viewport: str = ""

    def attach(self, page) -> None:
        """Check the current document before each of the journey's calls on ``page``."""
        for name in AUDITED_CALLS:
            original = getattr(page, name)
            setattr(page, name, self._checking_first(page, original))

    def _checking_first(self, page, original):
        def call(*args, **kwargs):
            self.check(page)
            return original(*args, **kwargs)

        return call

    def check(self, page) -> None:
        """Run axe on the current document unless it was checked already."""
        if page.is_closed() or page.url in ("", "about:blank"):
            return
        try:
            page.wait_for_load_state("load")
            outcome = page.evaluate(RUN_AXE)
        except Exception as error:  # a click has started a navigation: the next call checks the new page
            if any(sign in str(error) for sign in NAVIGATED_AWAY):
                return
            raise
        if outcome is None:
            return
        size = page.viewport_size or {}
        where = f"{outcome['url']} [{outcome['lang']}, {size.get('width')}px]"
        self.pages.append(where)
        self.results.setdefault(where, []).extend(outcome["violations"])

    def check_again(self, page) -> None:
        """Run axe once more on the current document, in the state the test has put it in (an
        opened menu, a shown form error)."""
        page.evaluate("window.__axeChecked = false")
        self.check(page)

    def failures(self) -> dict[str, list[dict[str, Any]]]:
        return {
            where: blocking
            for where, violations in self.results.items()
            if (
                blocking := [
                    v for v in violations if v["impact"] in BLOCKING_IMPACTS and v["id"] not in EXCLUDED_RULES
                ]
            )
        }

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.label}.json"
        path.write_text(
            json.dumps({"pages": self.pages, "violations": self.results}, indent=2, ensure_ascii=False)
        )
        return path

    def summary(self) -> str:
        lines = (
            f"{where}: {v['id']} ({v['impact']}) {v['help']} -> {', '.join(v['targets'])}"
            for where, violations in self.failures().items()
            for v in violations
        )
        return "\n".join(dict.fromkeys(lines))  # a page shown twice in one state: said once

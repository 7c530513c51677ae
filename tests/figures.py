"""Figures the test run prints at the end (examples tried, URLs checked, faults survived).

Tests add to FIGURES; tests/conftest.py prints them in pytest's terminal summary, so CI output
shows what the robustness tests actually exercised.
"""

from collections import Counter

FIGURES: Counter = Counter()


def record(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount

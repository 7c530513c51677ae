"""The scoring maths, pure: members' points in, the committee's points out. No database here.

Points are Decimals rounded to 2 places (ROUND_HALF_UP), never floats in the results.

Normalisation (optional per period) corrects for lenient and strict members: each score is first
expressed as a fraction of its criterion's maximum; a member's fractions are shifted and scaled so
that their mean and spread match the whole panel's; the result is clipped to [0, 1] and turned
back into points. A member whose scores have no spread (all equal) is only shifted.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_points(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: Iterable[Decimal]) -> Decimal:
    items = list(values)
    if not items:
        raise ValueError("mean of no scores")
    return to_points(sum(items, Decimal(0)) / len(items))


def median(values: Iterable[Decimal]) -> Decimal:
    items = sorted(values)
    if not items:
        raise ValueError("median of no scores")
    middle = len(items) // 2
    if len(items) % 2:
        return to_points(items[middle])
    return to_points((items[middle - 1] + items[middle]) / 2)


def combine(values: Iterable[Decimal], method: str) -> Decimal:
    """Combine the members' points for one criterion: "mean" or "median"."""
    if method == "median":
        return median(values)
    if method == "mean":
        return mean(values)
    raise ValueError(f"unknown aggregation {method!r}")


def cap(points: Decimal, maximum: Decimal) -> Decimal:
    """Keep points within 0..maximum."""
    return min(max(points, Decimal(0)), maximum)


@dataclass(frozen=True)
class MemberScore:
    """One member's points for one criterion of one submission."""

    member: Hashable
    item: Hashable  # (submission id, criterion id)
    points: Decimal
    maximum: Decimal


def normalise(scores: Iterable[MemberScore]) -> dict[tuple[Hashable, Hashable], Decimal]:
    """Each member's points rescaled to the panel's mean and spread, keyed by (member, item)."""
    scores = [score for score in scores if score.maximum > 0]
    if not scores:
        return {}
    fraction = {(s.member, s.item): float(s.points / s.maximum) for s in scores}
    panel = list(fraction.values())
    panel_mean = statistics.fmean(panel)
    panel_spread = statistics.pstdev(panel)
    by_member: dict[Hashable, list[float]] = defaultdict(list)
    for (member, _item), value in fraction.items():
        by_member[member].append(value)
    stats = {
        member: (statistics.fmean(values), statistics.pstdev(values)) for member, values in by_member.items()
    }
    result = {}
    for score in scores:
        member_mean, member_spread = stats[score.member]
        value = fraction[(score.member, score.item)]
        if member_spread > 0:
            adjusted = panel_mean + (value - member_mean) * (panel_spread / member_spread)
        else:
            adjusted = panel_mean + (value - member_mean)
        adjusted = min(max(adjusted, 0.0), 1.0)
        result[(score.member, score.item)] = to_points(Decimal(str(adjusted)) * score.maximum)
    return result


@dataclass(frozen=True)
class ItemResult:
    raw: Decimal
    normalised: Decimal | None
    scorers: int


def item_results(
    scores: Iterable[MemberScore], *, method: str, with_normalisation: bool
) -> dict[Hashable, ItemResult]:
    """The committee's points for every item (submission, criterion), raw and normalised, capped."""
    scores = list(scores)
    normalised = normalise(scores) if with_normalisation else {}
    raw_by_item: dict[Hashable, list[Decimal]] = defaultdict(list)
    norm_by_item: dict[Hashable, list[Decimal]] = defaultdict(list)
    maximum: dict[Hashable, Decimal] = {}
    for score in scores:
        raw_by_item[score.item].append(score.points)
        maximum[score.item] = score.maximum
        if (score.member, score.item) in normalised:
            norm_by_item[score.item].append(normalised[(score.member, score.item)])
    results = {}
    for item, values in raw_by_item.items():
        norm_values = norm_by_item.get(item)
        results[item] = ItemResult(
            raw=cap(combine(values, method), maximum[item]),
            normalised=cap(combine(norm_values, method), maximum[item]) if norm_values else None,
            scorers=len(values),
        )
    return results


def submission_total(
    criterion_points: Mapping[Hashable, Decimal], adjustments: Iterable[Decimal], limit: Decimal
) -> Decimal:
    """Criteria points plus bonus minus deductions, the net adjustment kept within ±limit."""
    net = sum(adjustments, Decimal(0))
    net = max(min(net, limit), -limit)
    return to_points(sum(criterion_points.values(), Decimal(0)) + net)

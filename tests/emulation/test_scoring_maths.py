"""The scoring maths: mean, median, caps, normalisation, totals — checked against hand computations."""

from decimal import Decimal as D

import pytest

from emulation import scoring
from emulation.scoring import MemberScore


def test_mean_rounds_half_up_to_cents():
    assert scoring.mean([D("7"), D("8"), D("8")]) == D("7.67")
    assert scoring.mean([D("1.005"), D("1.005")]) == D("1.01")


def test_median_of_odd_and_even_counts():
    assert scoring.median([D("9"), D("2"), D("5")]) == D("5.00")
    assert scoring.median([D("9"), D("2"), D("5"), D("6")]) == D("5.50")


def test_combine_refuses_an_unknown_method_and_empty_input():
    with pytest.raises(ValueError, match="unknown aggregation"):
        scoring.combine([D("1")], "mode")
    with pytest.raises(ValueError, match="no scores"):
        scoring.combine([], "mean")


def test_cap_keeps_points_within_zero_and_the_maximum():
    assert scoring.cap(D("12"), D("10")) == D("10")
    assert scoring.cap(D("-1"), D("10")) == D("0")
    assert scoring.cap(D("7.5"), D("10")) == D("7.5")


def test_item_results_mean_and_median_per_item():
    scores = [
        MemberScore("a", "x", D("4"), D("5")),
        MemberScore("b", "x", D("5"), D("5")),
        MemberScore("c", "x", D("1"), D("5")),
    ]

    by_mean = scoring.item_results(scores, method="mean", with_normalisation=False)
    by_median = scoring.item_results(scores, method="median", with_normalisation=False)

    assert by_mean["x"] == scoring.ItemResult(raw=D("3.33"), normalised=None, scorers=3)
    assert by_median["x"].raw == D("4.00")


def test_normalisation_removes_a_lenient_members_offset():
    # Member "kind" gives every item 0.2 of the maximum more than "strict"; both have the same spread.
    strict = [MemberScore("strict", item, D(points), D("10")) for item, points in (("p", "5"), ("q", "7"))]
    kind = [MemberScore("kind", item, D(points), D("10")) for item, points in (("p", "7"), ("q", "9"))]

    normalised = scoring.normalise(strict + kind)

    # Panel mean of fractions = 0.7, spread 0.1414; each member has mean 0.6 / 0.8 and spread 0.1:
    # after rescaling both members agree: p -> 0.7 - 0.1414 = 0.5586, q -> 0.8414.
    assert normalised[("strict", "p")] == normalised[("kind", "p")] == D("5.59")
    assert normalised[("strict", "q")] == normalised[("kind", "q")] == D("8.41")


def test_normalisation_of_a_member_without_spread_only_shifts():
    scores = [
        MemberScore("flat", "p", D("6"), D("10")),
        MemberScore("flat", "q", D("6"), D("10")),
        MemberScore("other", "p", D("2"), D("10")),
        MemberScore("other", "q", D("8"), D("10")),
    ]

    normalised = scoring.normalise(scores)

    # Panel mean 0.55; "flat" has mean 0.6 and no spread, so both its scores move to 0.55.
    assert normalised[("flat", "p")] == normalised[("flat", "q")] == D("5.50")


def test_normalised_results_are_clipped_to_the_criterion_maximum():
    scores = [
        MemberScore("a", "p", D("10"), D("10")),
        MemberScore("a", "q", D("0"), D("10")),
        MemberScore("b", "p", D("5"), D("10")),
        MemberScore("b", "q", D("4.9"), D("10")),
    ]

    results = scoring.item_results(scores, method="mean", with_normalisation=True)

    for result in results.values():
        assert D("0") <= result.normalised <= D("10")
        assert D("0") <= result.raw <= D("10")


def test_submission_total_caps_the_net_adjustment():
    points = {"c1": D("40"), "c2": D("50.5")}

    assert scoring.submission_total(points, [D("3"), D("4")], D("5")) == D("95.50")
    assert scoring.submission_total(points, [D("-7")], D("5")) == D("85.50")
    assert scoring.submission_total(points, [D("2"), D("-1")], D("5")) == D("91.50")

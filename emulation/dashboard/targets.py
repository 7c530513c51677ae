"""The movement's headline targets followed year by year through pledged and achieved values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emulation.dashboard.common import CENT, HUNDRED, TENTH, chart_number, to_decimal
from emulation.enums import Measure, SubmissionState
from emulation.models import Criterion, Period, PledgeTarget, SelfScore
from emulation.services.reminders import PLEDGE_DONE_STATES


@dataclass(frozen=True)
class HeadlineSpec:
    """A movement target followed over the years through one criterion's pledged and achieved values."""

    code: str
    combine: str  # "mean" (percentages) or "sum" (amounts)
    goal: Decimal | None
    goal_note: str


# The movement's headline targets (docs/domain.md, the 2021–2025 movement): 100 % of revenue collected
# electronically and through 24/7 clearance by 2025; the revenue target met every year; tax
# arrears carried over not growing. Looked up by criterion code in the period's movement.
HEADLINES = (
    HeadlineSpec("4.2", "mean", HUNDRED, gettext_lazy("Goal: 100 %% by %(year)s.")),
    HeadlineSpec(
        "4.1", "mean", HUNDRED, gettext_lazy("Goal: at least 100 %% of the assigned revenue every year.")
    ),
    HeadlineSpec(
        "4.4",
        "sum",
        None,
        gettext_lazy("Goal: arrears carried into the next year not higher than the year before."),
    ),
)


@dataclass(frozen=True)
class HeadlineYear:
    year: int
    pledged_units: int
    pledged: Decimal | None  # mean or total of the targets of submitted and accepted pledges
    achieved_units: int
    achieved: Decimal | None  # mean or total of the achieved values of finalised self-assessments
    goal: Decimal | None

    @property
    def achieved_share_of_goal(self) -> Decimal | None:
        if self.goal is None or self.achieved is None or not self.goal:
            return None
        return (self.achieved * HUNDRED / self.goal).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Headline:
    spec: HeadlineSpec
    criterion: Criterion
    years: list[HeadlineYear]
    goal_note: str

    @property
    def is_percent(self) -> bool:
        return self.criterion.measure == Measure.PERCENT

    @property
    def is_money(self) -> bool:
        return self.criterion.measure == Measure.MONEY

    @property
    def key(self) -> str:
        return "headline-" + self.spec.code.replace(".", "-")

    def chart(self) -> dict:
        datasets = [
            {"label": str(_("Pledged")), "data": [chart_number(row.pledged) for row in self.years]},
            {"label": str(_("Achieved")), "data": [chart_number(row.achieved) for row in self.years]},
        ]
        if self.spec.goal is not None:
            datasets.append(
                {
                    "label": str(_("Goal")),
                    "data": [chart_number(row.goal) for row in self.years],
                    "goal": True,
                }
            )
        return {"labels": [str(row.year) for row in self.years], "datasets": datasets}


def headline_criteria(periods: list[Period]) -> dict[str, Criterion]:
    """The movement's criteria followed as headline targets, by code (1 query)."""
    if not periods:
        return {}
    codes = [spec.code for spec in HEADLINES]
    return {
        criterion.code: criterion
        for criterion in Criterion.objects.filter(
            task_area__movement_id=periods[0].movement_id, code__in=codes
        )
    }


def headline_years(periods: list[Period], criteria: dict[str, Criterion]) -> dict[str, list[HeadlineYear]]:
    """The pledged and achieved values year by year of each headline criterion, by code (2 queries).

    Plain values only (no model instance): this is what `cached_headline_targets` keeps.
    """
    if not periods or not criteria:
        return {}
    ids = [criterion.pk for criterion in criteria.values()]
    pledged = {
        (row["criterion_id"], row["pledge__period_id"]): row
        for row in PledgeTarget.objects.filter(
            criterion_id__in=ids,
            pledge__period__in=periods,
            pledge__state__in=PLEDGE_DONE_STATES,
            value__isnull=False,
        )
        .order_by()
        .values("criterion_id", "pledge__period_id")
        .annotate(units=Count("pk"), mean=Avg("value"), total=Sum("value"))
    }
    achieved = {
        (row["criterion_id"], row["submission__period_id"]): row
        for row in SelfScore.objects.filter(
            criterion_id__in=ids,
            submission__period__in=periods,
            submission__state=SubmissionState.FINALISED,
            achieved_value__isnull=False,
        )
        .order_by()
        .values("criterion_id", "submission__period_id")
        .annotate(units=Count("pk"), mean=Avg("achieved_value"), total=Sum("achieved_value"))
    }
    years = {}
    for spec in HEADLINES:
        criterion = criteria.get(spec.code)
        if criterion is None:
            continue
        field_name = "mean" if spec.combine == "mean" else "total"
        places = CENT if spec.combine == "mean" else Decimal(1)
        rows = []
        for period in periods:
            made = pledged.get((criterion.pk, period.pk), {})
            done = achieved.get((criterion.pk, period.pk), {})
            rows.append(
                HeadlineYear(
                    year=period.year,
                    pledged_units=made.get("units", 0),
                    pledged=to_decimal(made.get(field_name), places),
                    achieved_units=done.get("units", 0),
                    achieved=to_decimal(done.get(field_name), places),
                    goal=spec.goal,
                )
            )
        years[spec.code] = rows
    return years


def assemble_headlines(
    periods: list[Period], criteria: dict[str, Criterion], years: dict[str, list[HeadlineYear]]
) -> list[Headline]:
    """The headlines from their criteria and values (no query; the goal notes in today's language)."""
    if not periods:
        return []
    movement_end = periods[0].movement.end_year
    return [
        Headline(
            spec=spec,
            criterion=criteria[spec.code],
            years=years[spec.code],
            goal_note=str(spec.goal_note) % {"year": movement_end},
        )
        for spec in HEADLINES
        if spec.code in criteria and spec.code in years
    ]


def headline_targets(periods: list[Period]) -> list[Headline]:
    """The headline targets of the periods' movement, year by year, in three queries.

    Pledged: the targets of submitted and accepted pledges. Achieved: the achieved values of
    finalised self-assessments. Percentages are averaged over the units, amounts added up.
    """
    criteria = headline_criteria(periods)
    return assemble_headlines(periods, criteria, headline_years(periods, criteria))

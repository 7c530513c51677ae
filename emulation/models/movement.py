"""The movement, its task areas and criteria, and its annual periods."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emulation.enums import Aggregation, Direction, Measure, Phase
from emulation.querysets import PeriodQuerySet

# Keyword arguments of every points field (typed for the stubs: DecimalField(**POINTS)).
POINTS: dict[str, Any] = {"max_digits": 6, "decimal_places": 2}
# Targets hold percentages, counts, yes/no (1/0) and VND amounts up to 10^16.
TARGET_VALUE: dict[str, Any] = {"max_digits": 20, "decimal_places": 2}


class Movement(models.Model):
    """An emulation movement: a theme, a span of years and its task areas."""

    title = models.CharField(_("title"), max_length=255)
    theme = models.CharField(_("theme"), max_length=500)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    total_points = models.DecimalField(
        _("total points of the scoring table"),
        **POINTS,
        default=Decimal("100"),
        help_text=_("The task areas' maximum points must add up to this total."),
    )
    bonus_limit = models.DecimalField(
        _("bonus and deduction limit"),
        **POINTS,
        default=Decimal("5"),
        help_text=_("Points the committee may add or deduct on top of the criteria."),
    )

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["-start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="movement_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("emulation:movement-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot be before the first year.")})


class TaskArea(models.Model):
    """One of the movement's task areas (nhiệm vụ), worth a share of the scoring table."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("movement"), on_delete=models.CASCADE, related_name="task_areas"
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    max_points = models.DecimalField(_("maximum points"), **POINTS, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("task area")
        verbose_name_plural = _("task areas")
        ordering = ["movement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "number"], name="task_area_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    """A measurable criterion of a task area, with its maximum points and how it is measured."""

    task_area = models.ForeignKey(
        TaskArea, verbose_name=_("task area"), on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    max_points = models.DecimalField(_("maximum points"), **POINTS, validators=[MinValueValidator(0)])
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target_max = models.DecimalField(
        _("highest acceptable target"),
        **TARGET_VALUE,
        null=True,
        blank=True,
        help_text=_("Leave empty for the usual limit (100 for a percentage)."),
    )
    guidance = models.TextField(_("guidance for units and scorers"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["task_area__number", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["task_area", "code"], name="criterion_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def target_upper_bound(self) -> Decimal | None:
        """The largest target a unit may pledge (None: no upper bound)."""
        if self.target_max is not None:
            return self.target_max
        if self.measure == Measure.PERCENT:
            return Decimal("100")
        if self.measure == Measure.YES_NO:
            return Decimal("1")
        if self.measure == Measure.POINTS:
            return self.max_points
        return None


class Period(models.Model):
    """A year of the movement with its phase dates; the phase is derived from the dates."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("movement"), on_delete=models.PROTECT, related_name="periods"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    pledging_opens = models.DateField(_("pledging opens"))
    pledging_closes = models.DateField(_("pledging closes"))
    self_assessment_opens = models.DateField(_("self-assessment opens"))
    self_assessment_closes = models.DateField(_("self-assessment closes"))
    scoring_closes = models.DateField(_("scoring closes"))
    aggregation = models.CharField(
        _("how members' scores are combined"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.MEAN,
    )
    normalise_scores = models.BooleanField(
        _("show results with per-member normalisation"),
        default=False,
        help_text=_("Each member's scores are rescaled to the panel's mean and spread before averaging."),
    )
    scorers_per_submission = models.PositiveSmallIntegerField(
        _("scorers per submission"), default=3, validators=[MinValueValidator(1)]
    )
    is_finalised = models.BooleanField(_("finalised"), default=False)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "year"], name="period_unique_year"),
            models.CheckConstraint(
                condition=Q(pledging_closes__gte=models.F("pledging_opens"))
                & Q(self_assessment_opens__gte=models.F("pledging_closes"))
                & Q(self_assessment_closes__gte=models.F("self_assessment_opens"))
                & Q(scoring_closes__gte=models.F("self_assessment_closes")),
                name="period_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("emulation:period-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        order = [
            ("pledging_opens", self.pledging_opens),
            ("pledging_closes", self.pledging_closes),
            ("self_assessment_opens", self.self_assessment_opens),
            ("self_assessment_closes", self.self_assessment_closes),
            ("scoring_closes", self.scoring_closes),
        ]
        for (_earlier_name, earlier), (later_name, later) in itertools.pairwise(order):
            if earlier and later and later < earlier:
                raise ValidationError(
                    {later_name: _("The dates must follow each other: pledging, self-assessment, scoring.")}
                )

    def phase_on(self, day: datetime.date) -> Phase:
        if self.is_finalised:
            return Phase.FINALISED
        if day < self.pledging_opens:
            return Phase.UPCOMING
        if day <= self.pledging_closes:
            return Phase.PLEDGING
        if day < self.self_assessment_opens:
            return Phase.IN_PROGRESS
        if day <= self.self_assessment_closes:
            return Phase.SELF_ASSESSMENT
        if day <= self.scoring_closes:
            return Phase.SCORING
        return Phase.AWAITING_FINALISATION

    @property
    def phase(self) -> Phase:
        return self.phase_on(timezone.localdate())

    @property
    def is_pledging_open(self) -> bool:
        return self.phase == Phase.PLEDGING

"""The movement, its task areas and criteria, annual periods, and the units' pledges."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emulation.enums import Direction, Measure, Phase, PledgeState, Title
from emulation.querysets import PeriodQuerySet, PledgeQuerySet

POINTS = {"max_digits": 6, "decimal_places": 2}
# Targets hold percentages, counts, yes/no (1/0) and VND amounts up to 10^16.
TARGET_VALUE = {"max_digits": 20, "decimal_places": 2}


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


class Pledge(models.Model):
    """A unit's emulation registration for a period: targets, title aimed for, staff registrations.

    State changes go through `emulation.services` (submit, accept, return, reopen), each recorded
    in the audit trail. `version` grows with every save, so that two people editing at once
    cannot silently overwrite each other.
    """

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pledges"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="pledges"
    )
    collective_title = models.CharField(
        _("collective title aimed for"), max_length=10, choices=Title.choices, blank=True
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PledgeState.choices, default=PledgeState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    reopened_until = models.DateField(
        _("reopened until"),
        null=True,
        blank=True,
        help_text=_("After the deadline the secretary may reopen one pledge for changes until this day."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["period", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="pledge_one_per_unit_period"),
        ]
        indexes = [
            # The secretary's review list filters a period's pledges by state.
            models.Index(fields=["period", "state"], name="pledge_period_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("emulation:pledge-detail", kwargs={"pk": self.pk})

    def is_open_for_changes_on(self, day: datetime.date) -> bool:
        """True while the unit may still edit: before the deadline, or within a reopening."""
        if self.state not in (PledgeState.DRAFT, PledgeState.RETURNED):
            return False
        if self.period.pledging_opens <= day <= self.period.pledging_closes:
            return True
        return self.reopened_until is not None and day <= self.reopened_until

    @property
    def is_open_for_changes(self) -> bool:
        return self.is_open_for_changes_on(timezone.localdate())


class PledgeTarget(models.Model):
    """The target a unit pledges for one criterion, in the criterion's own measure."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="targets"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="targets"
    )
    value = models.DecimalField(_("target"), **TARGET_VALUE, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pledge target")
        verbose_name_plural = _("pledge targets")
        ordering = ["pledge", "criterion__task_area__number", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "criterion"], name="pledge_target_unique_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.value}"


class IndividualRegistration(models.Model):
    """A staff member's registration for an individual title, made in the unit's pledge."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="registrations"
    )
    staff = models.ForeignKey(
        "units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="registrations"
    )
    title = models.CharField(_("title aimed for"), max_length=10, choices=Title.choices)
    planned_initiative = models.CharField(_("planned initiative"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("individual registration")
        verbose_name_plural = _("individual registrations")
        ordering = ["pledge", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "staff"], name="registration_one_per_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} – {self.get_title_display()}"


class ClusterCovenant(models.Model):
    """The cluster's joint emulation covenant (giao ước thi đua) for a period, confirmed by each member."""

    cluster = models.ForeignKey(
        "units.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="covenants"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="covenants"
    )
    text = models.TextField(_("covenant text"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cluster covenant")
        verbose_name_plural = _("cluster covenants")
        ordering = ["period", "cluster__code"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "period"], name="covenant_one_per_cluster_period"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster.name} – {self.period}"

    def get_absolute_url(self) -> str:
        return reverse(
            "emulation:covenant-detail", kwargs={"cluster": self.cluster_id, "period": self.period_id}
        )


class CovenantConfirmation(models.Model):
    """A member unit's confirmation of its cluster's covenant."""

    covenant = models.ForeignKey(
        ClusterCovenant, verbose_name=_("covenant"), on_delete=models.CASCADE, related_name="confirmations"
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("covenant confirmation")
        verbose_name_plural = _("covenant confirmations")
        ordering = ["covenant", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["covenant", "unit"], name="covenant_confirmed_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ✓ {self.covenant}"

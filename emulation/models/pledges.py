"""Pledges: a unit's targets for a period, its staff's registrations, the cluster covenant."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emulation.enums import PledgeState, Title
from emulation.models.movement import TARGET_VALUE, Criterion, Period
from emulation.querysets import PledgeQuerySet


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

"""The legal catalogue (award types) and the versioned rule sets."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.enums import AwardKind, AwardLevel
from emulation.enums import Subject


class AwardType(models.Model):
    """A title or commendation form of the catalogue (docs/domain.md), with its coefficient and vote threshold.

    `code` matches the title codes units pledge for (emulation.enums.Title) where one exists.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=255)
    subject = models.CharField(_("for"), max_length=12, choices=Subject.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=AwardKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=AwardLevel.choices)
    rank_order = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("Higher ranks come later in the ladder (LĐTT before CSTĐCS).")
    )
    legal_article = models.CharField(_("legal basis"), max_length=255, blank=True)
    coefficient = models.DecimalField(_("reward coefficient"), max_digits=5, decimal_places=2)
    vote_threshold = models.DecimalField(
        _("council vote threshold (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of ALL council members who must agree; empty when no council vote is needed."),
    )
    is_ad_hoc = models.BooleanField(
        _("ad-hoc or thematic"), default=False, help_text=_("Never a prerequisite for higher awards.")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["subject", "kind", "rank_order", "code"]

    def __str__(self) -> str:
        return self.name


class RuleSet(models.Model):
    """The parameters of the eligibility rules under one legal basis, in force between two dates.

    `params` holds every parameter of awards.eligibility.params.RuleParams as JSON. A nomination is
    judged under the rule set in force on its submission date.
    """

    name = models.CharField(_("name"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="ruleset_dates_ordered",
            ),
            models.UniqueConstraint(fields=["effective_from"], name="ruleset_one_per_start_date"),
        ]

    def __str__(self) -> str:
        return self.name

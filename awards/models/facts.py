"""The facts the eligibility engine reads: ratings, leave, disciplines, initiatives, open reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.enums import DisciplineLevel, InitiativeLevel, LeaveKind, RatingGrade, ReviewKind

ONE_SUBJECT = Q(staff__isnull=False, unit__isnull=True) | Q(staff__isnull=True, unit__isnull=False)


class Rating(models.Model):
    """The annual quality rating of a staff member or of a unit."""

    staff = models.ForeignKey(
        "units.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("rating"), max_length=16, choices=RatingGrade.choices)

    class Meta:
        verbose_name = _("annual rating")
        verbose_name_plural = _("annual ratings")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="rating_one_subject"),
            models.UniqueConstraint(
                fields=["staff", "year"], condition=Q(staff__isnull=False), name="rating_once_per_staff_year"
            ),
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(unit__isnull=False), name="rating_once_per_unit_year"
            ),
        ]
        indexes = [
            # The eligibility loader reads a year's ratings in one query.
            models.Index(fields=["year", "grade"], name="rating_year_grade_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff or self.unit} {self.year}: {self.get_grade_display()}"


class Leave(models.Model):
    """Months of leave a staff member took in a year, by kind (one row per kind and year).

    The months lie within the staff member's postings (a person on leave stays posted to its
    unit): months worked = months posted − every leave; maternity leave then counts as worked
    again (Decree 152/2025 Art. 4(5)), the other kinds do not (rule 1)."""

    staff = models.ForeignKey(
        "units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="leaves"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=LeaveKind.choices)
    months = models.PositiveSmallIntegerField(_("months"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["-year", "staff", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year", "kind"], name="leave_once_per_staff_year_kind"),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=12), name="leave_months_1_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.year}: {self.get_kind_display()} ({self.months})"


class Discipline(models.Model):
    """A disciplinary measure on a staff member; it blocks titles for its year (rules 1, 13, 17)."""

    staff = models.ForeignKey(
        "units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="disciplines"
    )
    level = models.CharField(_("measure"), max_length=12, choices=DisciplineLevel.choices)
    decided_on = models.DateField(_("decided on"))
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="discipline_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} – {self.get_level_display()} ({self.starts_on:%d/%m/%Y})"


class Initiative(models.Model):
    """A recognised initiative (sáng kiến) or science work, with its authors and level."""

    title = models.CharField(_("title"), max_length=500)
    level = models.CharField(_("level"), max_length=10, choices=InitiativeLevel.choices)
    recognised_on = models.DateField(_("recognised on"))
    is_science_work = models.BooleanField(_("science work"), default=False)
    has_nationwide_effect = models.BooleanField(_("nationwide effect"), default=False)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="initiatives"
    )
    authors = models.ManyToManyField("units.Staff", verbose_name=_("authors"), related_name="initiatives")

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-recognised_on"]

    def __str__(self) -> str:
        return self.title


class ReviewFlag(models.Model):
    """An open investigation, inspection, complaint or discipline review that blocks awards (rule 13)."""

    staff = models.ForeignKey(
        "units.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_flags",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_flags",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReviewKind.choices)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("open review")
        verbose_name_plural = _("open reviews")
        ordering = ["-opened_on"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="review_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.staff or self.unit}"

"""Self-assessment and committee scoring: submissions, evidence, scorers, scores, results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emulation.enums import AdjustmentKind, SubmissionState
from emulation.models.movement import POINTS, TARGET_VALUE, Criterion, Period
from emulation.querysets import SubmissionQuerySet


class Submission(models.Model):
    """A unit's self-assessment for a period, and the object the committee scores.

    draft -> submitted -> under_review <-> returned -> scored -> finalised. State changes go
    through `emulation.scoring_services`; each is recorded in the audit trail.
    """

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="submissions"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT
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
    return_reason = models.TextField(_("reason for returning"), blank=True)
    summary = models.TextField(_("summary of the year's achievements"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["period", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="submission_one_per_unit_period"),
        ]
        indexes = [
            # The secretary's submission list and the reminders filter a period's submissions by state.
            models.Index(fields=["period", "state"], name="submission_period_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("emulation:submission-detail", kwargs={"pk": self.pk})


class SelfScore(models.Model):
    """The unit's own account of one criterion: the value achieved, its self-score and what it did."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="self_scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="self_scores"
    )
    achieved_value = models.DecimalField(_("achieved"), **TARGET_VALUE, null=True, blank=True)
    points = models.DecimalField(
        _("self-score"), **POINTS, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    achievement = models.TextField(_("what was achieved"), blank=True)

    class Meta:
        verbose_name = _("self-score")
        verbose_name_plural = _("self-scores")
        ordering = ["submission", "criterion__task_area__number", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "criterion"], name="self_score_unique_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Stored under a random name; the original name is kept in the row, never trusted as a path."""
    return f"evidence/{instance.submission.period_id}/{instance.submission.unit_id}/{instance.sha256[:16]}-{timezone.now():%Y%m%d%H%M%S%f}"


class Evidence(models.Model):
    """A file a unit attaches to its self-assessment, checked by content and served only in scope."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="evidence"
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["submission", "criterion__task_area__number", "criterion__order", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("emulation:evidence-file", kwargs={"pk": self.pk})


class ScorerAssignment(models.Model):
    """A committee member assigned to score a submission; `completed_at` once every criterion is scored."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="assignments"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee member"),
        on_delete=models.PROTECT,
        related_name="scoring_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorer assignment")
        verbose_name_plural = _("scorer assignments")
        ordering = ["submission", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "member"], name="assignment_one_per_member"),
        ]
        indexes = [
            # A member's queue lists its assignments, open ones first.
            models.Index(fields=["member", "completed_at"], name="scorer_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.submission}"


class Score(models.Model):
    """One committee member's points for one criterion of a submission.

    `version` grows with every save (compare-and-set), so two tabs or two members cannot silently
    overwrite each other; every change is kept in the audit trail with the old and new points.
    """

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee member"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    points = models.DecimalField(_("points"), **POINTS, validators=[MinValueValidator(0)])
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["submission", "criterion__task_area__number", "criterion__order", "member__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion", "member"], name="score_one_per_member_criterion"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} {self.member}: {self.points}"


class Adjustment(models.Model):
    """Bonus or deduction points the secretary gives a submission, with a reason (within the movement's limit)."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(
        _("points"),
        **POINTS,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("5"))],
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("bonus or deduction")
        verbose_name_plural = _("bonuses and deductions")
        ordering = ["submission", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="adjustment_points_positive"),
        ]

    def __str__(self) -> str:
        sign = "+" if self.kind == AdjustmentKind.BONUS else "−"
        return f"{sign}{self.points} {self.submission}"

    @property
    def signed_points(self) -> Decimal:
        return self.points if self.kind == AdjustmentKind.BONUS else -self.points


class CriterionResult(models.Model):
    """The committee's final score for one criterion of a submission, fixed when the period is finalised.

    `raw_points` combines the members' scores with the period's aggregation (mean or median);
    `normalised_points` does the same after rescaling each member to the panel's mean and spread;
    `points` is the one that counts (raw unless the period uses normalisation), capped at the
    criterion's maximum. Rankings are compiled from these rows.
    """

    submission = models.ForeignKey(
        Submission, verbose_name=_("self-assessment"), on_delete=models.CASCADE, related_name="results"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="results"
    )
    raw_points = models.DecimalField(_("points (raw)"), **POINTS)
    normalised_points = models.DecimalField(_("points (normalised)"), **POINTS, null=True, blank=True)
    points = models.DecimalField(_("points"), **POINTS)
    scorers = models.PositiveSmallIntegerField(_("number of scorers"))

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criterion results")
        ordering = ["submission", "criterion__task_area__number", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "criterion"], name="result_one_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"

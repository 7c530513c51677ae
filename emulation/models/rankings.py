"""Rankings and reminders: the results of the Celery jobs, kept as rows so they survive restarts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emulation.enums import RankingScope, ReminderKind, ReminderStage, TieBreak
from emulation.models.movement import POINTS, Period
from emulation.querysets import RankingEntryQuerySet, RankingSnapshotQuerySet


class RankingSnapshot(models.Model):
    """An immutable ranking of one scope (a cluster or block, or the whole movement) for a period.

    A recompute writes a new snapshot and makes it the current one; the same inputs give the same
    `inputs_hash` and the same entries. At most one current snapshot exists per period, scope and
    kind (final or provisional): the partial unique constraint enforces it even when two compiles
    run at once.
    """

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="snapshots"
    )
    scope = models.CharField(_("scope"), max_length=10, choices=RankingScope.choices)
    cluster = models.ForeignKey(
        "units.Cluster",
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # "cluster:<id>" or "movement": a non-null key, so the uniqueness below holds on every database.
    scope_key = models.CharField(_("scope key"), max_length=40, editable=False)
    is_provisional = models.BooleanField(_("provisional"), default=False)
    is_current = models.BooleanField(_("current"), default=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    formula_version = models.PositiveSmallIntegerField(_("formula version"), default=1)
    inputs_hash = models.CharField(_("inputs checksum"), max_length=64)

    objects = RankingSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking snapshot")
        verbose_name_plural = _("ranking snapshots")
        ordering = ["period", "scope_key", "-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope_key", "is_provisional"],
                condition=Q(is_current=True),
                name="snapshot_one_current_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.scope_key} @ {self.computed_at:%d/%m/%Y %H:%M}"


class RankingEntry(models.Model):
    """One unit's place in a snapshot, with the points behind it and the key that decided its place."""

    # No index of its own: the two unique constraints below both start with the snapshot.
    snapshot = models.ForeignKey(
        RankingSnapshot,
        verbose_name=_("snapshot"),
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    total = models.DecimalField(_("total points"), **POINTS)
    criteria_points = models.DecimalField(_("criteria points"), **POINTS)
    adjustment = models.DecimalField(_("bonus minus deductions"), **POINTS)
    area_points = models.JSONField(_("points per task area"), default=dict)
    full_areas = models.PositiveSmallIntegerField(_("task areas at full marks"), default=0)
    decided_by = models.CharField(_("decided by"), max_length=12, choices=TieBreak.choices)

    objects = RankingEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "unit"], name="entry_one_per_unit"),
            models.UniqueConstraint(fields=["snapshot", "rank"], name="entry_one_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit} ({self.total})"


class ReminderLog(models.Model):
    """One reminder decided for one recipient, deadline and stage: written before the email is sent.

    The unique constraint makes each reminder go out once: a rerun finds the row and skips it.
    `sent_at` is set when the SMTP server accepted the message; a failed send keeps the row with its
    error and attempt count, and the next run retries it.
    """

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reminders"
    )
    kind = models.CharField(_("what is owed"), max_length=20, choices=ReminderKind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage.choices)
    deadline = models.DateField(_("deadline"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    email = models.EmailField(_("email"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # "unit:<id>" for what one unit owes, "all" for the secretary's late-units list: a non-null key,
    # so the uniqueness below holds on every database.
    subject_key = models.CharField(_("about"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind", "stage", "deadline", "recipient", "subject_key"],
                name="reminder_once_per_recipient_stage",
            ),
        ]
        indexes = [
            # The send loop picks the reminders not yet sent.
            models.Index(fields=["sent_at", "created_at"], name="reminder_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.get_kind_display()} → {self.email}"


class ScheduledRun(models.Model):
    """The claim of one scheduled job for one time slot, so that it runs once per slot.

    Two beat processes (a misconfiguration, or a rolling deploy) both queue the nightly jobs; the
    first task to insert the (job, slot) row runs the job, any other finds the row and stops. The
    same task redelivered after its worker died may continue: it carries the same task id.
    """

    job = models.CharField(_("job"), max_length=60)
    slot = models.CharField(_("time slot"), max_length=40)
    task_id = models.CharField(_("task id"), max_length=255)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.slot}"

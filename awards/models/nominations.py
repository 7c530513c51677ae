"""Nominations with their dossiers, council sessions and secret ballots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.enums import AwardLevel, DocumentKind, ExemplarStage, NominationState, VoteChoice
from awards.models.catalogue import AwardType
from awards.models.facts import ONE_SUBJECT


class Nomination(models.Model):
    """A proposal to give a staff member or a unit an award for a year.

    draft -> submitted -> screening <-> needs_supplement -> council -> approved | rejected -> decided.
    The eligibility verdict computed on submission is kept with its reasons (`eligibility`).
    """

    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award"), on_delete=models.PROTECT, related_name="nominations"
    )
    year = models.PositiveSmallIntegerField(_("year of the achievement"))
    staff = models.ForeignKey(
        "units.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    proposing_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="proposed_nominations",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=NominationState.choices, default=NominationState.DRAFT
    )
    achievements = models.TextField(_("achievements"), blank=True)
    eligibility = models.JSONField(_("eligibility check"), default=dict, blank=True)
    is_eligible = models.BooleanField(_("eligible"), null=True, blank=True)
    return_reason = models.TextField(_("what to supplement"), blank=True)
    snapshot = models.ForeignKey(
        "emulation.RankingSnapshot",
        verbose_name=_("ranking it is based on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    session = models.ForeignKey(
        "awards.CouncilSession",
        verbose_name=_("council session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-year", "award_type__rank_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="nomination_one_subject"),
        ]
        indexes = [
            models.Index(fields=["year", "state"], name="nomination_year_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} {self.year}: {self.staff or self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("awards:nomination-detail", kwargs={"pk": self.pk})

    @property
    def subject(self):
        return self.staff or self.unit


def dossier_path(instance: NominationDocument, filename: str) -> str:
    return f"dossiers/{instance.nomination_id}/{instance.kind}-{timezone.now():%Y%m%d%H%M%S%f}"


class NominationDocument(models.Model):
    """One part of a nomination's dossier; served only through a view that checks scope."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=dossier_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["nomination", "kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CouncilSession(models.Model):
    """A meeting of the emulation and commendation council that votes on nominations."""

    title = models.CharField(_("title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year of the achievements"))
    held_on = models.DateField(_("held on"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="CouncilSeat",
        related_name="council_sessions",
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("council session")
        verbose_name_plural = _("council sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("awards:session-detail", kwargs={"pk": self.pk})


class CouncilSeat(models.Model):
    """A council member's seat in a session, and whether the member attended."""

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="seats"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")
        ordering = ["session", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="seat_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.session}"


class Vote(models.Model):
    """A member's secret ballot on one nomination; an absent member's written vote counts too."""

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="votes"
    )
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="votes"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    is_written = models.BooleanField(_("written vote of an absent member"), default=False)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["session", "nomination", "member__username"]
        constraints = [
            models.UniqueConstraint(fields=["session", "nomination", "member"], name="vote_once_per_member"),
        ]

    def __str__(self) -> str:
        # Never the choice: whatever prints a ballot (a log line, an admin history) keeps it secret.
        return f"{self.member} @ {self.session} #{self.nomination_id}"


class Recusal(models.Model):
    """A seated member stands aside from one nomination of a session, with the reason (it does not vote
    on it). A member who is the subject, or whose own unit is the subject's, never votes on it and
    needs no row; a recusal records any other reason to stand aside."""

    session = models.ForeignKey(
        CouncilSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="recusals"
    )
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="recusals"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["session", "nomination", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nomination", "member"], name="recusal_once_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.nomination}"


class Decision(models.Model):
    """An award decision: its number, date, signer and issuing level, and the signed file."""

    number = models.CharField(_("number"), max_length=50, unique=True)
    decided_on = models.DateField(_("date"))
    signer = models.CharField(_("signed by"), max_length=255)
    level = models.CharField(_("issued at"), max_length=12, choices=AwardLevel.choices)
    title = models.CharField(_("about"), max_length=500)
    file = models.FileField(_("signed file"), upload_to="decisions/", max_length=255, blank=True)
    base_salary = models.DecimalField(
        _("base salary on the decision date (VND)"), max_digits=14, decimal_places=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} ({self.decided_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("awards:decision-detail", kwargs={"pk": self.pk})


class AwardRecord(models.Model):
    """An award given by a decision to a staff member or a unit: the award history."""

    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award"), on_delete=models.PROTECT, related_name="records"
    )
    year = models.PositiveSmallIntegerField(_("year of the achievement"))
    staff = models.ForeignKey(
        "units.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="records"
    )
    nomination = models.OneToOneField(
        Nomination,
        verbose_name=_("nomination"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="record",
    )
    amount = models.DecimalField(_("reward (VND)"), max_digits=14, decimal_places=0)
    is_revoked = models.BooleanField(_("revoked"), default=False)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("award history")
        ordering = ["-year", "award_type__rank_order"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="award_record_one_subject"),
        ]
        indexes = [
            # Eligibility reads the titles held per year; history pages list a subject's awards.
            models.Index(fields=["year", "award_type"], name="award_year_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} {self.year}: {self.staff or self.unit}"


class Exemplar(models.Model):
    """An advanced model (điển hình tiên tiến) followed through the four stages of task area 7."""

    name = models.CharField(_("model"), max_length=500)
    staff = models.ForeignKey(
        "units.Staff",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars",
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=ExemplarStage.choices, default=ExemplarStage.DISCOVERED
    )
    discovered_on = models.DateField(_("discovered on"))
    fostered_on = models.DateField(_("fostered from"), null=True, blank=True)
    summed_up_on = models.DateField(_("summed up on"), null=True, blank=True)
    replicated_on = models.DateField(_("replicated from"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("advanced model")
        verbose_name_plural = _("advanced models")
        ordering = ["-discovered_on"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="exemplar_one_subject"),
        ]

    def __str__(self) -> str:
        return self.name

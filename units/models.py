"""Units, clusters and staff: who belongs where, in which year."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.enums import ClusterKind, ClusterRole, Gender, Position, UnitKind
from units.querysets import AuditEntryQuerySet, ClusterQuerySet, StaffQuerySet, UnitQuerySet
from units.text import fold

PATH_SEPARATOR = "/"


class Unit(models.Model):
    """An organisational unit in the tree (department, HQ unit, branch, office, border office).

    Units are never deleted once history refers to them: a unit that closes gets `valid_to`, and
    merges or splits are recorded as `UnitLineage` rows from the old units to the new ones.
    `path` is a materialised path of primary keys ("/1/7/42/") kept by `save()`, so that a subtree
    is one indexed prefix match; moving a unit goes through `units.services.move_unit`.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_legal_entity = models.BooleanField(_("legal entity"), default=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors: models.ManyToManyField[Unit, UnitLineage] = models.ManyToManyField(
        "self",
        verbose_name=_("predecessor units"),
        through="UnitLineage",
        through_fields=("successor", "predecessor"),
        symmetrical=False,
        related_name="successors",
        blank=True,
    )
    # db_index gives PostgreSQL two indexes, and EXPLAIN shows each in use: the plain btree serves
    # the default ordering (paged unit lists, ORDER BY path), the varchar_pattern_ops one
    # ("..._like") the subtree queries (visible_to, descendants: path LIKE '/1/7/%').
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join(filter(None, [self.code, self.name, self.short_name])))
        super().save(*args, **kwargs)
        parent_path = self.parent.path if self.parent is not None else PATH_SEPARATOR
        path = f"{parent_path}{self.pk}{PATH_SEPARATOR}"
        depth = path.count(PATH_SEPARATOR) - 2
        if (path, depth) != (self.path, self.depth):
            self.path, self.depth = path, depth
            Unit.objects.filter(pk=self.pk).update(path=path, depth=depth)

    def get_absolute_url(self) -> str:
        return reverse("units:unit-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.parent_id and self.pk and self.parent is not None and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("A unit cannot be placed below one of its own sub-units.")})

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys of the units above this one, root first (read from the path)."""
        return [int(part) for part in self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)[:-1] if part]

    def is_active_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())


class UnitLineage(models.Model):
    """A merge, split or renaming: the successor unit continues (part of) the predecessor."""

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="predecessor_links"
    )
    effective_on = models.DateField(_("effective on"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit lineage")
        verbose_name_plural = _("unit lineage")
        ordering = ["effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_lineage_unique_pair"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Cluster(models.Model):
    """An emulation cluster (by area) or block (by function) for one year.

    Units are ranked inside their cluster. Each year a cluster has exactly one leader unit and one
    deputy unit (`ClusterMembership.role`), and a unit belongs to one cluster per year.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=ClusterKind.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    units: models.ManyToManyField[Unit, ClusterMembership] = models.ManyToManyField(
        Unit, verbose_name=_("member units"), through="ClusterMembership", related_name="clusters"
    )

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["-year", "kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="cluster_unique_code_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="cluster_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("units:cluster-list") + f"?year={self.year}#cluster-{self.pk}"


class ClusterMembership(models.Model):
    """A unit's place in a cluster for the cluster's year: member, leader or deputy."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cluster_memberships"
    )
    # Copied from the cluster on save, so that "one cluster per unit and year" is a constraint.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    role = models.CharField(_("role"), max_length=10, choices=ClusterRole.choices, default=ClusterRole.MEMBER)

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        ordering = ["cluster", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="membership_one_cluster_per_unit_year"),
            models.UniqueConstraint(
                fields=["cluster"], condition=Q(role="leader"), name="membership_one_leader_per_cluster"
            ),
            models.UniqueConstraint(
                fields=["cluster"], condition=Q(role="deputy"), name="membership_one_deputy_per_cluster"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.cluster}"

    def save(self, *args, **kwargs) -> None:
        self.year = self.cluster.year
        super().save(*args, **kwargs)


class Staff(models.Model):
    """A person working in the organisation, optionally linked to a login.

    `unit` is the unit of the open `Assignment` (denormalised for the scoped lists); it is only
    changed by `units.services.assign_staff`, which closes the old assignment and opens a new one.
    """

    staff_code = models.CharField(_("staff code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=255)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.OFFICER
    )
    is_leader = models.BooleanField(_("in a leadership post"), default=False)
    email = models.EmailField(_("email"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("current unit"), on_delete=models.PROTECT, related_name="staff", null=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    search_text = models.CharField(max_length=400, editable=False, default="")

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["full_name", "staff_code"]
        indexes = [
            # The staff list filters by unit and gender and sorts by name.
            models.Index(fields=["unit", "full_name"], name="staff_unit_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.staff_code})"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(f"{self.staff_code} {self.full_name}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("units:staff-detail", kwargs={"pk": self.pk})


class Assignment(models.Model):
    """A dated posting of a staff member to a unit; the open one (no end) is the current unit."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["staff", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(end_date__isnull=True), name="assignment_one_open_per_staff"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.unit} ({self.start_date})"


class AuditEntry(models.Model):
    """One recorded change: who did what to which record, when, why, and the values before and after.

    Written only by `units.services.record_audit`, inside the transaction of the change it records.
    The application never edits or deletes these rows (the admin shows them read-only).
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            # The audit panel of a record lists its entries newest first.
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_record_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id} @ {self.at:%d/%m/%Y %H:%M}"

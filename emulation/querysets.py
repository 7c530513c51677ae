"""Reusable reads of the emulation app."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from units.enums import Role
from units.models import Unit
from units.permissions import has_role


def reads_every_provisional_ranking(user) -> bool:
    """The committee secretary, leaders and the administrator read provisional rankings at any time."""
    return has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER)


class PeriodQuerySet(models.QuerySet):
    def pledging_open_on(self, day: datetime.date | None = None) -> PeriodQuerySet:
        """Periods whose pledging window contains the day (today by default)."""
        day = day or timezone.localdate()
        return self.filter(is_finalised=False, pledging_opens__lte=day, pledging_closes__gte=day)

    def latest_first(self) -> PeriodQuerySet:
        return self.select_related("movement").order_by("-year", "-pk")

    def with_provisional_rankings_for(self, user) -> PeriodQuerySet:
        """The periods whose provisional rankings the user may read: the one rule of ranking secrecy.

        Provisional rankings are compiled from the members' current scores, so while scoring is
        open they would show a member its colleagues' points (their mean per task area, or one
        colleague's exact points) before it has scored: the secret ballot of scoring. Hence:
        the secretary, leaders and the administrator read every period's; anyone reads those of a
        finalised period; a committee member also reads a period once its own queue there is
        complete (at least one assignment, none still open; a self-assessment resubmitted after
        being returned reopens it). Everyone else sees the final rankings only. Pages, exports,
        dashboards, "explain my rank" and the officer's home all read rankings through
        `RankingSnapshot.objects.visible_to` or `RankingEntry.objects.visible_to`, built on this.
        """
        if reads_every_provisional_ranking(user):
            return self
        published = Q(is_finalised=True)
        if not has_role(user, Role.COMMITTEE_MEMBER):
            return self.filter(published)
        # The models module imports this one.
        assignment = apps.get_model("emulation", "ScorerAssignment")
        mine = assignment.objects.filter(member=user, submission__period=OuterRef("pk"))
        queue_done = Exists(mine) & ~Exists(mine.filter(completed_at__isnull=True))
        return self.filter(published | queue_done)


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> PledgeQuerySet:
        """Pledges of the units the user may see (units.visible_to decides)."""
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def with_unit(self) -> PledgeQuerySet:
        return self.select_related("unit", "period", "period__movement", "submitted_by")


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> SubmissionQuerySet:
        """Submissions of the units the user may see (units.visible_to decides).

        Committee members see every unit, but the scoring pages further restrict them to the
        submissions assigned to them (emulation.permissions).
        """
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def with_unit(self) -> SubmissionQuerySet:
        return self.select_related("unit", "period", "period__movement", "submitted_by")


class RankingSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user) -> RankingSnapshotQuerySet:
        """Final snapshots for everyone; provisional ones as `Period.with_provisional_rankings_for` says."""
        if reads_every_provisional_ranking(user):
            return self
        period = apps.get_model("emulation", "Period")
        return self.filter(
            Q(is_provisional=False) | Q(period__in=period.objects.with_provisional_rankings_for(user))
        )


class RankingEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> RankingEntryQuerySet:
        """Entries of the snapshots the user may read (`RankingSnapshot.objects.visible_to`)."""
        if reads_every_provisional_ranking(user):
            return self
        period = apps.get_model("emulation", "Period")
        return self.filter(
            Q(snapshot__is_provisional=False)
            | Q(snapshot__period__in=period.objects.with_provisional_rankings_for(user))
        )

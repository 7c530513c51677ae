"""Reusable reads of the emulation app."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from units.models import Unit


class PeriodQuerySet(models.QuerySet):
    def pledging_open_on(self, day: datetime.date | None = None) -> PeriodQuerySet:
        """Periods whose pledging window contains the day (today by default)."""
        day = day or timezone.localdate()
        return self.filter(is_finalised=False, pledging_opens__lte=day, pledging_closes__gte=day)

    def latest_first(self) -> PeriodQuerySet:
        return self.select_related("movement").order_by("-year", "-pk")


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

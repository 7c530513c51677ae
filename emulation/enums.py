"""Enumerations of the emulation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Measure(models.TextChoices):
    """How a criterion's target and achieved value are expressed."""

    POINTS = "points", _("Points")
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    MONEY = "money", _("Amount (VND)")
    YES_NO = "yes_no", _("Yes / no")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Phase(models.TextChoices):
    """Where a period stands, derived from its dates and its finalised flag."""

    UPCOMING = "upcoming", _("Not yet open")
    PLEDGING = "pledging", _("Pledging")
    IN_PROGRESS = "in_progress", _("Under way")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    SCORING = "scoring", _("Committee scoring")
    AWAITING_FINALISATION = "awaiting_finalisation", _("Awaiting finalisation")
    FINALISED = "finalised", _("Finalised")


class PledgeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("pledge state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("pledge state", "Submitted")
    RETURNED = "returned", pgettext_lazy("pledge state", "Returned for changes")
    ACCEPTED = "accepted", pgettext_lazy("pledge state", "Accepted")


# States in which the unit may still edit its pledge (before the deadline, or once reopened).
PLEDGE_EDITABLE_STATES = frozenset({PledgeState.DRAFT, PledgeState.RETURNED})


class Subject(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")


class Title(models.TextChoices):
    """Emulation titles a unit or person can aim for in a pledge (codes shared with awards.AwardType)."""

    LDTT = "LDTT", _("Advanced labourer")
    CSTDCS = "CSTDCS", _("Grassroots emulation fighter")
    CSTD_BO = "CSTD_BO", _("Ministry-level emulation fighter")
    CSTD_TQ = "CSTD_TQ", _("National emulation fighter")
    TTLDTT = "TTLDTT", _("Advanced labour collective")
    TTLDXS = "TTLDXS", _("Excellent labour collective")
    CO_BO = "CO_BO", _("Emulation flag of the Ministry of Finance")
    CO_CP = "CO_CP", _("Emulation flag of the Government")


INDIVIDUAL_TITLES = (Title.LDTT, Title.CSTDCS, Title.CSTD_BO, Title.CSTD_TQ)
COLLECTIVE_TITLES = (Title.TTLDTT, Title.TTLDXS, Title.CO_BO, Title.CO_CP)


class SubmissionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("submission state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("submission state", "Submitted")
    UNDER_REVIEW = "under_review", pgettext_lazy("submission state", "Being scored")
    RETURNED = "returned", pgettext_lazy("submission state", "Returned for supplements")
    SCORED = "scored", pgettext_lazy("submission state", "Scored")
    FINALISED = "finalised", pgettext_lazy("submission state", "Finalised")


# States in which the unit may edit its self-assessment.
SUBMISSION_EDITABLE_STATES = frozenset({SubmissionState.DRAFT, SubmissionState.RETURNED})
# States in which assigned committee members may score.
SUBMISSION_SCORABLE_STATES = frozenset({SubmissionState.SUBMITTED, SubmissionState.UNDER_REVIEW})


class Aggregation(models.TextChoices):
    """How the members' scores of one criterion become the committee's score."""

    MEAN = "mean", _("Mean of the members' scores")
    MEDIAN = "median", _("Median of the members' scores")


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    DEDUCTION = "deduction", _("Deduction")


class RankingScope(models.TextChoices):
    CLUSTER = "cluster", _("Cluster or block")
    MOVEMENT = "movement", _("Whole movement")


class TieBreak(models.TextChoices):
    """Which key of the documented total order decided a unit's place against the one above it."""

    TOTAL = "total", _("Total points")
    FULL_AREAS = "full_areas", _("More task areas at full marks")
    AREA_4 = "area_4", _("Points in task area 4")
    AREA_5 = "area_5", _("Points in task area 5")
    UNIT_CODE = "unit_code", _("Unit code")


class ReminderStage(models.TextChoices):
    T14 = "t-14", _("14 days before")
    T7 = "t-7", _("7 days before")
    T1 = "t-1", _("1 day before")
    OVERDUE = "overdue", _("Overdue")
    LATE_LIST = "late_list", _("Late units list")


class ReminderKind(models.TextChoices):
    """What the recipient still owes."""

    PLEDGE = "pledge", _("Pledge not submitted")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment not submitted")
    SCORING = "scoring", _("Scoring not finished")

"""Enumerations of the awards app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AwardKind(models.TextChoices):
    EMULATION_TITLE = "title", _("Emulation title")
    COMMENDATION = "commendation", _("Commendation form")


class AwardLevel(models.TextChoices):
    UNIT = "unit", _("Grassroots level")
    MINISTRY = "ministry", _("Ministry level")
    GOVERNMENT = "government", _("Government level")
    STATE = "state", _("State level")


class RatingGrade(models.TextChoices):
    """Annual quality rating (Decree 90/2020 as amended by Decree 48/2023); the Vietnamese labels are
    the full official names ("Hoàn thành tốt nhiệm vụ")."""

    EXCELLENT = "excellent", pgettext_lazy("rating", "Excellently completed")
    GOOD = "good", pgettext_lazy("rating", "Well completed")
    COMPLETED = "completed", pgettext_lazy("rating", "Completed")
    NOT_COMPLETED = "not_completed", pgettext_lazy("rating", "Not completed")


class DisciplineLevel(models.TextChoices):
    REPRIMAND = "reprimand", _("Reprimand")
    WARNING = "warning", _("Warning")
    DEMOTION = "demotion", _("Demotion")
    DISMISSAL = "dismissal", _("Dismissal")


class InitiativeLevel(models.TextChoices):
    UNIT = "unit", pgettext_lazy("initiative level", "Unit level")
    MINISTRY = "ministry", pgettext_lazy("initiative level", "Ministry level")
    NATIONAL = "national", pgettext_lazy("initiative level", "National level")


class LeaveKind(models.TextChoices):
    """Leave recorded in a staff member's year: maternity leave counts as worked (Decree 152/2025 Art.
    4(5)); the other kinds do not (rule 1: months worked)."""

    MATERNITY = "maternity", _("Maternity leave")
    SICK = "sick", _("Long sick leave")
    UNPAID = "unpaid", _("Unpaid leave")
    OTHER = "other", _("Other leave not counted as work")


class ReviewKind(models.TextChoices):
    """Open matters that block an award while they last (rule 13)."""

    DISCIPLINE_REVIEW = "discipline_review", _("Discipline review")
    INVESTIGATION = "investigation", _("Investigation")
    INSPECTION = "inspection", _("Inspection")
    COMPLAINT = "complaint", _("Complaint or denunciation")


class NominationState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("nomination state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("nomination state", "Submitted")
    SCREENING = "screening", pgettext_lazy("nomination state", "Being screened")
    NEEDS_SUPPLEMENT = "needs_supplement", pgettext_lazy("nomination state", "Needs supplements")
    COUNCIL = "council", pgettext_lazy("nomination state", "Sent to the council")
    APPROVED = "approved", pgettext_lazy("nomination state", "Approved by the council")
    REJECTED = "rejected", pgettext_lazy("nomination state", "Rejected")
    DECIDED = "decided", pgettext_lazy("nomination state", "Decided")


class DocumentKind(models.TextChoices):
    """The parts of a nomination dossier (rule 19)."""

    PROPOSAL = "proposal", _("Proposal (tờ trình)")
    ACHIEVEMENT_REPORT = "achievement_report", _("Achievement report")
    MINUTES = "minutes", _("Minutes of the unit's meeting")
    VOTE_RESULT = "vote_result", _("Vote result")
    INITIATIVE_PROOF = "initiative_proof", _("Proof of the recognised initiative")
    RATING_PROOF = "rating_proof", _("Proof of the excellent rating")


class VoteChoice(models.TextChoices):
    YES = "yes", _("Agree")
    NO = "no", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


class ExemplarStage(models.TextChoices):
    """The four stages of task area 7: discover, foster, sum up, replicate."""

    DISCOVERED = "discovered", _("Discovered")
    FOSTERED = "fostered", _("Fostered")
    SUMMED_UP = "summed_up", _("Summed up")
    REPLICATED = "replicated", _("Replicated")

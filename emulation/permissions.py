"""Who may do what in the emulation app; built on units.permissions, never beside it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from emulation.models import Evidence, Period, Pledge, Submission
from emulation.querysets import reads_every_provisional_ranking
from units.enums import Role
from units.permissions import has_conflict_of_interest, has_role, is_secretary
from units.querysets import home_unit_of


def is_unit_officer_of(user, unit) -> bool:
    """True for a unit officer whose home unit is this unit or one above it."""
    home = home_unit_of(user)
    return has_role(user, Role.UNIT_OFFICER) and home is not None and unit.path.startswith(home.path)


def get_pledge_for_user(user, pk, *, write: bool = False) -> Pledge:
    """Fetch a pledge in the user's scope (404 otherwise); writing is for the unit's own officer."""
    pledge = Pledge.objects.visible_to(user).with_unit().filter(pk=pk).first()
    if pledge is None:
        raise Http404(_("No such pledge."))
    if write and not is_unit_officer_of(user, pledge.unit):
        raise PermissionDenied(_("Only the unit's emulation officer can change its pledge."))
    return pledge


def require_secretary(user) -> None:
    if not is_secretary(user):
        raise PermissionDenied(_("Only the committee secretary can do this."))


def can_review_pledges(user) -> bool:
    """The review list is for the secretary and for leaders (read-only)."""
    return has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER)


def get_submission_for_user(user, pk, *, write: bool = False):
    """Fetch a self-assessment the user may see (404 otherwise).

    Readers: the unit's own officer (and officers above it), the secretary, leaders, and the
    committee members assigned to score it. Writing (the unit's content) is for the unit's officer.
    """
    submission = Submission.objects.with_unit().filter(pk=pk).first()
    if submission is None or not can_read_submission(user, submission):
        raise Http404(_("No such self-assessment."))
    if write and not is_unit_officer_of(user, submission.unit):
        raise PermissionDenied(_("Only the unit's emulation officer can change its self-assessment."))
    return submission


def can_read_submission(user, submission) -> bool:
    if has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER):
        return True
    if is_unit_officer_of(user, submission.unit):
        return True
    return is_assigned_scorer(user, submission)


def is_assigned_scorer(user, submission) -> bool:
    """An assigned committee member without a conflict of interest (re-checked on every request)."""
    return (
        has_role(user, Role.COMMITTEE_MEMBER)
        and submission.assignments.filter(member=user).exists()
        and not has_conflict_of_interest(user, submission.unit)
    )


def get_evidence_for_user(user, pk):
    """Fetch an evidence file whose self-assessment the user may read (404 otherwise)."""
    evidence = Evidence.objects.select_related("submission__unit", "submission__period").filter(pk=pk).first()
    if evidence is None or not can_read_submission(user, evidence.submission):
        raise Http404(_("No such file."))
    return evidence


def can_see_provisional_rankings(user, period) -> bool:
    """Whether the user may read the period's provisional rankings (no query for the secretary
    and leaders); the rule itself is `Period.objects.with_provisional_rankings_for`."""
    if reads_every_provisional_ranking(user) or period.is_finalised:
        return True
    return Period.objects.with_provisional_rankings_for(user).filter(pk=period.pk).exists()

"""Who may do what with nominations, council sessions and decisions; built on units.permissions.

Readers of a nomination: the committee secretary and leaders (everything), the emulation officer
of the proposing unit or of a unit above it, and the council members seated in the session the
nomination was sent to, unless they have a council conflict with it (`council_conflict`: they are
its subject, or the subject's own unit is their own unit). Anyone else gets 404. Writing the unit's part
(the proposal, its dossier, the submission) is for the proposing unit's officer; every other
action is the secretary's. Leaders read everything and change nothing (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from awards.models import AwardRecord, CouncilSeat, CouncilSession, Decision, Nomination, NominationDocument
from emulation.permissions import is_unit_officer_of
from units.enums import Role
from units.models import Staff, Unit
from units.permissions import has_role, is_secretary
from units.querysets import home_unit_of


def can_read_everything(user) -> bool:
    """The secretary and leaders read every nomination, session and decision."""
    return has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER)


def require_secretary(user) -> None:
    if not is_secretary(user):
        raise PermissionDenied(_("Only the committee secretary can do this."))


def eligibility_home(user) -> Unit | None:
    """Whose eligibility the user may read: None for the secretary and leaders (everyone), the
    home unit for a unit officer (its unit and the units below: those it prepares nominations
    for); 403 for anyone else, and for an officer not linked to a unit."""
    if can_read_everything(user):
        return None
    if has_role(user, Role.UNIT_OFFICER):
        home = home_unit_of(user)
        if home is not None:
            return home
    raise PermissionDenied(
        _("The eligibility list is for the committee secretary, leaders and unit officers.")
    )


def require_readers_of_everything(user) -> None:
    if not can_read_everything(user):
        raise PermissionDenied(_("This page is for the committee secretary and leaders."))


def subject_unit(nomination: Nomination) -> Unit | None:
    """The unit a nomination is about: the unit itself, or the staff member's current unit."""
    if nomination.unit_id:
        return nomination.unit
    return nomination.staff.unit if nomination.staff_id else None


def member_staff(user) -> tuple[int | None, int | None]:
    """(staff id, unit id) of the staff record linked to a user, or (None, None); cached on the user."""
    if not user.is_authenticated:
        return None, None
    if not hasattr(user, "_awards_member_staff"):
        row = Staff.objects.filter(user=user).values_list("pk", "unit_id").first()
        user._awards_member_staff = row or (None, None)
    return user._awards_member_staff


def council_conflict(user, nomination: Nomination) -> bool:
    """A council member's conflict of interest with a nomination (see `staff_conflict`)."""
    return staff_conflict(*member_staff(user), nomination)


def staff_conflict(staff_id: int | None, unit_id: int | None, nomination: Nomination) -> bool:
    """The council's conflict rule, for the member's staff record and unit: the member is the
    nomination's subject, or the subject's own unit (the unit nominated, or the nominated person's
    unit) is the member's own unit. The heads of the organisation sit on the council, so units
    above or below do not count (they do for scorers); any other reason to stand aside is a
    recusal with its reason (awards.models.Recusal)."""
    if staff_id is None:
        return False
    if nomination.staff_id is not None:
        return nomination.staff_id == staff_id or (
            unit_id is not None and nomination.staff.unit_id == unit_id
        )
    return unit_id is not None and nomination.unit_id == unit_id


def is_seated(user, session_id: int | None) -> bool:
    if session_id is None or not user.is_authenticated:
        return False
    return CouncilSession.objects.filter(pk=session_id, seats__member=user).exists()


def can_read_nomination(user, nomination: Nomination, *, seated: bool | None = None) -> bool:
    """The one rule for reading a nomination (the module docstring says who).

    `seated` tells whether the user has a seat in the nomination's session when the caller
    already knows it (the session page, for every nomination on its agenda); otherwise it is
    looked up.
    """
    if can_read_everything(user):
        return True
    if is_unit_officer_of(user, nomination.proposing_unit):
        return True
    if seated is None:
        seated = is_seated(user, nomination.session_id)
    return seated and not council_conflict(user, nomination)


def get_nomination_for_user(user, pk, *, write: bool = False) -> Nomination:
    """Fetch a nomination the user may read (404 otherwise); writing is for the proposing unit's officer."""
    nomination = (
        Nomination.objects.select_related(
            "award_type", "staff__unit", "unit", "proposing_unit", "session", "snapshot__cluster"
        )
        .filter(pk=pk)
        .first()
    )
    if nomination is None or not can_read_nomination(user, nomination):
        raise Http404(_("No such nomination."))
    if write and not is_unit_officer_of(user, nomination.proposing_unit):
        raise PermissionDenied(_("Only the proposing unit's emulation officer can change this nomination."))
    return nomination


def get_document_for_user(user, pk) -> NominationDocument:
    """Fetch a dossier document whose nomination the user may read (404 otherwise)."""
    document = (
        NominationDocument.objects.select_related(
            "nomination__proposing_unit", "nomination__unit", "nomination__staff__unit"
        )
        .filter(pk=pk)
        .first()
    )
    if document is None or not can_read_nomination(user, document.nomination):
        raise Http404(_("No such file."))
    return document


def sessions_visible_to(user) -> QuerySet[CouncilSession]:
    """Every session for the secretary and leaders; a member sees the sessions it has a seat in."""
    if can_read_everything(user):
        return CouncilSession.objects.all()
    if not user.is_authenticated:
        return CouncilSession.objects.none()
    # A subquery rather than a join, so that counting a session's seats still counts all of them.
    return CouncilSession.objects.filter(pk__in=CouncilSeat.objects.filter(member=user).values("session_id"))


def can_open_council(user) -> bool:
    """The council pages: the secretary, leaders and committee members (their own sessions)."""
    return has_role(user, Role.COMMITTEE_SECRETARY, Role.LEADER, Role.COMMITTEE_MEMBER)


def get_session_for_user(user, pk) -> CouncilSession:
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404(_("No such council session."))
    return session


def get_decision_for_user(user, pk) -> Decision:
    """Decisions are read by the secretary and leaders (403 for other roles, 404 for a wrong id)."""
    require_readers_of_everything(user)
    decision = Decision.objects.select_related("created_by").filter(pk=pk).first()
    if decision is None:
        raise Http404(_("No such decision."))
    return decision


def get_award_record_for_user(user, pk, *, write: bool = False) -> AwardRecord:
    require_readers_of_everything(user)
    record = (
        AwardRecord.objects.select_related("award_type", "decision", "staff", "unit").filter(pk=pk).first()
    )
    if record is None:
        raise Http404(_("No such award."))
    if write:
        require_secretary(user)
    return record


def can_see_unit(user, unit: Unit) -> bool:
    """The same scope as the unit pages (one cheap query)."""
    return Unit.objects.visible_to(user).filter(pk=unit.pk).exists()


def can_see_staff(user, staff: Staff) -> bool:
    """The same scope as the staff pages (one cheap query)."""
    return Staff.objects.visible_to(user).filter(pk=staff.pk).exists()

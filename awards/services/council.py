"""Council sessions: seats and attendance, secret ballots, and closing with the rule 5 thresholds.

Secrecy: a vote's choice is stored (the count needs it) but never written to the audit trail and
never shown before the session closes, except to the member who cast it. After closing only the
counts per nomination are shown. An absent member may vote in writing; the secretary records
that ballot (`is_written`). A member present in the room votes in person.

Closing needs a quorum (rule 5: at least 2/3 of the seated members present). Each nomination on
the agenda then passes when its yes votes, in person and written, reach the threshold of its award
type applied to ALL seated members (engine `council_vote_passes`). The results are kept in the
session's "closed" audit entry, which the minutes are printed from: later changes to an award
type's threshold cannot rewrite the minutes of a past session.

Conflict of interest (docs/design.md §2): a member never votes on a nomination about its own unit, a
unit above it or below it. The threshold still counts every seated member, as the law says.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil, floor

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.eligibility import RuleParams, council_vote_passes
from awards.enums import NominationState, VoteChoice
from awards.models import AwardType, CouncilSeat, CouncilSession, Nomination, Vote
from awards.permissions import has_conflict_with
from awards.queries import engine_code
from awards.services.eligibility import rule_params_on
from awards.services.nominations import AwardsError
from units.enums import Role
from units.models import AuditEntry
from units.services import record_audit

SEAT_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_SECRETARY, Role.LEADER)
CLOSED_ACTION = "council.closed"


def seat_candidates():
    """The users who can hold a seat: active committee members, secretaries and leaders."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=SEAT_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def member_label(user) -> str:
    return user.get_full_name() or user.username


@dataclass(frozen=True)
class Quorum:
    """Rule 5: members seated, members present and how many must be present."""

    members: int
    present: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.needed


def quorum_of(seats: list[CouncilSeat], params: RuleParams) -> Quorum:
    members = len(seats)
    return Quorum(
        members=members,
        present=sum(1 for seat in seats if seat.attended),
        needed=ceil(params.quorum_share * members),
    )


def params_for(award_type: AwardType, params: RuleParams) -> RuleParams:
    """The rule parameters with the award type's own vote threshold (the catalogue can change it)."""
    if award_type.vote_threshold is None:
        return params
    share = Fraction(award_type.vote_threshold) / 100
    code = engine_code(award_type.code)
    return dataclasses.replace(params, vote_thresholds={**params.vote_thresholds, code: share})


def session_params(session: CouncilSession) -> RuleParams:
    """The rules in force on the day the council meets."""
    return rule_params_on(session.held_on)


@transaction.atomic
def create_session(*, title: str, year: int, held_on, members, actor) -> CouncilSession:
    """Open a council session with its seated members. Side effects: an audit entry."""
    members = list(members)
    if not members:
        raise AwardsError(_("Seat at least one council member."))
    session = CouncilSession.objects.create(title=title, year=year, held_on=held_on, created_by=actor)
    CouncilSeat.objects.bulk_create(CouncilSeat(session=session, member=member) for member in members)
    record_audit(
        session,
        action="council.created",
        actor=actor,
        after={"title": title, "year": year, "members": sorted(member.username for member in members)},
    )
    return session


def _lock(session: CouncilSession) -> CouncilSession:
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if session.is_closed:
        raise AwardsError(_("This council session is closed; nothing can change in it any more."))
    return session


@transaction.atomic
def record_attendance(session: CouncilSession, *, present_ids: set[int], actor) -> CouncilSession:
    """Mark who is in the room. A member who voted in person stays present; one with a written vote absent."""
    session = _lock(session)
    seats = list(session.seats.select_related("member"))
    voters = Counter(session.votes.values_list("member_id", "is_written"))
    problems = []
    for seat in seats:
        wants = seat.member_id in present_ids
        if not wants and voters[(seat.member_id, False)]:
            problems.append(
                _("%(member)s has already voted in person and must stay present.")
                % {"member": member_label(seat.member)}
            )
        if wants and voters[(seat.member_id, True)]:
            problems.append(
                _("%(member)s gave a written vote as an absent member and cannot be marked present.")
                % {"member": member_label(seat.member)}
            )
    if problems:
        raise AwardsError(" ".join(problems))
    before = sorted(seat.member.username for seat in seats if seat.attended)
    for seat in seats:
        seat.attended = seat.member_id in present_ids
    CouncilSeat.objects.bulk_update(seats, ["attended"])
    after = sorted(seat.member.username for seat in seats if seat.attended)
    record_audit(
        session,
        action="council.attendance",
        actor=actor,
        before={"present": before},
        after={"present": after},
    )
    return session


def _ballot_checks(session: CouncilSession, nomination: Nomination, member) -> CouncilSeat:
    nomination = (
        Nomination.objects.select_related("award_type", "staff__unit", "unit")
        .filter(pk=nomination.pk)
        .first()
    )
    if nomination is None or nomination.session_id != session.pk:
        raise AwardsError(_("This nomination is not on the agenda of this session."))
    if nomination.state != NominationState.COUNCIL:
        raise AwardsError(_("This nomination is no longer open for votes."))
    seat = session.seats.filter(member=member).first()
    if seat is None:
        raise AwardsError(_("Only the members seated in this session can vote."))
    if has_conflict_with(member, nomination):
        raise AwardsError(
            _(
                "%(member)s has a conflict of interest with this nomination (own unit, or a unit above or below it) and does not vote on it."
            )
            % {"member": member_label(member)}
        )
    return seat


def _save_vote(session, nomination, member, choice, *, written: bool) -> Vote:
    if choice not in VoteChoice.values:
        raise AwardsError(_("Choose agree, disagree or abstain."))
    try:
        with transaction.atomic():
            return Vote.objects.create(
                session=session, nomination=nomination, member=member, choice=choice, is_written=written
            )
    except IntegrityError:
        raise AwardsError(
            _("%(member)s has already voted on this nomination; a ballot cannot be changed.")
            % {"member": member_label(member)}
        ) from None


@transaction.atomic
def cast_vote(session: CouncilSession, *, nomination: Nomination, member, choice: str) -> Vote:
    """A member present in the session casts its one secret ballot on a nomination.

    Side effects: the vote row and an audit entry that names the member but never the choice.
    """
    session = _lock(session)
    seat = _ballot_checks(session, nomination, member)
    if not seat.attended:
        raise AwardsError(
            _(
                "The secretary has not marked you present. Ask the secretary to record your attendance, or give a written vote."
            )
        )
    vote = _save_vote(session, nomination, member, choice, written=False)
    record_audit(session, action="council.vote_cast", actor=member, after={"nomination": nomination.pk})
    return vote


@transaction.atomic
def record_written_vote(
    session: CouncilSession, *, nomination: Nomination, member, choice: str, actor
) -> Vote:
    """The secretary records the written ballot of an absent member (it counts like any other)."""
    session = _lock(session)
    seat = _ballot_checks(session, nomination, member)
    if seat.attended:
        raise AwardsError(
            _("%(member)s is marked present and votes in person; written votes are for absent members.")
            % {"member": member_label(member)}
        )
    vote = _save_vote(session, nomination, member, choice, written=True)
    record_audit(
        session,
        action="council.written_vote",
        actor=actor,
        after={"nomination": nomination.pk, "member": member.username},
    )
    return vote


def _percent(share: Fraction) -> str:
    value = (Decimal(share.numerator * 100) / Decimal(share.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return str(value.to_integral()) if value == value.to_integral() else str(value)


@transaction.atomic
def close_session(session: CouncilSession, *, actor) -> list[dict]:
    """Close the session (only with a quorum) and decide every nomination on its agenda.

    Each nomination becomes approved or rejected by its yes votes over ALL seated members, at
    its award type's threshold. Returns the results (also kept in the "closed" audit entry, which
    the minutes are printed from). Side effects: audit entries on the session and on each nomination.
    """
    session = _lock(session)
    params = session_params(session)
    seats = list(session.seats.select_related("member"))
    quorum = quorum_of(seats, params)
    if not quorum.reached:
        raise AwardsError(
            _(
                "The session cannot be closed without a quorum: %(present)s of %(members)s members are "
                "present and at least %(needed)s are needed. Record the attendance first."
            )
            % {"present": quorum.present, "members": quorum.members, "needed": quorum.needed}
        )
    nominations = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(session=session, state=NominationState.COUNCIL)
        .select_related("award_type", "staff", "unit")
        .order_by("award_type__rank_order", "pk")
    )
    counts = Counter(
        (nomination_id, choice, written)
        for nomination_id, choice, written in session.votes.values_list(
            "nomination_id", "choice", "is_written"
        )
    )
    results = []
    for nomination in nominations:
        tally = {
            choice: counts[(nomination.pk, choice, False)] + counts[(nomination.pk, choice, True)]
            for choice in VoteChoice.values
        }
        written = sum(counts[(nomination.pk, choice, True)] for choice in VoteChoice.values)
        code = engine_code(nomination.award_type.code)
        rules = params_for(nomination.award_type, params)
        share, strict = rules.vote_threshold(code)
        verdict = council_vote_passes(code, tally[VoteChoice.YES], quorum.members, quorum.present, rules)
        required = floor(share * quorum.members) + 1 if strict else ceil(share * quorum.members)
        passed = verdict.eligible
        result = {
            "nomination": nomination.pk,
            "subject": str(nomination.subject),
            "award": nomination.award_type.name,
            "yes": tally[VoteChoice.YES],
            "no": tally[VoteChoice.NO],
            "abstain": tally[VoteChoice.ABSTAIN],
            "written": written,
            "threshold": _percent(share),
            "strict": strict,
            "required": required,
            "passed": passed,
        }
        results.append(result)
        previous = nomination.state
        nomination.state = NominationState.APPROVED if passed else NominationState.REJECTED
        nomination.version += 1
        nomination.save(update_fields=["state", "version"])
        record_audit(
            nomination,
            action="nomination.council_approved" if passed else "nomination.council_rejected",
            actor=actor,
            before={"state": previous},
            after={"state": nomination.state, "yes": result["yes"], "members": quorum.members},
        )
    session.is_closed = True
    session.closed_at = timezone.now()
    session.save(update_fields=["is_closed", "closed_at"])
    record_audit(
        session,
        action=CLOSED_ACTION,
        actor=actor,
        after={"members": quorum.members, "present": quorum.present, "results": results},
    )
    return results


def stored_results(session: CouncilSession) -> list[dict] | None:
    """The results kept when the session closed (None while it is open)."""
    if not session.is_closed:
        return None
    entry = AuditEntry.objects.for_record(session).filter(action=CLOSED_ACTION).first()
    return entry.after.get("results", []) if entry is not None else []

"""Nominations and their dossiers: the unit proposes, the secretary screens.

draft -> submitted -> screening <-> needs_supplement -> council -> approved | rejected -> decided
(council.py moves a nomination out of "council", decisions.py to "decided"). Every change is
recorded in the nomination's audit trail inside the transaction that makes it. Services assume
validated input (the forms validate) and raise AwardsError subclasses, with a message for the
user, when a business rule is broken.

Rule 12 (one achievement, one award) is read as: the same subject, year and award type cannot be
proposed twice while a nomination is alive (anything but rejected) or an award is held (not
revoked); a second commendation form for the same subject and year is allowed with a warning,
because it may reward a different achievement (the council decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.eligibility import AwardClaim, Verdict, dossier_complete, one_achievement_one_award
from awards.enums import NominationState
from awards.models import AwardRecord, AwardType, CouncilSession, Nomination, NominationDocument
from awards.queries import engine_code
from awards.services import law
from awards.services.eligibility import rule_params_on
from awards.services.errors import AwardsError, BlockedByLawError, LawRefusalError, ReasonRequiredError
from core.uploads import CheckedFile
from emulation.enums import RankingScope, Subject
from emulation.models import RankingEntry
from units.models import Staff, Unit
from units.services import record_audit

EDITABLE_STATES = frozenset({NominationState.DRAFT, NominationState.NEEDS_SUPPLEMENT})
SCREENABLE_STATES = frozenset({NominationState.SUBMITTED, NominationState.SCREENING})
MINISTRY_FLAG_CODE = "CO_BO"

__all__ = [  # the errors live in awards.services.errors; callers import them from here too
    "AwardsError",
    "BlockedByLawError",
    "LawRefusalError",
    "ReasonRequiredError",
]


class ClosedForChangesError(AwardsError):
    """The nomination is in a state in which the unit can no longer change it."""


class IncompleteDossierError(AwardsError):
    """The dossier lacks documents the law requires (rule 19)."""


class DuplicateNominationError(AwardsError):
    """The same subject already has this award (or a nomination for it) for the year (rule 12)."""


def _subject_label(staff: Staff | None, unit: Unit | None) -> str:
    return staff.full_name if staff is not None else unit.name


@dataclass(frozen=True)
class AwardConflicts:
    """What rule 12 says about a proposed award: refusals stop it, warnings are shown."""

    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def award_conflicts(
    *,
    award_type: AwardType,
    year: int,
    staff: Staff | None = None,
    unit: Unit | None = None,
    exclude: Nomination | None = None,
) -> AwardConflicts:
    """Rule 12 for a proposed award against the subject's live nominations and held awards (2 queries)."""
    subject = {"staff": staff} if staff is not None else {"unit": unit}
    nominations = (
        Nomination.objects.filter(year=year, **subject)
        .exclude(state=NominationState.REJECTED)
        .select_related("award_type")
    )
    if exclude is not None and exclude.pk:
        nominations = nominations.exclude(pk=exclude.pk)
    records = AwardRecord.objects.filter(year=year, is_revoked=False, **subject).select_related("award_type")
    existing = {engine_code(item.award_type.code): item.award_type for item in [*nominations, *records]}
    key = ("staff", staff.pk) if staff is not None else ("unit", unit.pk)
    proposed = AwardClaim(subject=key, code=engine_code(award_type.code), year=year)
    verdict = one_achievement_one_award(
        [AwardClaim(subject=key, code=code, year=year) for code in existing], proposed
    )
    refusals, warnings = [], []
    values = {"subject": _subject_label(staff, unit), "year": year}
    for reason in verdict.reasons if not verdict.eligible else ():
        existing_type = existing[reason.params["existing"]]
        if reason.params["existing"] == proposed.code:
            refusals.append(
                _(
                    "%(subject)s already has a nomination or an award for %(award)s %(year)s. "
                    "One achievement gets one award, so this nomination cannot be added."
                )
                % {**values, "award": existing_type.name}
            )
        else:
            warnings.append(
                _(
                    "%(subject)s already has %(existing)s for %(year)s. Two commendation forms cannot "
                    "reward the same achievement: make sure this nomination is for a different one."
                )
                % {**values, "existing": existing_type.name}
            )
    return AwardConflicts(refusals=refusals, warnings=warnings)


def _lock_subject(staff: Staff | None, unit: Unit | None) -> None:
    """Serialise proposals for one subject, so that two officers cannot both pass the rule 12 check."""
    if staff is not None:
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
    else:
        Unit.objects.select_for_update().filter(pk=unit.pk).first()


def _check_subject(
    *, proposing_unit: Unit, award_type: AwardType, staff: Staff | None, unit: Unit | None
) -> None:
    if (staff is None) == (unit is None):
        raise AwardsError(_("Choose either a staff member or a unit to propose."))
    if staff is not None:
        if award_type.subject != Subject.INDIVIDUAL:
            raise AwardsError(_("%(award)s is given to units, not to a person.") % {"award": award_type.name})
        home = staff.unit
    else:
        if award_type.subject != Subject.COLLECTIVE:
            raise AwardsError(_("%(award)s is given to persons, not to a unit.") % {"award": award_type.name})
        home = unit
    if home is None or not home.path.startswith(proposing_unit.path):
        raise AwardsError(_("A unit can only propose itself, the units below it and their staff."))


def _lock(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("award_type", "staff__unit", "unit", "proposing_unit")
        .get(pk=nomination.pk)
    )


def _ensure_unit_may_edit(nomination: Nomination) -> None:
    if nomination.state not in EDITABLE_STATES:
        raise ClosedForChangesError(
            _("This nomination is “%(state)s”; the unit can no longer change it.")
            % {"state": nomination.get_state_display()}
        )


@transaction.atomic
def create_nomination(
    *,
    actor,
    proposing_unit: Unit,
    award_type: AwardType,
    year: int,
    staff: Staff | None = None,
    unit: Unit | None = None,
    achievements: str = "",
) -> Nomination:
    """Start a draft nomination of a staff member or a unit of the proposing unit's subtree.

    Refuses (DuplicateNominationError) a second nomination for the same subject, year and award.
    Side effects: an audit entry.
    """
    _check_subject(proposing_unit=proposing_unit, award_type=award_type, staff=staff, unit=unit)
    _lock_subject(staff, unit)
    conflicts = award_conflicts(award_type=award_type, year=year, staff=staff, unit=unit)
    if conflicts.refusals:
        raise DuplicateNominationError(" ".join(conflicts.refusals))
    nomination = Nomination.objects.create(
        award_type=award_type,
        year=year,
        staff=staff,
        unit=unit,
        proposing_unit=proposing_unit,
        achievements=achievements,
        created_by=actor,
    )
    record_audit(
        nomination,
        action="nomination.created",
        actor=actor,
        after={"award": award_type.code, "year": year, "subject": _subject_label(staff, unit)},
    )
    return nomination


@transaction.atomic
def update_nomination(
    nomination: Nomination,
    *,
    actor,
    award_type: AwardType,
    year: int,
    staff: Staff | None = None,
    unit: Unit | None = None,
    achievements: str = "",
) -> Nomination:
    """Change a draft (or a nomination returned for supplements): subject, award, year, achievements."""
    nomination = _lock(nomination)
    _ensure_unit_may_edit(nomination)
    _check_subject(proposing_unit=nomination.proposing_unit, award_type=award_type, staff=staff, unit=unit)
    _lock_subject(staff, unit)
    conflicts = award_conflicts(award_type=award_type, year=year, staff=staff, unit=unit, exclude=nomination)
    if conflicts.refusals:
        raise DuplicateNominationError(" ".join(conflicts.refusals))
    before = {
        "award": nomination.award_type.code,
        "year": nomination.year,
        "subject": _subject_label(nomination.staff, nomination.unit),
    }
    nomination.award_type, nomination.year = award_type, year
    nomination.staff, nomination.unit = staff, unit
    nomination.achievements = achievements
    nomination.version += 1
    nomination.save(update_fields=["award_type", "year", "staff", "unit", "achievements", "version"])
    after = {"award": award_type.code, "year": year, "subject": _subject_label(staff, unit)}
    record_audit(nomination, action="nomination.changed", actor=actor, before=before, after=after)
    return nomination


def add_document(
    nomination: Nomination, *, actor, kind: str, upload, checked: CheckedFile
) -> NominationDocument:
    """Attach a checked file (core.uploads) to the dossier as a document of `kind`.

    Side effects: writes the file under MEDIA_ROOT/dossiers/ (never under the user's name) and an
    audit entry. When anything fails the row is not written and the file is removed. The same
    file twice for the same kind is refused.
    """
    stored_name = ""
    try:
        with transaction.atomic():
            nomination = _lock(nomination)
            _ensure_unit_may_edit(nomination)
            twin = nomination.documents.filter(kind=kind, sha256=checked.sha256).first()
            if twin is not None:
                raise AwardsError(
                    _("“%(name)s” is already in the dossier (as “%(existing)s”).")
                    % {"name": checked.name, "existing": twin.original_name}
                )
            document = NominationDocument(
                nomination=nomination,
                kind=kind,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            document.file.save(checked.name, upload, save=False)
            stored_name = document.file.name
            document.save()
            record_audit(
                nomination,
                action="nomination.document_added",
                actor=actor,
                after={"kind": kind, "file": checked.name, "sha256": checked.sha256, "size": checked.size},
            )
    except BaseException:
        if stored_name:
            NominationDocument._meta.get_field("file").storage.delete(stored_name)
        raise
    return document


@transaction.atomic
def remove_document(document: NominationDocument, *, actor) -> None:
    """Take a document out of a dossier the unit may still change; the file goes once committed."""
    nomination = _lock(document.nomination)
    _ensure_unit_may_edit(nomination)
    document = NominationDocument.objects.filter(pk=document.pk, nomination=nomination).first()
    if document is None:
        raise AwardsError(_("This file was already removed."))
    stored_name, storage = document.file.name, document.file.storage
    record_audit(
        nomination,
        action="nomination.document_removed",
        actor=actor,
        before={"kind": document.kind, "file": document.original_name, "sha256": document.sha256},
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))


def dossier_verdict(nomination: Nomination, *, on=None) -> Verdict:
    """Rule 19 for the nomination's dossier under the rules in force on `on` (today by default)."""

    kinds = set(nomination.documents.values_list("kind", flat=True))
    params = rule_params_on(on or timezone.localdate())
    return dossier_complete(engine_code(nomination.award_type.code), kinds, params)


@transaction.atomic
def submit_nomination(nomination: Nomination, *, actor, reason: str = "") -> Nomination:
    """Send a draft (or a supplemented nomination) to the committee.

    Refuses an incomplete dossier (rule 19, listing what is missing), a duplicate (rule 12), a
    nomination the law blocks today (awards.services.law: BlockedByLawError) and one with unmet
    conditions the council may weigh when no `reason` is written (ReasonRequiredError). Keeps the
    verdict of the day with its reasons. Side effects: an audit entry (with the reason).
    """

    nomination = _lock(nomination)
    _ensure_unit_may_edit(nomination)
    if not nomination.achievements.strip():
        raise AwardsError(_("Describe the achievements before submitting the nomination."))
    conflicts = award_conflicts(
        award_type=nomination.award_type,
        year=nomination.year,
        staff=nomination.staff,
        unit=nomination.unit,
        exclude=nomination,
    )
    if conflicts.refusals:
        raise DuplicateNominationError(" ".join(conflicts.refusals))
    dossier = dossier_verdict(nomination)
    if not dossier.eligible:
        raise IncompleteDossierError(
            " ".join(
                [
                    _("The dossier is incomplete, so the nomination was not submitted."),
                    *map(str, dossier.reasons),
                ]
            )
        )
    previous = nomination.state
    submitted_at = timezone.now()
    check = law.enforce_law(nomination, step=law.SUBMIT, on=timezone.localdate(submitted_at), reason=reason)
    nomination.submitted_at = submitted_at
    _keep_verdict(nomination, check)
    nomination.state = NominationState.SUBMITTED
    nomination.version += 1
    nomination.save(update_fields=["submitted_at", "eligibility", "is_eligible", "state", "version"])
    record_audit(
        nomination,
        action="nomination.submitted",
        actor=actor,
        reason=reason.strip() if check.weighed else "",
        before={"state": previous},
        after={"state": nomination.state, "eligible": check.verdict.eligible},
    )
    return nomination


def _keep_verdict(nomination: Nomination, check: law.StepCheck) -> None:
    """The verdict of the step becomes the nomination's current verdict (saved by the caller)."""
    nomination.eligibility = check.stored()
    nomination.is_eligible = check.verdict.eligible


def _move(
    nomination: Nomination,
    *,
    actor,
    allowed: frozenset[str],
    to: str,
    action: str,
    refusal: str,
    reason: str = "",
    after: dict | None = None,
    law_step: str | None = None,
    **changes,
) -> Nomination:
    nomination = _lock(nomination)
    if nomination.state not in allowed:
        raise AwardsError(refusal % {"state": nomination.get_state_display()})
    if law_step is not None:
        check = law.enforce_law(nomination, step=law_step, on=timezone.localdate(), reason=reason)
        _keep_verdict(nomination, check)
        changes = {**changes, "eligibility": nomination.eligibility, "is_eligible": nomination.is_eligible}
        after = {**(after or {}), "eligible": check.verdict.eligible}
        reason = reason if check.weighed else ""
    previous = nomination.state
    nomination.state = to
    for name, value in changes.items():
        setattr(nomination, name, value)
    nomination.version += 1
    nomination.save(update_fields=["state", "version", *changes])
    record_audit(
        nomination,
        action=action,
        actor=actor,
        reason=reason,
        before={"state": previous},
        after={"state": to, **(after or {})},
    )
    return nomination


@transaction.atomic
def start_screening(nomination: Nomination, *, actor) -> Nomination:
    """The secretary starts checking a submitted nomination; refused when the law blocks it today."""
    return _move(
        nomination,
        actor=actor,
        allowed=frozenset({NominationState.SUBMITTED}),
        to=NominationState.SCREENING,
        action="nomination.screening",
        refusal=_("Only a submitted nomination can be screened; this one is “%(state)s”."),
        law_step=law.SCREEN,
    )


@transaction.atomic
def request_supplement(nomination: Nomination, *, actor, reason: str) -> Nomination:
    """The secretary returns the nomination to its unit, saying what to add or fix."""
    return _move(
        nomination,
        actor=actor,
        allowed=SCREENABLE_STATES,
        to=NominationState.NEEDS_SUPPLEMENT,
        action="nomination.needs_supplement",
        refusal=_(
            "Supplements can be asked for while the nomination is being screened, not when it is “%(state)s”."
        ),
        reason=reason,
        return_reason=reason,
    )


@transaction.atomic
def send_to_council(
    nomination: Nomination, *, actor, session: CouncilSession, reason: str = ""
) -> Nomination:
    """The secretary puts a screened nomination on the agenda of an open council session.

    Refused when the law blocks it today, and when conditions the council may weigh are unmet and
    no `reason` is written (awards.services.law). Side effects: an audit entry (with the reason).
    """
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if session.is_closed:
        raise AwardsError(_("This council session is closed; choose an open one."))
    if session.year != nomination.year:
        raise AwardsError(
            _("The session votes on the achievements of %(session)s; this nomination is for %(year)s.")
            % {"session": session.year, "year": nomination.year}
        )
    return _move(
        nomination,
        actor=actor,
        allowed=frozenset({NominationState.SCREENING}),
        to=NominationState.COUNCIL,
        action="nomination.sent_to_council",
        refusal=_("Only a nomination being screened can go to the council; this one is “%(state)s”."),
        after={"session": str(session)},
        reason=reason.strip(),
        law_step=law.AGENDA,
        session=session,
        return_reason="",
    )


@transaction.atomic
def reject_nomination(nomination: Nomination, *, actor, reason: str) -> Nomination:
    """The secretary turns down a nomination during screening, with the reason."""
    return _move(
        nomination,
        actor=actor,
        allowed=SCREENABLE_STATES | {NominationState.NEEDS_SUPPLEMENT},
        to=NominationState.REJECTED,
        action="nomination.rejected",
        refusal=_("A nomination that is “%(state)s” can no longer be rejected at screening."),
        reason=reason,
    )


@transaction.atomic
def propose_ministry_flags(period_year: int, *, actor, refused: list[str] | None = None) -> list[Nomination]:
    """Propose the ministry emulation flag (rule 8) for the first unit of each cluster and block.

    Reads the final, current cluster snapshots of the year's periods; each first-placed unit gets
    a submitted nomination of CO_BO linked to its snapshot, proposed by the unit itself, with the
    verdict of the day. A unit the law blocks today (awards.services.law) gets none: the refusal
    is appended to `refused` when given. Idempotent: a unit that already has a CO_BO nomination for
    the year (in any state) gets no second one. Returns the nominations created. Side effects:
    audit entries.
    """

    award_type = AwardType.objects.get(code=MINISTRY_FLAG_CODE)
    leaders = (
        RankingEntry.objects.filter(
            rank=1,
            snapshot__period__year=period_year,
            snapshot__scope=RankingScope.CLUSTER,
            snapshot__is_provisional=False,
            snapshot__is_current=True,
        )
        .select_related("unit", "snapshot__cluster")
        .order_by("snapshot__cluster__code", "snapshot__pk")
    )
    taken = set(
        Nomination.objects.filter(award_type=award_type, year=period_year, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    created = []
    now = timezone.now()
    for entry in leaders:
        if entry.unit_id in taken:
            continue
        taken.add(entry.unit_id)
        cluster = entry.snapshot.cluster
        nomination = Nomination(
            award_type=award_type,
            year=period_year,
            unit=entry.unit,
            proposing_unit=entry.unit,
            state=NominationState.SUBMITTED,
            achievements=_("First in %(cluster)s in the final ranking of %(year)s.")
            % {"cluster": cluster.name if cluster else "—", "year": period_year},
            snapshot=entry.snapshot,
            created_by=actor,
            submitted_at=now,
        )
        try:
            check = law.enforce_law(
                nomination, step=law.SUBMIT, on=timezone.localdate(now), reason=nomination.achievements
            )
        except BlockedByLawError as error:
            if refused is not None:
                refused.append(f"{entry.unit.name}: {error}")
            continue
        _keep_verdict(nomination, check)
        nomination.save()
        record_audit(
            nomination,
            action="nomination.flag_proposed",
            actor=actor,
            after={
                "state": nomination.state,
                "snapshot": entry.snapshot_id,
                "eligible": check.verdict.eligible,
            },
        )
        created.append(nomination)
    return created

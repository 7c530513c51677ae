"""Award decisions: recording a signed decision, the award records it creates, and revocation.

The reward of each award is its coefficient times the base salary in force on the decision date
(engine `reward_amount`), in whole VND. The engine knows the legal coefficients of the titles and
forms; an award type it has no coefficient for (the commemorative medal) uses the catalogue's own.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.eligibility import RuleParams, base_salary_on, reward_amount
from awards.enums import NominationState
from awards.models import AwardRecord, AwardType, Decision, Nomination
from awards.queries import engine_code
from awards.services import law
from awards.services.eligibility import rule_params_on
from awards.services.nominations import AwardsError, BlockedByLawError
from core.uploads import CheckedFile
from units.services import record_audit


class DecisionNumberTakenError(AwardsError):
    """Another decision already carries this number."""


def normalise_number(number: str) -> str:
    """Spacing squeezed and letters in capitals, as decision numbers are printed ("125/QĐ-CHQ").

    Capitals also make "qđ" and "QĐ" the same number on SQLite, whose case folding is ASCII only.
    """
    return " ".join(number.split()).upper()


def number_taken(number: str) -> bool:
    """True when a decision with this number exists (letter case and spacing ignored)."""
    return Decision.objects.filter(number__iexact=normalise_number(number)).exists()


def _number_taken_error(number: str) -> DecisionNumberTakenError:
    return DecisionNumberTakenError(
        _("Decision number %(number)s is already recorded. Check the number on the signed decision.")
        % {"number": number}
    )


def reward_for(award_type: AwardType, *, collective: bool, decided_on, params: RuleParams) -> Decimal:
    """Coefficient × base salary on the decision date, in whole VND (half up)."""
    code = engine_code(award_type.code)
    table = params.collective_coefficients if collective else params.individual_coefficients
    if code in table:
        return reward_amount(code, decided_on, params, collective=collective)
    amount = award_type.coefficient * base_salary_on(decided_on, params)
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def base_salary_for(decided_on) -> Decimal:
    """The base salary in force on a decision date; AwardsError when no rule set covers the date."""
    try:
        return base_salary_on(decided_on, rule_params_on(decided_on))
    except (LookupError, ValueError):
        raise AwardsError(
            _("No base salary is recorded for %(date)s; check the decision date.")
            % {"date": decided_on.strftime("%d/%m/%Y")}
        ) from None


def decision_date_problem(decided_on, sessions_held_on=()) -> str | None:
    """Why a decision date is impossible (None when it is fine): later than today plus the
    allowance `AWARDS_DECISION_MAX_DAYS_AHEAD` (a decision signed for the coming days), or earlier
    than the meeting of a council that approved a nomination it covers."""
    allowance = settings.AWARDS_DECISION_MAX_DAYS_AHEAD
    latest = timezone.localdate() + datetime.timedelta(days=allowance)
    if decided_on > latest:
        return _(
            "A decision cannot be dated more than %(days)s days ahead (latest %(latest)s); check the date."
        ) % {"days": allowance, "latest": latest.strftime("%d/%m/%Y")}
    held = [day for day in sessions_held_on if day is not None]
    if held and decided_on < max(held):
        return _(
            "The decision is dated %(date)s, before the council that approved it met (%(held)s): a decision "
            "cannot predate its council."
        ) % {"date": decided_on.strftime("%d/%m/%Y"), "held": max(held).strftime("%d/%m/%Y")}
    return None


def check_decision_date(decided_on, nominations: list[Nomination]) -> None:
    """AwardsError when the date is impossible for these nominations (see decision_date_problem)."""
    problem = decision_date_problem(
        decided_on, [nomination.session.held_on for nomination in nominations if nomination.session_id]
    )
    if problem:
        raise AwardsError(problem)


def create_decision(
    *,
    number: str,
    decided_on,
    signer: str,
    level: str,
    title: str,
    nominations: list[Nomination],
    actor,
    upload=None,
    checked: CheckedFile | None = None,
) -> Decision:
    """Record a signed decision and give each approved nomination it covers its award record.

    Each nomination becomes "decided" with an AwardRecord whose amount is computed from the base
    salary on the decision date, and the verdict judged on the decision date under the rule set in
    force that day. Refuses a number already used (DecisionNumberTakenError), any nomination that
    is not approved, an impossible date (`decision_date_problem`) and a nomination the law blocks on
    the decision date (BlockedByLawError, e.g. a unit dissolved without successor by then); then
    nothing is saved and the stored file is removed.
    Side effects: the signed file under MEDIA_ROOT/decisions/ (a random name), audit entries on the
    decision and on every nomination.
    """
    number = normalise_number(number)
    stored_name = ""
    try:
        with transaction.atomic():
            if not number or len(number) > Decision._meta.get_field("number").max_length:
                raise AwardsError(_("Enter the decision number as printed on the signed decision."))
            if number_taken(number):
                raise _number_taken_error(number)
            try:
                params = rule_params_on(decided_on)
                base_salary = base_salary_on(decided_on, params)
            except (LookupError, ValueError):
                raise AwardsError(
                    _("No base salary is recorded for %(date)s; check the decision date.")
                    % {"date": decided_on.strftime("%d/%m/%Y")}
                ) from None
            ids = sorted({nomination.pk for nomination in nominations})
            if not ids:
                raise AwardsError(_("Choose the approved nominations the decision covers."))
            locked = list(
                Nomination.objects.select_for_update(of=("self",))
                .filter(pk__in=ids)
                .select_related("award_type", "staff", "unit", "session")
                .order_by("pk")
            )
            not_approved = [
                str(nomination) for nomination in locked if nomination.state != NominationState.APPROVED
            ]
            if len(locked) != len(ids) or not_approved:
                raise AwardsError(
                    _("Only nominations approved by the council can be decided; not approved: %(list)s.")
                    % {"list": "; ".join(not_approved) or "—"}
                )
            check_decision_date(decided_on, locked)
            checks = law.judge_steps(locked, step=law.DECISION, on=decided_on)
            blocked = [
                (nomination, checks[nomination.pk]) for nomination in locked if checks[nomination.pk].blocked
            ]
            if blocked:
                raise BlockedByLawError(
                    " ".join(
                        f"{nomination.subject}: {law.blocked_message(check)}" for nomination, check in blocked
                    ),
                    check=blocked[0][1],
                )
            decision = Decision(
                number=number,
                decided_on=decided_on,
                signer=signer,
                level=level,
                title=title,
                base_salary=base_salary,
                created_by=actor,
            )
            if upload is not None and checked is not None:
                # The user's file name never becomes a path: a random name with the checked extension.
                extension = checked.name.rsplit(".", 1)[-1].lower() if "." in checked.name else "pdf"
                decision.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
                stored_name = decision.file.name
            try:
                with transaction.atomic():
                    decision.save()
            except IntegrityError:
                raise _number_taken_error(number) from None
            records = []
            for nomination in locked:
                amount = reward_for(
                    nomination.award_type,
                    collective=nomination.unit_id is not None,
                    decided_on=decided_on,
                    params=params,
                )
                records.append(
                    AwardRecord(
                        award_type=nomination.award_type,
                        year=nomination.year,
                        staff=nomination.staff,
                        unit=nomination.unit,
                        decision=decision,
                        nomination=nomination,
                        amount=amount,
                    )
                )
                nomination.state = NominationState.DECIDED
                nomination.version += 1
                nomination.eligibility = checks[nomination.pk].stored()
                nomination.is_eligible = checks[nomination.pk].verdict.eligible
                nomination.save(update_fields=["state", "version", "eligibility", "is_eligible"])
                record_audit(
                    nomination,
                    action="nomination.decided",
                    actor=actor,
                    before={"state": NominationState.APPROVED},
                    after={"state": NominationState.DECIDED, "decision": number, "amount": str(amount)},
                )
            AwardRecord.objects.bulk_create(records)
            record_audit(
                decision,
                action="decision.recorded",
                actor=actor,
                after={
                    "number": number,
                    "date": decided_on.isoformat(),
                    "base_salary": str(base_salary),
                    "awards": len(records),
                    "total": str(sum((record.amount for record in records), Decimal(0))),
                },
            )
    except BaseException:
        if stored_name:
            Decision._meta.get_field("file").storage.delete(stored_name)
        raise
    return decision


@transaction.atomic
def revoke_award(record: AwardRecord, *, actor, reason: str) -> AwardRecord:
    """Revoke an award (it stays in the history, struck through, with the reason). Side effects: audit."""
    record = AwardRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_revoked:
        raise AwardsError(_("This award was already revoked."))
    record.is_revoked = True
    record.revoked_reason = reason
    record.revoked_at = timezone.now()
    record.save(update_fields=["is_revoked", "revoked_reason", "revoked_at"])
    record_audit(
        record,
        action="award.revoked",
        actor=actor,
        reason=reason,
        before={"revoked": False},
        after={"revoked": True},
    )
    return record

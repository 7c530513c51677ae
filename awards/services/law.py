"""The law at every step of an award: one check that every step of a nomination goes through.

A nomination is judged again at each step, on that step's date, under the rule set in force that
day (`judge_step`):

| step       | date judged on                  | unmet conditions the council may weigh |
|------------|---------------------------------|-----------------------------------------|
| submit     | the day it is sent              | need a reason written by the officer    |
| screen     | the day screening starts        | shown                                   |
| agenda     | the day it is put on the agenda | need a reason written by the secretary  |
| ballot     | the day the council meets       | shown on the agenda                     |
| decision   | the decision date               | shown (the council has weighed them)    |

What the law makes absolute BLOCKS every step: the step is refused with the rule's message and
nothing changes (`enforce_law` raises `BlockedByLawError` inside the step's transaction):

- rule 13: a discipline review, investigation, inspection or complaint open on the step's date;
- rules 1 and 17: a discipline in force in the year of the achievement (it forbids the year's
  titles, and every title that needs them);
- rule 15: the unit was dissolved on or before the step's date and has no successor;
- rule 20: no registration for the title, when the rule set requires one.

Every other unmet condition INFORMS: the council may weigh the facts. The steps that move the
nomination towards the council on someone's judgement (submit, agenda) ask for a written reason
to go on (`ReasonRequiredError` without one); the reason is kept in the step's audit entry.
The list of rules and their legal basis is in docs/awards-rules.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from awards.eligibility import Reason, Verdict
from awards.models import Nomination
from awards.services.eligibility import judge_nominations
from awards.services.errors import BlockedByLawError, ReasonRequiredError

SUBMIT = "submit"
SCREEN = "screen"
AGENDA = "agenda"
BALLOT = "ballot"
DECISION = "decision"
STEPS = (SUBMIT, SCREEN, AGENDA, BALLOT, DECISION)
REASON_STEPS = frozenset({SUBMIT, AGENDA})

# Reason codes of conditions the law makes absolute (see the module docstring).
ALWAYS_BLOCKING = frozenset({"open_review", "unit_dissolved", "not_registered"})
# A discipline blocks when it is in the year of the achievement.
DISCIPLINE_IN_YEAR = frozenset({"discipline_in_year", "rating_forced_by_discipline"})


def is_blocking(reason: Reason, year: int) -> bool:
    """True when the unmet condition is one the law makes absolute for an award of `year`."""
    if reason.met:
        return False
    if reason.code in ALWAYS_BLOCKING:
        return True
    return reason.code in DISCIPLINE_IN_YEAR and reason.params.get("year") == year


@dataclass(frozen=True)
class StepCheck:
    """A nomination judged for one step: the verdict, and its unmet conditions split in two."""

    step: str
    on: datetime.date
    verdict: Verdict
    blocking: tuple[Reason, ...]
    weighed: tuple[Reason, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)

    @property
    def needs_reason(self) -> bool:
        return self.step in REASON_STEPS and bool(self.weighed)

    def stored(self) -> dict:
        """The verdict as kept on the nomination, with the day and step it was judged at."""
        return {**self.verdict.to_dict(), "judged_on": self.on.isoformat(), "step": self.step}


def _split(step: str, on: datetime.date, verdict: Verdict, year: int) -> StepCheck:
    unmet = [] if verdict.eligible else list(verdict.reasons)
    blocking = tuple(reason for reason in unmet if is_blocking(reason, year))
    weighed = tuple(reason for reason in unmet if not is_blocking(reason, year))
    return StepCheck(step=step, on=on, verdict=verdict, blocking=blocking, weighed=weighed)


def judge_steps(nominations: list[Nomination], *, step: str, on: datetime.date) -> dict[int, StepCheck]:
    """Judge nominations for a step on `on` (a fixed number of queries for any number of them)."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    verdicts = judge_nominations(nominations, on=on)
    return {
        nomination.pk: _split(step, on, verdicts[nomination.pk], nomination.year)
        for nomination in nominations
    }


def judge_step(nomination: Nomination, *, step: str, on: datetime.date) -> StepCheck:
    """Judge one nomination for a step on `on`. Read-only."""
    return judge_steps([nomination], step=step, on=on)[nomination.pk]


def blocked_message(check: StepCheck) -> str:
    """The refusal: which rule stops the step, with the rule's own sentences."""
    rules = ", ".join(dict.fromkeys(reason.rule for reason in check.blocking if reason.rule))
    return " ".join(
        [
            _(
                "The law does not allow this nomination to go further (%(rules)s, judged on %(date)s); "
                "nothing was changed."
            )
            % {"rules": rules, "date": check.on.strftime("%d/%m/%Y")},
            *(reason.text for reason in check.blocking),
        ]
    )


def reason_needed_message(check: StepCheck) -> str:
    return " ".join(
        [
            _(
                "Conditions of the law are not met (judged on %(date)s). The council may weigh them, but "
                "write why the nomination should go on; nothing was changed."
            )
            % {"date": check.on.strftime("%d/%m/%Y")},
            *(reason.text for reason in check.weighed),
        ]
    )


def enforce_law(nomination: Nomination, *, step: str, on: datetime.date, reason: str = "") -> StepCheck:
    """The one check every step of a nomination calls inside its transaction, before it changes
    anything: refuses a blocked nomination (BlockedByLawError) and, at the steps that need one, a
    nomination with unmet conditions and no written reason (ReasonRequiredError). Read-only; the
    caller keeps `check.stored()` on the nomination when the step changes it."""
    check = judge_step(nomination, step=step, on=on)
    if check.blocked:
        raise BlockedByLawError(blocked_message(check), check=check)
    if check.needs_reason and not reason.strip():
        raise ReasonRequiredError(reason_needed_message(check), check=check)
    return check

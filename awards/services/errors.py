"""The refusals of the awards services: each carries the message the user reads."""

from __future__ import annotations


class AwardsError(Exception):
    """A business rule of the awards app was broken; the message is for the user."""


class LawRefusalError(AwardsError):
    """A step of a nomination was refused by the law check (awards.services.law); `check` holds
    the verdict of the step, so a page can show every condition."""

    def __init__(self, message: str, *, check=None) -> None:
        super().__init__(message)
        self.check = check


class BlockedByLawError(LawRefusalError):
    """A rule the law makes absolute stops the nomination at this step (rules 1/17, 13, 15, 20)."""


class ReasonRequiredError(LawRefusalError):
    """Conditions the council may weigh are unmet and the step needs a written reason to go on."""

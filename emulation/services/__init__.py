"""Write-side use cases of the emulation app, one module per part of the workflow.

The pledge services are re-exported here because most callers want them; scoring, rankings and
reminders are imported from their own modules (`emulation.services.scoring`, …).
"""

from emulation.services.errors import ClosedForChangesError, EmulationError, StaleVersionError
from emulation.services.pledges import (
    RegistrationInput,
    TargetInput,
    accept_pledge,
    confirm_covenant,
    criteria_of,
    open_covenant,
    pledge_gaps,
    reopen_pledge,
    return_pledge,
    save_pledge,
    start_pledge,
    submit_pledge,
)

__all__ = [
    "ClosedForChangesError",
    "EmulationError",
    "RegistrationInput",
    "StaleVersionError",
    "TargetInput",
    "accept_pledge",
    "confirm_covenant",
    "criteria_of",
    "open_covenant",
    "pledge_gaps",
    "reopen_pledge",
    "return_pledge",
    "save_pledge",
    "start_pledge",
    "submit_pledge",
]

"""Domain errors of the emulation app; every message is for the user."""


class EmulationError(Exception):
    """A business rule of the emulation app was broken; the message is for the user."""


class StaleVersionError(EmulationError):
    """Someone saved the record after this user opened it."""


class ClosedForChangesError(EmulationError):
    """The deadline passed, or the record is in a state that cannot be edited."""

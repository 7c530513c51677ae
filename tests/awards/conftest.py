"""The awards tests compare the English originals of service messages."""

import pytest
from django.utils import translation

from tests.factories import IndividualRegistrationFactory, PeriodFactory, PledgeFactory


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def registered(subject, year: int, title: str | None = None):
    """Rule 20: the staff member (or unit) registered for `title` (default: the top of its ladder,
    which covers the titles below) in an accepted pledge of `year`. Returns the subject."""
    if hasattr(subject, "staff_code"):
        pledge = PledgeFactory(unit=subject.unit, period=PeriodFactory(year=year), state="accepted")
        IndividualRegistrationFactory(pledge=pledge, staff=subject, title=title or "CSTD_TQ")
    else:
        PledgeFactory(
            unit=subject, period=PeriodFactory(year=year), state="accepted", collective_title=title or "CO_CP"
        )
    return subject

"""Leave in a staff member's year: maternity leave counts as worked (Decree 152/2025 Art. 4(5)), other
leave does not; the loader passes it to the engine and the reasons say what the months count."""

import datetime

import pytest
from django.db import IntegrityError

from awards.models import AwardType, Leave, Nomination, Rating
from awards.services.eligibility import check_nomination, evaluate_year
from tests.awards.conftest import registered
from tests.factories import AssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

D = datetime.date
ON = D(2026, 3, 15)


@pytest.fixture
def mother(org):
    """Posted to office A from 01/03/2025 (ten months of 2025), rated "good", registered."""
    staff = registered(StaffFactory(unit=org.office_a, full_name="Đỗ Thị Hạnh"), 2025)
    AssignmentFactory(staff=staff, unit=org.office_a, start_date=D(2025, 3, 1))
    Rating.objects.create(staff=staff, year=2025, grade="good")
    return staff


def ldtt(staff, org):
    nomination = Nomination.objects.create(
        award_type=AwardType.objects.get(code="LDTT"), year=2025, staff=staff, proposing_unit=org.branch_a
    )
    return check_nomination(nomination, on=ON)


def test_leave_six_months_worked_and_four_of_maternity_leave_make_the_ten_months_of_ldtt(mother, org):
    Leave.objects.create(staff=mother, year=2025, kind="maternity", months=4)

    verdict = ldtt(mother, org)

    assert verdict.eligible is True
    months = next(reason for reason in verdict.reasons if reason.code == "ok_months_counted")
    assert dict(months.params) == {"year": 2025, "months": 10, "worked": 6, "maternity": 4}
    assert months.text == ("Months counted as worked in 2025 (months worked 6 + maternity leave 4): 10.")


def test_leave_of_another_kind_does_not_count_as_worked(mother, org):
    Leave.objects.create(staff=mother, year=2025, kind="unpaid", months=4)

    verdict = ldtt(mother, org)

    assert (verdict.eligible, verdict.codes) == (False, ("months_counted_short",))
    assert verdict.reasons[0].text == (
        "Months counted as worked in 2025 (months worked 6 + maternity leave 0): 6; "
        "Advanced labourer needs at least 10."
    )


def test_leave_maternity_and_sick_leave_in_one_year_each_count_as_the_law_says(mother, org):
    Leave.objects.create(staff=mother, year=2025, kind="maternity", months=6)
    Leave.objects.create(staff=mother, year=2025, kind="sick", months=1)

    verdict = ldtt(mother, org)

    assert (verdict.eligible, verdict.codes) == (False, ("months_counted_short",))
    assert (verdict.reasons[0].params["worked"], verdict.reasons[0].params["maternity"]) == (3, 6)


def test_leave_reaches_the_yearly_list_too(mother, org):
    Leave.objects.create(staff=mother, year=2025, kind="maternity", months=4)

    report = evaluate_year(2025, on=ON, unit_ids=[org.office_a.pk])

    (row,) = [row for row in report.people if row.subject_id == mother.pk]
    assert row.qualifies_for("LDTT") is True


def test_leave_months_are_one_to_twelve_and_one_row_per_kind_and_year(mother):
    Leave.objects.create(staff=mother, year=2025, kind="maternity", months=4)

    with pytest.raises(IntegrityError):
        Leave.objects.create(staff=mother, year=2025, kind="maternity", months=2)


def test_leave_of_thirteen_months_is_refused_by_the_database(mother):
    with pytest.raises(IntegrityError):
        Leave.objects.create(staff=mother, year=2025, kind="sick", months=13)

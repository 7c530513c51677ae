"""Every factory builds, with its defaults alone, a row the application itself would accept:
field validation, the model's clean() and its named constraints (one subject, date order…)."""

import pytest

import tests.factories as factories

pytestmark = pytest.mark.django_db

FACTORIES = [getattr(factories, name) for name in factories.__all__ if name.endswith("Factory")]


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda factory_class: factory_class.__name__)
def test_a_factory_with_its_defaults_builds_a_valid_row(factory_class):
    record = factory_class()

    record.full_clean()
    assert type(record).objects.filter(pk=record.pk).exists()


def test_a_record_about_a_unit_has_no_staff_member():
    unit = factories.UnitFactory()

    rating = factories.RatingFactory(unit=unit)
    nomination = factories.NominationFactory(unit=unit)

    assert (rating.unit, rating.staff) == (unit, None)
    assert (nomination.unit, nomination.staff, nomination.proposing_unit) == (unit, None, unit)


def test_the_catalogue_rows_of_the_migration_are_reused():
    seeded = factories.AwardTypeFactory(code="CSTDCS")

    assert seeded.name.startswith("Chiến sĩ thi đua")
    assert factories.AwardRecordFactory(award_type=seeded).award_type_id == seeded.pk

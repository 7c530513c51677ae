"""Factories for the awards app: the catalogue, the facts eligibility reads, nominations, the
council, decisions and the award history.

A record about "a staff member or a unit" (Rating, ReviewFlag, Nomination, AwardRecord, Exemplar)
is about a new staff member unless the test passes `unit=`; passing `staff=` or `unit=` leaves the
other side empty, as the models' one-subject constraints require.
"""

import datetime
import hashlib
import itertools
from decimal import Decimal

import factory

from awards.eligibility import DECREE_152_2025
from tests.factories.emulation import PDF_BYTES
from tests.factories.people import StaffFactory, UnitFactory, UserFactory

BASE_SALARY = Decimal(2_340_000)  # VND a month from 01/07/2024

_decision_numbers = itertools.count(1)


def _staff_unless_unit():
    """A new staff member, unless the record is about a unit."""
    return factory.Maybe(
        factory.SelfAttribute("unit"),
        yes_declaration=None,
        no_declaration=factory.SubFactory(StaffFactory),
    )


class AwardTypeFactory(factory.django.DjangoModelFactory):
    """The catalogue is seeded by a migration: AwardTypeFactory(code="CSTDCS") returns that row;
    an unknown code creates an individual emulation title at grassroots level."""

    class Meta:
        model = "awards.AwardType"
        django_get_or_create = ("code",)

    code = "LDTT"
    name = factory.LazyAttribute(lambda award_type: f"Danh hiệu {award_type.code}")
    subject = "individual"
    kind = "title"
    level = "unit"
    rank_order = 90
    coefficient = Decimal("0.30")


class RuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.RuleSet"

    name = factory.Sequence(lambda n: f"Bộ quy tắc {n}")
    legal_basis = "Nghị định số 152/2025/NĐ-CP"
    effective_from = factory.Sequence(lambda n: datetime.date(2030 + n, 1, 1))
    effective_to = None
    params = factory.LazyFunction(DECREE_152_2025.to_dict)


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Rating"

    unit = None
    staff = _staff_unless_unit()
    year = 2025
    grade = "good"


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Leave"

    staff = factory.SubFactory(StaffFactory)
    year = 2025
    kind = "maternity"
    months = 6


class DisciplineFactory(factory.django.DjangoModelFactory):
    """A discipline in force from the day it was decided, with no end unless the test gives one."""

    class Meta:
        model = "awards.Discipline"

    staff = factory.SubFactory(StaffFactory)
    level = "reprimand"
    decided_on = datetime.date(2025, 3, 1)
    starts_on = factory.SelfAttribute("decided_on")
    ends_on = None


class InitiativeFactory(factory.django.DjangoModelFactory):
    """InitiativeFactory(authors=[staff, …]) records its authors."""

    class Meta:
        model = "awards.Initiative"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Sáng kiến số {n}")
    level = "unit"
    recognised_on = datetime.date(2025, 9, 1)
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.add(*extracted)


class ReviewFlagFactory(factory.django.DjangoModelFactory):
    """An open review (complaint by default) of a staff member, or of `unit`."""

    class Meta:
        model = "awards.ReviewFlag"

    unit = None
    staff = _staff_unless_unit()
    kind = "complaint"
    opened_on = datetime.date(2025, 10, 1)
    closed_on = None
    recorded_by = None


class NominationFactory(factory.django.DjangoModelFactory):
    """A nomination row written directly in the state the test names; proposed by the subject's
    own unit unless `proposing_unit` is given. No eligibility check, no audit entry."""

    class Meta:
        model = "awards.Nomination"

    award_type = factory.SubFactory(AwardTypeFactory)
    year = 2025
    unit = None
    staff = _staff_unless_unit()
    proposing_unit = factory.LazyAttribute(lambda nomination: nomination.unit or nomination.staff.unit)
    state = "draft"
    achievements = ""
    session = None
    created_by = factory.SubFactory(UserFactory)


class NominationDocumentFactory(factory.django.DjangoModelFactory):
    """A stored dossier file (a tiny PDF) with its name, type, size and checksum filled in."""

    class Meta:
        model = "awards.NominationDocument"

    class Params:
        content = PDF_BYTES

    nomination = factory.SubFactory(NominationFactory)
    kind = "proposal"
    original_name = "to-trinh.pdf"
    file = factory.django.FileField(
        filename=factory.SelfAttribute("..original_name"), data=factory.SelfAttribute("..content")
    )
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda document: len(document.content))
    sha256 = factory.LazyAttribute(lambda document: hashlib.sha256(document.content).hexdigest())
    uploaded_by = factory.SubFactory(UserFactory)


class CouncilSessionFactory(factory.django.DjangoModelFactory):
    """A session row without seats (CouncilSeatFactory adds them; the service create_session
    seats members and writes the audit entry)."""

    class Meta:
        model = "awards.CouncilSession"

    title = "Phiên họp Hội đồng TĐKT"
    year = 2025
    held_on = datetime.date(2026, 3, 2)
    created_by = factory.SubFactory(UserFactory)


class CouncilSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.CouncilSeat"

    session = factory.SubFactory(CouncilSessionFactory)
    member = factory.SubFactory(UserFactory)
    attended = False


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Vote"

    session = factory.SubFactory(CouncilSessionFactory)
    nomination = factory.SubFactory(NominationFactory, session=factory.SelfAttribute("..session"))
    member = factory.SubFactory(UserFactory)
    choice = "yes"


class RecusalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Recusal"

    session = factory.SubFactory(CouncilSessionFactory)
    nomination = factory.SubFactory(NominationFactory, session=factory.SelfAttribute("..session"))
    member = factory.SubFactory(UserFactory)
    reason = "Có quan hệ gia đình với người được đề nghị."
    recorded_by = factory.SubFactory(UserFactory)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Decision"

    number = factory.LazyFunction(lambda: f"{next(_decision_numbers)}/QĐ-HQ")
    decided_on = datetime.date(2026, 1, 15)
    signer = "Cục trưởng"
    level = "unit"
    title = "Khen thưởng"
    base_salary = BASE_SALARY
    created_by = factory.SubFactory(UserFactory)


class AwardRecordFactory(factory.django.DjangoModelFactory):
    """An award in the history; the amount is the award's coefficient × the decision's base
    salary, rounded to the dong, unless the test gives one."""

    class Meta:
        model = "awards.AwardRecord"

    award_type = factory.SubFactory(AwardTypeFactory)
    year = 2025
    unit = None
    staff = _staff_unless_unit()
    decision = factory.SubFactory(DecisionFactory)
    nomination = None
    amount = factory.LazyAttribute(
        lambda record: (record.award_type.coefficient * record.decision.base_salary).quantize(Decimal(1))
    )
    is_revoked = False
    revoked_reason = ""


class ExemplarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "awards.Exemplar"

    name = factory.Sequence(lambda n: f"Điển hình số {n}")
    unit = None
    staff = _staff_unless_unit()
    stage = "discovered"
    discovered_on = datetime.date(2025, 5, 1)

"""Factories for the emulation app: the movement, pledges, self-assessments, scores and rankings.

Each fills only what the model requires; a test names every value its assertions depend on.
"""

import datetime
import hashlib
from decimal import Decimal

import factory

from tests.factories.people import StaffFactory, UnitFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n"


class MovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.Movement"

    title = factory.Sequence(lambda n: f"Phong trào thi đua {n}")
    theme = "Đoàn kết – Kỷ cương – Đổi mới – Sáng tạo"
    start_year = 2021
    end_year = 2026


class TaskAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.TaskArea"

    movement = factory.SubFactory(MovementFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Nhiệm vụ {n + 1}")
    max_points = 10


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.Criterion"

    task_area = factory.SubFactory(TaskAreaFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Tiêu chí {n}")
    order = factory.Sequence(lambda n: n)
    max_points = 5
    measure = "count"
    direction = "higher"


class PeriodFactory(factory.django.DjangoModelFactory):
    """A year whose pledging runs through January, self-assessment through December."""

    class Meta:
        model = "emulation.Period"

    movement = factory.SubFactory(MovementFactory)
    year = 2026
    pledging_opens = factory.LazyAttribute(lambda p: datetime.date(p.year, 1, 1))
    pledging_closes = factory.LazyAttribute(lambda p: datetime.date(p.year, 1, 31))
    self_assessment_opens = factory.LazyAttribute(lambda p: datetime.date(p.year, 12, 1))
    self_assessment_closes = factory.LazyAttribute(lambda p: datetime.date(p.year, 12, 20))
    scoring_closes = factory.LazyAttribute(lambda p: datetime.date(p.year + 1, 1, 15))


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.Pledge"

    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(PeriodFactory)


class PledgeTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.PledgeTarget"

    pledge = factory.SubFactory(PledgeFactory)
    criterion = factory.SubFactory(CriterionFactory)
    value = None


class IndividualRegistrationFactory(factory.django.DjangoModelFactory):
    """A staff member of the pledging unit registering for a title."""

    class Meta:
        model = "emulation.IndividualRegistration"

    pledge = factory.SubFactory(PledgeFactory)
    staff = factory.SubFactory(StaffFactory, unit=factory.SelfAttribute("..pledge.unit"))
    title = "LDTT"


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A self-assessment row written directly, in the state the test names (no self-scores)."""

    class Meta:
        model = "emulation.Submission"

    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(PeriodFactory)
    state = "draft"


class SelfScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.SelfScore"

    submission = factory.SubFactory(SubmissionFactory)
    criterion = factory.SubFactory(CriterionFactory)
    achieved_value = None
    points = None


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A stored evidence file (a tiny PDF) with its name, type, size and checksum filled in."""

    class Meta:
        model = "emulation.Evidence"

    class Params:
        content = PDF_BYTES

    submission = factory.SubFactory(SubmissionFactory)
    criterion = None
    original_name = "bao-cao.pdf"
    file = factory.django.FileField(
        filename=factory.SelfAttribute("..original_name"), data=factory.SelfAttribute("..content")
    )
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda evidence: len(evidence.content))
    sha256 = factory.LazyAttribute(lambda evidence: hashlib.sha256(evidence.content).hexdigest())
    uploaded_by = factory.SubFactory(UserFactory)


class ScorerAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.ScorerAssignment"

    submission = factory.SubFactory(SubmissionFactory)
    member = factory.SubFactory(UserFactory)
    assigned_by = factory.SubFactory(UserFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.Score"

    submission = factory.SubFactory(SubmissionFactory)
    criterion = factory.SubFactory(CriterionFactory)
    member = factory.SubFactory(UserFactory)
    points = Decimal(0)


class AdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "emulation.Adjustment"

    submission = factory.SubFactory(SubmissionFactory)
    kind = "bonus"
    points = Decimal(1)
    reason = "Lý do"
    created_by = factory.SubFactory(UserFactory)


class CriterionResultFactory(factory.django.DjangoModelFactory):
    """A finalised criterion result; the points default to the raw points (no normalisation)."""

    class Meta:
        model = "emulation.CriterionResult"

    submission = factory.SubFactory(SubmissionFactory, state="finalised")
    criterion = factory.SubFactory(CriterionFactory)
    raw_points = Decimal(0)
    points = factory.SelfAttribute("raw_points")
    scorers = 3


class RankingSnapshotFactory(factory.django.DjangoModelFactory):
    """A current snapshot of the whole movement, or of `cluster` when one is given."""

    class Meta:
        model = "emulation.RankingSnapshot"

    period = factory.SubFactory(PeriodFactory)
    cluster = None
    scope = factory.LazyAttribute(lambda snapshot: "cluster" if snapshot.cluster else "movement")
    scope_key = factory.LazyAttribute(
        lambda snapshot: f"cluster:{snapshot.cluster.pk}" if snapshot.cluster else "movement"
    )
    inputs_hash = "0" * 64


class RankingEntryFactory(factory.django.DjangoModelFactory):
    """One ranked unit; the total defaults to its criteria points (no adjustment)."""

    class Meta:
        model = "emulation.RankingEntry"

    snapshot = factory.SubFactory(RankingSnapshotFactory)
    unit = factory.SubFactory(UnitFactory)
    rank = factory.Sequence(lambda n: n + 1)
    criteria_points = Decimal(0)
    adjustment = Decimal(0)
    total = factory.LazyAttribute(lambda entry: entry.criteria_points + entry.adjustment)
    area_points = factory.LazyAttribute(lambda entry: {"1": str(entry.criteria_points)})
    decided_by = "total"

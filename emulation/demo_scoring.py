"""Demo year ends 2021–2025: self-assessments, evidence, scorer panels, scores, finalised results.

Called from `emulation.demo.seed` after the pledges exist. For each past period and each unit with
a pledge: a submitted self-assessment whose achieved values sit around the pledged targets (all
reached in an exceptional year, about one unit in six), a self-score per criterion, one evidence
PDF (at scale 1 only, to keep big benchmark data sets free of files), a panel of three committee
members none of whom works in the unit's line, their scores (each member a little more lenient or
strict than the others), now and then a bonus or a deduction, and the finalised results the
rankings are compiled from.

Deterministic per (seed, unit, year); idempotent: a period that already has submissions is left
alone. Scores and results are bulk-written; the audit trail is not filled for demo history.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from emulation.enums import AdjustmentKind, Direction, Measure, SubmissionState
from emulation.models import (
    Adjustment,
    Criterion,
    CriterionResult,
    Evidence,
    Period,
    Pledge,
    PledgeTarget,
    Score,
    ScorerAssignment,
    SelfScore,
    Submission,
)
from emulation.services.scoring import compute_results
from units.demo import DemoContext
from units.enums import Role

BATCH_SIZE = 5000
PANEL_SIZE = 3
# A unit's year quality is drawn from 0.70 to 0.98; from this value on (about one unit in six) it
# reached every pledged target.
EXCEPTIONAL_YEAR = 0.93
QUARTER = Decimal("0.25")
ACHIEVEMENTS = [
    "Hoàn thành vượt chỉ tiêu đăng ký.",
    "Đạt chỉ tiêu; có báo cáo kèm theo.",
    "Triển khai đúng kế hoạch, có minh chứng.",
    "Chưa đạt do khách quan; đã có giải pháp khắc phục.",
]


def seed_year_ends(ctx: DemoContext, periods: list[Period], criteria: list[Criterion]) -> int:
    """Create the year-end data of the given (past) periods; returns the submissions created."""
    members = list(
        get_user_model().objects.filter(groups__name=Role.COMMITTEE_MEMBER).select_related("staff__unit")
    )
    secretary = get_user_model().objects.filter(groups__name=Role.COMMITTEE_SECRETARY).order_by("pk").first()
    if not members:
        return 0
    bias = {member.pk: ctx.rng_for("member-bias", member.username).uniform(-0.06, 0.06) for member in members}
    created = 0
    for period in periods:
        if Submission.objects.filter(period=period).exists():
            continue
        created += _seed_period(ctx, period, criteria, members, bias, secretary)
    return created


def _seed_period(ctx, period: Period, criteria, members, bias, secretary) -> int:
    pledges = list(Pledge.objects.filter(period=period).select_related("unit").order_by("unit__code"))
    targets = {
        (pledge_id, criterion_id): value
        for pledge_id, criterion_id, value in PledgeTarget.objects.filter(pledge__period=period).values_list(
            "pledge_id", "criterion_id", "value"
        )
    }
    closes = timezone.make_aware(datetime.datetime.combine(period.self_assessment_closes, datetime.time(16)))
    Submission.objects.bulk_create(
        [
            Submission(
                unit=pledge.unit,
                period=period,
                state=SubmissionState.SCORED,
                submitted_at=closes,
                summary="Đơn vị hoàn thành các nhiệm vụ trọng tâm của năm.",
            )
            for pledge in pledges
        ],
        batch_size=BATCH_SIZE,
    )
    submissions = {s.unit_id: s for s in Submission.objects.filter(period=period).select_related("unit")}
    load: Counter = Counter()
    self_scores, assignments, scores, adjustments = [], [], [], []
    for pledge in pledges:
        submission = submissions[pledge.unit_id]
        rng = ctx.rng_for("year-end", pledge.unit.code, period.year)
        quality = rng.uniform(0.7, 0.98)  # how good a year the unit had
        panel = _panel(members, pledge.unit, load)
        for criterion in criteria:
            target = targets.get((pledge.pk, criterion.pk))
            achieved = _achieved(rng, criterion, target, quality)
            ratio = _ratio(criterion, target, achieved)
            self_points = _points(criterion.max_points, min(1.0, ratio + rng.uniform(0.0, 0.05)))
            self_scores.append(
                SelfScore(
                    submission=submission,
                    criterion=criterion,
                    achieved_value=achieved,
                    points=self_points,
                    achievement=rng.choice(ACHIEVEMENTS),
                )
            )
            for member in panel:
                noisy = ratio + bias[member.pk] + rng.uniform(-0.04, 0.04)
                scores.append(
                    Score(
                        submission=submission,
                        criterion=criterion,
                        member=member,
                        points=_points(criterion.max_points, noisy),
                    )
                )
        assignments.extend(
            ScorerAssignment(submission=submission, member=member, assigned_by=secretary, completed_at=closes)
            for member in panel
        )
        draw = rng.random()
        if secretary is not None and draw < 0.12:
            kind = AdjustmentKind.BONUS if draw < 0.08 else AdjustmentKind.DEDUCTION
            adjustments.append(
                Adjustment(
                    submission=submission,
                    kind=kind,
                    points=Decimal(rng.choice(["0.5", "1", "1.5", "2"])),
                    reason="Thành tích đột xuất được Bộ Tài chính khen thưởng."
                    if kind == AdjustmentKind.BONUS
                    else "Để xảy ra vi phạm kỷ luật bị nhắc nhở.",
                    created_by=secretary,
                )
            )
    SelfScore.objects.bulk_create(self_scores, batch_size=BATCH_SIZE)
    ScorerAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    Score.objects.bulk_create(scores, batch_size=BATCH_SIZE)
    Adjustment.objects.bulk_create(adjustments, batch_size=BATCH_SIZE)
    if ctx.scale == 1:
        _evidence(submissions.values(), criteria, secretary)
    _finalise(period, secretary)
    return len(pledges)


def _panel(members, unit, load: Counter) -> list:
    """Three members with the lightest load, none working in the unit's line (conflict of interest)."""
    eligible = []
    for member in members:
        staff = getattr(member, "staff", None)
        home = staff.unit.path if staff is not None and staff.unit is not None else None
        if home is None or not (unit.path.startswith(home) or home.startswith(unit.path)):
            eligible.append(member)
    eligible.sort(key=lambda member: (load[member.pk], member.username))
    panel = eligible[:PANEL_SIZE]
    for member in panel:
        load[member.pk] += 1
    return panel


def _achieved(rng: random.Random, criterion: Criterion, target: Decimal | None, quality: float) -> Decimal:
    value = _drawn(rng, criterion, target, quality)
    if quality >= EXCEPTIONAL_YEAR and target is not None:
        # An exceptional year: every pledged target reached (what the ministry flag asks, rule 8).
        value = min(value, target) if criterion.direction == Direction.LOWER else max(value, target)
    return value


def _drawn(rng: random.Random, criterion: Criterion, target: Decimal | None, quality: float) -> Decimal:
    if criterion.measure == Measure.YES_NO:
        return Decimal(1) if rng.random() < 0.9 + quality / 20 else Decimal(0)
    base = float(target) if target is not None else 10.0
    if criterion.direction == Direction.LOWER:
        value = base * rng.uniform(0.7, 1.25 - quality * 0.2)
    else:
        value = base * rng.uniform(quality - 0.05, quality + 0.15)
    if criterion.measure == Measure.PERCENT:
        value = min(value, float(criterion.target_max or 100))
        return Decimal(str(round(value, 1)))
    if criterion.measure == Measure.MONEY:
        return Decimal(round(value / 1_000_000) * 1_000_000)
    return Decimal(round(value))


def _ratio(criterion: Criterion, target: Decimal | None, achieved: Decimal) -> float:
    """How far the unit met its target, 0..1."""
    if criterion.measure == Measure.YES_NO:
        return 1.0 if achieved else 0.3
    if target is None or target == 0:
        return 1.0 if (achieved == 0 or criterion.direction == Direction.HIGHER) else 0.7
    if criterion.direction == Direction.LOWER:
        return max(0.0, min(1.0, float(target) / float(achieved))) if achieved else 1.0
    return max(0.0, min(1.0, float(achieved) / float(target)))


def _points(maximum: Decimal, fraction: float) -> Decimal:
    """Points in quarter steps, as scorers write them."""
    fraction = max(0.0, min(1.0, fraction))
    quarters = (Decimal(str(fraction)) * maximum / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return quarters * QUARTER


def _finalise(period: Period, secretary) -> None:
    results = compute_results(period)
    CriterionResult.objects.bulk_create(
        [
            CriterionResult(
                submission_id=submission_id,
                criterion_id=criterion_id,
                raw_points=result.raw,
                normalised_points=result.normalised,
                points=result.raw,
                scorers=result.scorers,
            )
            for (submission_id, criterion_id), result in results.items()
        ],
        batch_size=BATCH_SIZE,
    )
    Submission.objects.filter(period=period).update(state=SubmissionState.FINALISED)
    finalised_at = timezone.make_aware(datetime.datetime.combine(period.scoring_closes, datetime.time(10)))
    Period.objects.filter(pk=period.pk).update(
        is_finalised=True, finalised_at=finalised_at, finalised_by=secretary
    )


def _evidence(submissions, criteria, uploader) -> None:
    """One small PDF per submission, attached to its task area 4 revenue criterion."""
    if uploader is None:
        return
    criterion = next((c for c in criteria if c.code == "4.1"), criteria[0])
    rows = []
    for submission in submissions:
        content = _pdf(f"Bao cao thu ngan sach {submission.period.year} - {submission.unit.code}")
        digest = hashlib.sha256(content).hexdigest()
        evidence = Evidence(
            submission=submission,
            criterion=criterion,
            original_name=f"bao-cao-thu-ngan-sach-{submission.period.year}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=digest,
            uploaded_by=uploader,
        )
        evidence.file.save(evidence.original_name, ContentFile(content), save=False)
        rows.append(evidence)
    Evidence.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _pdf(text: str) -> bytes:
    """A minimal valid one-page PDF showing one line of text."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)

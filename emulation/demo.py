"""Demo data of the emulation app, loaded by `manage.py seed_demo` after the units app.

The 2021–2025 movement itself comes from the data migration (emulation 0002). This adds its
periods 2021–2026 and the pledges of every unit ranked in a cluster: accepted pledges for
2021–2025, and for 2026 a pledging phase that is open on the day the demo is seeded (so the
reminders and the review list have something to show), with units at every stage.

Deterministic for a seed: each unit's numbers come from a generator keyed by (seed, unit, year).
Idempotent: existing periods and pledges are left as they are; only missing ones are created.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from emulation.demo_scoring import seed_year_ends
from emulation.enums import COLLECTIVE_TITLES, Measure, PledgeState, Title
from emulation.models import Criterion, IndividualRegistration, Movement, Period, Pledge, PledgeTarget
from emulation.services.rankings import compile_rankings
from units.demo import DemoContext
from units.models import ClusterMembership, Staff

MOVEMENT_TITLE = "Phong trào thi đua yêu nước ngành Hải quan giai đoạn 2021 – 2025"
PAST_YEARS = range(2021, 2026)
OPEN_YEAR = 2026
BATCH_SIZE = 2000
# Units that register for the ministry flag in their pledge; the flag then goes to a cluster's first
# unit only when it registered and met every target (awards.demo).
FLAG_REGISTRATION_SHARE = 0.7

# How each criterion's pledged target is drawn: (low, high) for the first year, and the yearly step
# that makes the numbers improve over the movement (e-payment towards 100 % in 2025, and so on).
TARGET_RANGES: dict[str, tuple[float, float, float]] = {
    "1.2": (92, 100, 1.5),
    "1.3": (2, 6, 0.3),
    "1.4": (2, 8, 0.3),
    "2.1": (95, 100, 1),
    "2.2": (0, 0, 0),
    "3.1": (60, 85, 4),
    "3.2": (90, 98, 0.8),
    "3.3": (1, 4, 0.4),
    "3.4": (70, 90, 3),
    "4.1": (100, 108, 0.5),
    "4.2": (88, 95, 1.6),
    "5.1": (20, 160, 4),
    "5.3": (1, 8, 0.2),
    "6.2": (80, 100, 2),
    "6.3": (0, 0, 0),
    "6.4": (70, 90, 2),
    "7.1": (2, 6, 0.2),
    "7.2": (3, 12, 0.5),
    "7.3": (90, 100, 1),
}
# Amounts in VND: arrears to keep below, and fines to collect.
MONEY_RANGES: dict[str, tuple[int, int]] = {
    "4.4": (5_000_000_000, 80_000_000_000),
    "5.2": (1_000_000_000, 45_000_000_000),
}
PLANNED_INITIATIVES = [
    "Ứng dụng phân tích dữ liệu trong quản lý rủi ro",
    "Số hóa hồ sơ lưu trữ tờ khai",
    "Quy trình kiểm tra hàng hóa qua máy soi container",
    "Cải tiến quy trình thu nộp thuế điện tử",
    "Phần mềm theo dõi nợ thuế",
    "Mô hình kiểm soát phối hợp tại cửa khẩu",
]


def seed(ctx: DemoContext) -> None:
    """Create the missing periods, pledges and year ends (emulation.demo_scoring), and rankings.

    Side effects: rows in periods, pledges, targets, registrations, self-assessments, evidence
    files under MEDIA_ROOT, scorer assignments, scores, adjustments, criterion results and the
    ranking snapshots of 2021–2025.
    """
    movement = Movement.objects.filter(title=MOVEMENT_TITLE).first()
    if movement is None:
        return
    periods = _create_periods(movement)
    criteria = list(
        Criterion.objects.filter(task_area__movement=movement).order_by("task_area__number", "order")
    )
    member_units = {m.unit.pk: m.unit for m in ClusterMembership.objects.select_related("unit")}
    staff_by_unit = _staff_by_top_unit(list(member_units.values()))
    created = 0
    for _year, period in sorted(periods.items()):
        created += _create_pledges(ctx, period, criteria, staff_by_unit)
    past = [periods[year] for year in PAST_YEARS]
    assessed = seed_year_ends(ctx, past, criteria)
    for period in past:
        period.refresh_from_db()
        compile_rankings(period)  # writes nothing when the inputs did not change
    ctx.stdout.write(
        _("Periods: %(periods)d. Pledges created: %(pledges)d. Self-assessments scored: %(assessed)d.")
        % {"periods": len(periods), "pledges": created, "assessed": assessed}
    )


def _period_dates(year: int, today: datetime.date) -> dict[str, datetime.date]:
    if year < OPEN_YEAR:
        return {
            "pledging_opens": datetime.date(year, 1, 1),
            "pledging_closes": datetime.date(year, 1, 31),
            "self_assessment_opens": datetime.date(year, 12, 1),
            "self_assessment_closes": datetime.date(year, 12, 20),
            "scoring_closes": datetime.date(year + 1, 1, 15),
        }
    # The open year is placed around the day of seeding: pledging closes in two weeks.
    pledging_closes = today + datetime.timedelta(days=14)
    self_assessment_opens = max(pledging_closes + datetime.timedelta(days=1), datetime.date(year, 12, 1))
    self_assessment_closes = self_assessment_opens + datetime.timedelta(days=30)
    return {
        "pledging_opens": today - datetime.timedelta(days=20),
        "pledging_closes": pledging_closes,
        "self_assessment_opens": self_assessment_opens,
        "self_assessment_closes": self_assessment_closes,
        "scoring_closes": self_assessment_closes + datetime.timedelta(days=30),
    }


def _create_periods(movement: Movement) -> dict[int, Period]:
    today = timezone.localdate()
    periods = {}
    for year in [*PAST_YEARS, OPEN_YEAR]:
        period, _created = Period.objects.get_or_create(
            movement=movement, year=year, defaults=_period_dates(year, today)
        )
        periods[year] = period
    return periods


def _target(rng: random.Random, criterion: Criterion, year: int) -> Decimal:
    if criterion.measure == Measure.YES_NO:
        return Decimal(1)
    if criterion.measure == Measure.MONEY:
        low, high = MONEY_RANGES.get(criterion.code, (1_000_000_000, 10_000_000_000))
        # Round to millions, as units write them.
        return Decimal(rng.randint(low // 1_000_000, high // 1_000_000) * 1_000_000)
    low, high, step = TARGET_RANGES.get(criterion.code, (1, 10, 0))
    drift = step * (year - PAST_YEARS.start)
    value = rng.uniform(low, high) + drift
    bound = criterion.target_upper_bound
    if bound is not None:
        value = min(value, float(bound))
    if criterion.measure == Measure.COUNT:
        return Decimal(round(value))
    return Decimal(str(round(value, 1)))


def _sent_at(rng: random.Random, period: Period, now: datetime.datetime) -> datetime.datetime:
    """When a demo pledge was sent: on the deadline of a closed year; for the open year, on one of
    the days between the window's opening and the day before seeding, never in the future."""
    today = timezone.localdate(now)
    day = period.pledging_closes
    if day >= today:
        first = min(max(period.pledging_opens, today - datetime.timedelta(days=14)), today)
        span = max((today - first).days - 1, 0)
        day = first + datetime.timedelta(days=rng.randint(0, span))
    sent = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return min(sent, now)


def _open_year_state(rng: random.Random) -> str | None:
    """A believable spread of progress two weeks before the deadline (None: not started)."""
    draw = rng.random()
    if draw < 0.25:
        return None
    if draw < 0.45:
        return PledgeState.DRAFT
    if draw < 0.55:
        return PledgeState.RETURNED
    if draw < 0.8:
        return PledgeState.SUBMITTED
    return PledgeState.ACCEPTED


def _create_pledges(
    ctx: DemoContext, period: Period, criteria: list[Criterion], staff_by_unit: dict[int, list[int]]
) -> int:
    members = list(
        ClusterMembership.objects.filter(year=period.year).select_related("unit").order_by("unit__code")
    )
    existing = set(Pledge.objects.filter(period=period).values_list("unit_id", flat=True))
    new_pledges: list[Pledge] = []
    plans: dict[int, tuple[random.Random, bool]] = {}
    now = timezone.now()
    for membership in members:
        unit = membership.unit
        if unit.pk in existing:
            continue
        rng = ctx.rng_for("pledge", unit.code, period.year)
        if period.year < OPEN_YEAR:
            state = PledgeState.ACCEPTED
        else:
            state = _open_year_state(rng)
            if state is None:
                continue
        title = COLLECTIVE_TITLES[0] if rng.random() < 0.35 else COLLECTIVE_TITLES[1]
        if rng.random() < FLAG_REGISTRATION_SHARE:
            title = Title.CO_BO  # aiming for the ministry flag: only a registered unit can get it (rule 20)
        is_filed = state in (PledgeState.SUBMITTED, PledgeState.ACCEPTED, PledgeState.RETURNED)
        submitted_at = _sent_at(ctx.rng_for("pledge-sent", unit.code, period.year), period, now)
        reviewed_at = min(submitted_at + datetime.timedelta(days=1), now)
        new_pledges.append(
            Pledge(
                unit=unit,
                period=period,
                collective_title=title,
                state=state,
                submitted_at=submitted_at if is_filed else None,
                reviewed_at=reviewed_at if state in (PledgeState.ACCEPTED, PledgeState.RETURNED) else None,
                return_reason="Đề nghị nâng chỉ tiêu tỷ lệ thu nộp điện tử."
                if state == PledgeState.RETURNED
                else "",
            )
        )
        plans[unit.pk] = (rng, state != PledgeState.DRAFT)
    Pledge.objects.bulk_create(new_pledges, batch_size=BATCH_SIZE)
    created = Pledge.objects.filter(period=period, unit_id__in=plans).select_related("unit")
    targets: list[PledgeTarget] = []
    registrations: list[IndividualRegistration] = []
    for pledge in created:
        rng, complete = plans[pledge.unit_id]
        for index, criterion in enumerate(criteria):
            # A draft has its first areas filled in and the rest still empty.
            value = _target(rng, criterion, period.year) if complete or index < len(criteria) // 2 else None
            targets.append(PledgeTarget(pledge=pledge, criterion=criterion, value=value))
        if complete:
            registrations.extend(_registrations(rng, pledge, staff_by_unit.get(pledge.unit_id, [])))
    PledgeTarget.objects.bulk_create(targets, batch_size=BATCH_SIZE)
    IndividualRegistration.objects.bulk_create(registrations, batch_size=BATCH_SIZE)
    return len(new_pledges)


def _staff_by_top_unit(units) -> dict[int, list[int]]:
    """Staff ids under each given unit (the unit and the units below it), in one query."""
    paths = {unit.path: unit.pk for unit in units}
    result: dict[int, list[int]] = {unit.pk: [] for unit in units}
    if not paths:
        return result
    for staff_id, path in (
        Staff.objects.filter(unit__isnull=False).values_list("pk", "unit__path").order_by("pk")
    ):
        top = "/".join(path.split("/")[:3]) + "/"  # "/dept/branch/"
        for candidate in (top, path):
            if candidate in paths:
                result[paths[candidate]].append(staff_id)
                break
    return result


def _registrations(rng: random.Random, pledge: Pledge, staff_ids: list[int]) -> list[IndividualRegistration]:
    rows = []
    for staff_id in staff_ids:
        draw = rng.random()
        if draw < 0.10:
            continue  # new staff, on leave: not registered
        title = Title.CSTDCS if draw > 0.86 else Title.LDTT
        plan = rng.choice(PLANNED_INITIATIVES) if title == Title.CSTDCS else ""
        rows.append(
            IndividualRegistration(pledge=pledge, staff_id=staff_id, title=title, planned_initiative=plan)
        )
    return rows

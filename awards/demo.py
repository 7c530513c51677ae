"""Demo data of the awards app, loaded by `manage.py seed_demo` after units and emulation.

For 2021–2025 (docs/domain.md, "The demo organisation"): the annual ratings of every unit and staff
member, disciplines, recognised initiatives, one council session a year with its seats and secret
ballots, the nominations that needed a vote, the award decisions and the award history (LĐTT,
CSTĐCS, CSTĐ cấp Bộ, Bằng khen of the Minister, TTLĐTT, TTLĐXS, the ministry flag), a few open
reviews and advanced models (exemplars).

How the numbers come about:

- Ratings: each person carries a performance score from year to year (correlation 0.9), so a good
  performer tends to stay good and runs of excellent years exist (rules 3, 10, 11). People who
  registered for CSTĐCS in the emulation demo aim higher that year. The thresholds give about
  18 % excellent, 70 % good, 10 % completed and 2 % not completed each year.
- Disciplines (about 0.8 % of staff a year, low performers more often): reprimands mostly, some
  warnings; six or twelve months, a few not ended. Every year a discipline touches is rated
  "not completed" (rule 17).
- Initiatives for about 8 % of staff a year, by one to three authors of one unit, recognised in the
  autumn; mostly unit level, about 10 % ministry level, 1 % national, a few science works. People on
  a run of CSTĐCS registrations reach ministry level more often, so CSTĐ cấp Bộ has candidates.
- Awards, judged by the engine (awards.eligibility) with the rules in force on the decision date:
  LĐTT to everyone who qualifies; CSTĐCS, CSTĐ cấp Bộ and the ministry flag through the council's
  vote (some fail, and the 80 % and 90 % edges are on show); Bằng khen of the Minister to about
  half of those who qualify; TTLĐTT or TTLĐXS to the units that pledged and qualify; the ministry
  flag to the first unit of each cluster in the year's final ranking when it qualifies. A unit
  that tops its cluster had a year to match: none of its members is rated below "completed" or
  disciplined that year.

Conventions a facts loader has to share to reach the same verdicts:

- months worked in a year come from the staff member's first posting (`Assignment.start_date`):
  12 for a posting before the year, the whole months left in the year for a posting during it
  (`months_worked`); nobody is rated for a year with fewer than 6 months;
- a unit's members are the staff posted in it or below it and rated that year;
- registrations come from the emulation pledges (rule 20 applies to every title): people register
  for LĐTT or CSTĐCS there, and someone who held CSTĐCS the two years before registers for CSTĐ
  cấp Bộ instead (the demo raises that registration in the year's pledge); most units register
  for the flag, which goes to a cluster's first unit only when it registered and its finalised
  self-assessment reached every pledged target (read as the facts loader reads it);
- open reviews are opened in 2026, after the 2025 decisions: they block new proposals only.

Deterministic: every draw comes from a generator keyed by the seed and a top-level unit (a
department unit or branch with everything below it), so a unit's data depend neither on the scale
nor on the other units. Idempotent: a top-level unit whose staff already have ratings is left
alone, and the decisions, sessions, flags and exemplars are looked up by their natural keys; a
second run writes nothing. Memory stays low at `--scale 100`: top-level units are processed in
chunks of about 10,000 staff, each written with bulk inserts before the next is read.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.db import connection, reset_queries
from django.db.models import Count, Min
from django.utils.translation import gettext as _

from awards.demo_awards import (
    BATCH_SIZE,
    YEARS,
    Batch,
    Council,
    DecisionBook,
    Lead,
    Person,
    Run,
    UnitRow,
    award_people,
    award_unit,
    months_worked,
    seed_sessions,
)
from awards.eligibility import DisciplineFact, InitiativeFact
from awards.enums import DisciplineLevel, ExemplarStage, InitiativeLevel, RatingGrade, ReviewKind
from awards.models import (
    AwardRecord,
    AwardType,
    Discipline,
    Exemplar,
    Initiative,
    Nomination,
    Rating,
    ReviewFlag,
    Vote,
)
from awards.queries import targets_met  # the loader's reading of rule 8
from emulation.enums import RankingScope, Title
from emulation.models import IndividualRegistration, Pledge, RankingEntry
from units.demo import DemoContext
from units.enums import Role
from units.models import Assignment, Staff, Unit

CHUNK_STAFF = 10000  # staff held in memory at a time (--scale 100 has about 225,000)
CREATED = ("ratings", "records", "nominations", "votes", "initiatives", "disciplines")
MIN_RATED_MONTHS = 6

# Ratings: score(Y) = PERSISTENCE * score(Y-1) + noise, standard normal every year, plus AIM_BOOST
# in a year the person registered for CSTĐCS; the grade is read off the thresholds.
PERSISTENCE = 0.9
AIM_BOOST = 2.0
EXCELLENT_FROM = 1.32
GOOD_FROM = -1.15
COMPLETED_FROM = -2.25

# Disciplines: the chance a year starts one, for a low scorer (below LOW_SCORE) and the others.
DISCIPLINE_RATE = 0.0094  # a fifth of the staff, in the units leading their clusters, have none
LOW_SCORE = -1.0
LOW_SCORE_WEIGHT = 3.0
OTHER_WEIGHT = 0.7
WARNING_SHARE = 0.2
OPEN_ENDED_SHARE = 0.35  # of the disciplines starting in the last year: not ended yet
SIX_MONTHS_SHARE = 0.4

# Initiatives: the chance to author one in a year, when aiming for CSTĐCS and otherwise.
AUTHOR_AIMING = 0.40
AUTHOR_OTHER = 0.028
TEAM_SIZES = ((1, 2, 3), (60, 30, 10))
NATIONAL_SHARE = 0.01
MINISTRY_SHARE = 0.09
MINISTRY_ON_A_RUN = 0.9  # an author aiming for CSTĐCS three years running
SCIENCE_SHARE = 0.06
INITIATIVE_TOPICS = [
    "Ứng dụng phân tích dữ liệu lớn trong quản lý rủi ro",
    "Số hóa hồ sơ lưu trữ tờ khai hải quan",
    "Quy trình soi chiếu container kết hợp trí tuệ nhân tạo",
    "Cải tiến thu nộp thuế điện tử 24/7",
    "Phần mềm theo dõi, đôn đốc nợ thuế",
    "Mô hình kiểm soát phối hợp tại cửa khẩu biên giới",
    "Bộ tiêu chí nhận diện hàng giả, hàng xâm phạm quyền sở hữu trí tuệ",
    "Giải pháp rút ngắn thời gian thông quan hàng chuyển phát nhanh",
    "Hệ thống giám sát kho ngoại quan bằng camera",
    "Cẩm nang tham vấn giá cho công chức mới",
    "Quy trình phối hợp kiểm tra sau thông quan tại trụ sở doanh nghiệp",
    "Ứng dụng di động tra cứu biểu thuế",
]

DISCIPLINE_REASONS = [
    "Chậm xử lý hồ sơ của doanh nghiệp quá thời hạn quy định.",
    "Vi phạm quy trình kiểm tra thực tế hàng hóa.",
    "Không thực hiện đúng chế độ báo cáo, để xảy ra sai sót số liệu.",
    "Vi phạm quy chế văn hóa công sở.",
]

REVIEW_FLAGS = [
    # (unit code, kind, opened on, note); a staff flag goes to a person of that unit's line.
    (
        "KV03",
        ReviewKind.COMPLAINT,
        datetime.date(2026, 1, 26),
        "Đơn phản ánh của doanh nghiệp, đang xác minh.",
    ),
    ("KV12", ReviewKind.INSPECTION, datetime.date(2026, 2, 3), "Thanh tra công vụ việc kiểm tra hồ sơ."),
    ("HQ07", ReviewKind.DISCIPLINE_REVIEW, datetime.date(2026, 2, 9), "Xem xét kỷ luật do chậm hoàn thuế."),
]

UNIT_REVIEW_FLAG = (
    "KV09",
    ReviewKind.INVESTIGATION,
    datetime.date(2026, 2, 16),
    "Cơ quan điều tra xác minh vụ việc hàng tạm nhập tái xuất.",
)

EXEMPLARS = [
    # (name, unit code, for a person?, stage, discovered on); the later stages follow at set gaps.
    ("Mô hình “Hải quan đồng hành cùng doanh nghiệp”", "KV01", False, ExemplarStage.REPLICATED, "2021-03-15"),
    ("Chi cục thu nộp thuế điện tử 100 %", "KV11", False, ExemplarStage.REPLICATED, "2021-06-01"),
    (
        "Tổ kiểm soát chống buôn lậu tuyến biên giới phía Bắc",
        "KV04",
        False,
        ExemplarStage.SUMMED_UP,
        "2022-04-20",
    ),
    ("Mô hình “Cửa khẩu số”", "KV03", False, ExemplarStage.FOSTERED, "2023-05-10"),
    ("Phân tích dữ liệu lớn trong quản lý rủi ro", "HQ05", False, ExemplarStage.SUMMED_UP, "2022-09-12"),
    ("Gương cán bộ trẻ tiêu biểu trong chuyển đổi số", "HQ10", True, ExemplarStage.DISCOVERED, "2025-08-18"),
    ("Phối hợp liên ngành tại cảng biển", "KV17", False, ExemplarStage.DISCOVERED, "2025-10-02"),
    (
        "Tấm gương liêm chính, tận tụy phục vụ doanh nghiệp",
        "KV07",
        True,
        ExemplarStage.FOSTERED,
        "2024-03-08",
    ),
]

STAGE_ORDER = [
    ExemplarStage.DISCOVERED,
    ExemplarStage.FOSTERED,
    ExemplarStage.SUMMED_UP,
    ExemplarStage.REPLICATED,
]


def seed(ctx: DemoContext) -> None:
    """Create what is missing of the awards demo for 2021–2025 (see the module docstring).

    Side effects: rows in ratings, disciplines, initiatives and their authors, council sessions,
    seats and votes, nominations, decisions, award records, open reviews and exemplars.
    """
    types = {award_type.code: award_type for award_type in AwardType.objects.all()}
    sittings = seed_sessions(ctx)
    if not types or not sittings:
        return
    units = {
        row.pk: row
        for row in (
            UnitRow(*values)
            for values in Unit.objects.values_list(
                "pk", "code", "name", "path", "depth", "valid_from", "valid_to"
            ).order_by("code")
        )
    }
    ranks, leads = _rankings()
    run = Run(
        ctx=ctx,
        types=types,
        units=units,
        leads=leads,
        unit_grades=_seed_unit_ratings(ctx, units, ranks),
        council=Council(sittings),
        book=DecisionBook(types),
    )
    for chunk in _chunks(units):
        _seed_chunk(run, chunk)
        # With DEBUG on, Django keeps the text of every query; at --scale 100 that is hundreds of MB.
        reset_queries()
    flags = _seed_review_flags(units)
    exemplars = _seed_exemplars(units)
    ctx.stdout.write(
        _(
            "Ratings: %(ratings)d. Award records: %(records)d. Nominations: %(nominations)d, "
            "votes: %(votes)d. Initiatives: %(initiatives)d. Disciplines: %(disciplines)d. "
            "Open reviews: %(flags)d. Advanced models: %(exemplars)d."
        )
        % {**{key: run.created[key] for key in CREATED}, "flags": flags, "exemplars": exemplars}
    )


def _rankings() -> tuple[dict[tuple[int, int], tuple[int, int]], dict[tuple[int, int], Lead]]:
    """Each unit's place in its cluster's final ranking, by (year, unit id): (rank, units ranked),
    and the first unit of each cluster."""
    rows = list(
        RankingEntry.objects.filter(
            snapshot__is_current=True,
            snapshot__is_provisional=False,
            snapshot__scope=RankingScope.CLUSTER,
            snapshot__period__year__in=YEARS,
        ).values_list(
            "snapshot__period__year",
            "unit_id",
            "rank",
            "snapshot_id",
            "snapshot__cluster_id",
            "snapshot__cluster__name",
        )
    )
    sizes = Counter(row[3] for row in rows)
    ranks = {(year, unit_id): (rank, sizes[snapshot]) for year, unit_id, rank, snapshot, *_rest in rows}
    firsts = [
        (year, unit_id, snapshot, cluster, name)
        for year, unit_id, rank, snapshot, cluster, name in rows
        if rank == 1
    ]
    met: dict[tuple[int, int], bool] = {}
    for year in YEARS:
        ids = [unit_id for first_year, unit_id, *_rest in firsts if first_year == year]
        if ids:
            # The facts loader's reading of rule 8's "every target met", so the page agrees with the demo.
            met.update(
                ((year, unit_id), ok) for unit_id, ok in targets_met(year, {"unit_id__in": ids}).items()
            )
    leads = {
        (year, unit_id): Lead(snapshot, cluster, name, met.get((year, unit_id), False))
        for year, unit_id, snapshot, cluster, name in firsts
    }
    return ranks, leads


def _unit_grade(rng: random.Random, place: tuple[int, int] | None) -> str:
    """Most units are excellent or good; the higher a unit ranks in its cluster, the better."""
    draw = rng.random()
    if place is None:
        shares = (0.40, 0.92)
    elif place[0] == 1:
        return RatingGrade.EXCELLENT
    elif place[0] <= math.ceil(place[1] / 2):
        shares = (0.65, 1.0)
    else:
        shares = (0.30, 0.90)
    if draw < shares[0]:
        return RatingGrade.EXCELLENT
    return RatingGrade.GOOD if draw < shares[1] else RatingGrade.COMPLETED


def _seed_unit_ratings(
    ctx: DemoContext, units: dict[int, UnitRow], ranks: dict[tuple[int, int], tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Rate every unit that existed all year; returns every unit grade by (unit id, year)."""
    grades = {
        (unit_id, year): grade
        for unit_id, year, grade in Rating.objects.filter(unit__isnull=False, year__in=YEARS).values_list(
            "unit_id", "year", "grade"
        )
    }
    new = []
    for unit in units.values():
        for year in YEARS:
            if (unit.pk, year) in grades or not unit.rated_in(year):
                continue
            grade = _unit_grade(ctx.rng_for("unit-rating", unit.code, year), ranks.get((year, unit.pk)))
            grades[(unit.pk, year)] = grade
            new.append(Rating(unit_id=unit.pk, year=year, grade=grade))
    Rating.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return grades


def _grade(score: float) -> str:
    if score >= EXCELLENT_FROM:
        return RatingGrade.EXCELLENT
    if score >= GOOD_FROM:
        return RatingGrade.GOOD
    if score >= COMPLETED_FROM:
        return RatingGrade.COMPLETED
    return RatingGrade.NOT_COMPLETED


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _draw_discipline(
    rng: random.Random, year: int, *, ends_in_year: bool
) -> tuple[Discipline, DisciplineFact]:
    """A measure starting in `year`: six or twelve months, or (in the last year) not ended yet."""
    days = 181 if ends_in_year else 365
    starts_on = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(days))
    level = DisciplineLevel.WARNING if rng.random() < WARNING_SHARE else DisciplineLevel.REPRIMAND
    shape = 0.0 if ends_in_year else rng.random()
    if year == YEARS[-1] and shape >= 1 - OPEN_ENDED_SHARE:
        ends_on = None
    elif shape < SIX_MONTHS_SHARE:
        ends_on = _add_months(starts_on, 6) - datetime.timedelta(days=1)
    else:
        ends_on = _add_months(starts_on, 12) - datetime.timedelta(days=1)
    row = Discipline(
        level=level,
        decided_on=starts_on - datetime.timedelta(days=rng.randint(0, 10)),
        starts_on=starts_on,
        ends_on=ends_on,
        reason=rng.choice(DISCIPLINE_REASONS),
    )
    return row, DisciplineFact(level=level, start=starts_on, end=ends_on)


def _draw_years(rng: random.Random, batch: Batch, person: Person, protected: set[int]) -> None:
    """The person's grades year by year, with the disciplines that force some to "not completed".

    In a year its top-level unit leads its cluster (`protected`) nobody is below "completed" and
    no discipline runs: none starts, and one starting the year before ends within that year.
    """
    score = rng.gauss(0.0, 1.0)
    spread = math.sqrt(1 - PERSISTENCE**2)
    for year in YEARS:
        if year > YEARS.start:
            score = PERSISTENCE * score + spread * rng.gauss(0.0, 1.0)
        if months_worked(person.first_posting, year) < MIN_RATED_MONTHS:
            continue
        value = score + (AIM_BOOST if person.aiming_high(year) else 0.0)
        grade = _grade(value)
        if year in protected and grade == RatingGrade.NOT_COMPLETED:
            grade = RatingGrade.COMPLETED
        if year not in protected and not person.disciplined_in(year):
            weight = LOW_SCORE_WEIGHT if value < LOW_SCORE else OTHER_WEIGHT
            if rng.random() < DISCIPLINE_RATE * weight:
                row, fact = _draw_discipline(rng, year, ends_in_year=year + 1 in protected)
                row.staff_id = person.pk
                batch.disciplines.append(row)
                person.disciplines.append(fact)
        if person.disciplined_in(year):
            grade = RatingGrade.NOT_COMPLETED  # rule 17
        person.grades[year] = grade
        batch.ratings.append((person.pk, year, grade))


def _on_a_run(person: Person, year: int) -> bool:
    """Aiming for CSTĐCS in `year` and in two years next to it: three years running."""
    aims = [person.aiming_high(other) for other in range(year - 2, year + 3)]
    return any(all(aims[start : start + 3]) for start in range(3))


def _draw_initiatives(
    rng: random.Random, batch: Batch, units: dict[int, UnitRow], people: list[Person], year: int
) -> None:
    """The year's initiatives: authors drawn person by person, grouped in teams of one unit."""
    by_unit: dict[int, list[Person]] = defaultdict(list)
    for person in people:
        if person.grades.get(year) in (None, RatingGrade.NOT_COMPLETED):
            continue
        chance = AUTHOR_AIMING if person.aiming_high(year) else AUTHOR_OTHER
        if rng.random() < chance:
            by_unit[person.unit_id].append(person)
    for unit_id in sorted(by_unit):
        pool = by_unit[unit_id]
        rng.shuffle(pool)
        while pool:
            size = min(len(pool), rng.choices(*TEAM_SIZES)[0])
            team, pool = pool[:size], pool[size:]
            on_a_run = any(_on_a_run(member, year) for member in team)
            draw = rng.random()
            if on_a_run and rng.random() < MINISTRY_ON_A_RUN:
                level = InitiativeLevel.MINISTRY
            elif draw < NATIONAL_SHARE:
                level = InitiativeLevel.NATIONAL
            elif draw < NATIONAL_SHARE + MINISTRY_SHARE:
                level = InitiativeLevel.MINISTRY
            else:
                level = InitiativeLevel.UNIT
            science = level != InitiativeLevel.NATIONAL and rng.random() < SCIENCE_SHARE
            recognised_on = datetime.date(year, rng.randint(9, 11), rng.randint(1, 28))
            unit = units[unit_id]
            initiative = Initiative(
                title=f"{rng.choice(INITIATIVE_TOPICS)} – {unit.name}",
                level=level,
                recognised_on=recognised_on,
                is_science_work=science,
                has_nationwide_effect=level == InitiativeLevel.NATIONAL,
                unit_id=unit_id,
            )
            batch.initiatives.append((initiative, [member.pk for member in team]))
            fact = InitiativeFact(
                level=level,
                recognised_on=recognised_on,
                has_nationwide_effect=level == InitiativeLevel.NATIONAL,
                is_science_work=science,
            )
            for member in team:
                member.initiatives[year].append(fact)


def _chunks(units: dict[int, UnitRow]):
    """Groups of top-level units (each with its units) not seeded yet, about CHUNK_STAFF staff each."""
    groups: dict[int, list[int]] = defaultdict(list)
    for unit in units.values():
        groups[unit.top_id].append(unit.pk)
    staff_per_unit = dict(
        Staff.objects.filter(unit__isnull=False)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    done = set(
        Rating.objects.filter(staff__isnull=False)
        .order_by()
        .values_list("staff__unit_id", flat=True)
        .distinct()
    )
    chunk: list[tuple[UnitRow, list[int]]] = []
    size = 0
    for top_id in sorted(groups, key=lambda pk: units[pk].code):
        unit_ids = groups[top_id]
        staff = sum(staff_per_unit.get(unit_id, 0) for unit_id in unit_ids)
        if not staff or done.intersection(unit_ids):
            continue
        chunk.append((units[top_id], unit_ids))
        size += staff
        if size >= CHUNK_STAFF:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _seed_chunk(run: Run, chunk: list[tuple[UnitRow, list[int]]]) -> None:
    unit_ids = [unit_id for _top, ids in chunk for unit_id in ids]
    tops = [top.pk for top, _ids in chunk]
    postings = dict(
        Assignment.objects.filter(staff__unit_id__in=unit_ids)
        .values("staff_id")
        .annotate(first=Min("start_date"))
        .values_list("staff_id", "first")
    )
    people_by_top: dict[int, list[Person]] = defaultdict(list)
    people: dict[int, Person] = {}
    for pk, unit_id, gender in (
        Staff.objects.filter(unit_id__in=unit_ids)
        .order_by("staff_code")
        .values_list("pk", "unit_id", "gender")
    ):
        person = people[pk] = Person(pk, unit_id, gender, postings.get(pk))
        people_by_top[run.units[unit_id].top_id].append(person)
    for staff_id, year, title in IndividualRegistration.objects.filter(
        staff__unit_id__in=unit_ids, pledge__period__year__in=YEARS
    ).values_list("staff_id", "pledge__period__year", "title"):
        people[staff_id].registered[year].add(title)
    run.pledges = defaultdict(set)
    for unit_id, year, title in Pledge.objects.filter(unit_id__in=tops, period__year__in=YEARS).values_list(
        "unit_id", "period__year", "collective_title"
    ):
        run.pledges[(unit_id, year)].add(title)

    batch = Batch()
    for top, _ids in chunk:
        group = people_by_top[top.pk]
        rng = run.ctx.rng_for("awards", top.code)
        protected = {year for year in YEARS if (year, top.pk) in run.leads}
        for person in group:
            _draw_years(rng, batch, person, protected)
        for year in YEARS:
            _draw_initiatives(rng, batch, run.units, group, year)
        for year in YEARS:
            award_people(rng, run, batch, top, group, year)
            award_unit(rng, run, batch, top, group, year)
    _write(run, batch)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs for the demo's biggest tables (ratings, votes, award records):
    building a model instance per row took most of the seeding time at --scale 10. The values
    must be ready for the database (dates and strings are; see _db_datetime and the amounts)."""
    if not rows:
        return
    ops, meta = connection.ops, model._meta
    fields = [meta.get_field(name) for name in columns]
    table = ops.quote_name(meta.db_table)
    names = ", ".join(ops.quote_name(field.column) for field in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(BATCH_SIZE, ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            # Identifiers come from the model's metadata; every value is a query parameter.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([row_marks] * len(part))}"  # noqa: S608
            cursor.execute(sql, [value for row in part for value in row])


def _write(run: Run, batch: Batch) -> None:
    _insert(Rating, ("staff", "year", "grade"), batch.ratings)
    Discipline.objects.bulk_create(batch.disciplines, batch_size=BATCH_SIZE)
    Initiative.objects.bulk_create(
        [initiative for initiative, _authors in batch.initiatives], batch_size=BATCH_SIZE
    )
    authorship = Initiative.authors.through
    authorship.objects.bulk_create(
        [
            authorship(initiative_id=initiative.pk, staff_id=staff_id)
            for initiative, authors in batch.initiatives
            for staff_id in authors
        ],
        batch_size=BATCH_SIZE,
    )
    for year in {year for _staff, year in batch.registered_higher}:
        IndividualRegistration.objects.filter(
            pledge__period__year=year,
            staff_id__in=[staff for staff, of_year in batch.registered_higher if of_year == year],
        ).update(title=Title.CSTD_BO)
    Nomination.objects.bulk_create(batch.nominations, batch_size=BATCH_SIZE)
    _insert(
        Vote,
        ("nomination", "session", "member", "choice", "is_written", "cast_at"),
        [(nomination.pk, *rest) for nomination, *rest in batch.votes],
    )
    _insert(
        AwardRecord,
        (
            "award_type",
            "year",
            "staff",
            "unit",
            "decision",
            "nomination",
            "amount",
            "is_revoked",
            "revoked_reason",
        ),
        [
            (
                award_type,
                year,
                staff,
                unit,
                decision,
                nomination.pk if nomination else None,
                amount,
                False,
                "",
            )
            for award_type, year, staff, unit, decision, nomination, amount in batch.records
        ],
    )
    run.created.update(
        ratings=len(batch.ratings),
        disciplines=len(batch.disciplines),
        initiatives=len(batch.initiatives),
        nominations=len(batch.nominations),
        votes=len(batch.votes),
        records=len(batch.records),
    )


def _by_code(units: dict[int, UnitRow]) -> dict[str, UnitRow]:
    return {unit.code: unit for unit in units.values()}


def _flag_candidate(unit: UnitRow) -> int | None:
    """A person of the unit's line rated well in the last year and not awarded for it."""
    last = YEARS[-1]
    return (
        Staff.objects.filter(
            unit__path__startswith=unit.path,
            ratings__year=last,
            ratings__grade__in=[RatingGrade.EXCELLENT, RatingGrade.GOOD],
        )
        .exclude(awards__year=last)
        .order_by("staff_code")
        .values_list("pk", flat=True)
        .first()
    )


def _seed_review_flags(units: dict[int, UnitRow]) -> int:
    """Open reviews opened in 2026: on a few staff members and one unit."""
    codes = _by_code(units)
    secretary = get_user_model().objects.filter(groups__name=Role.COMMITTEE_SECRETARY).order_by("pk").first()
    # The demo's flags differ by kind and opening day: that pair is their natural key.
    existing = set(ReviewFlag.objects.values_list("kind", "opened_on"))
    new = []
    for code, kind, opened_on, note in REVIEW_FLAGS:
        if code not in codes or (kind, opened_on) in existing:
            continue
        staff_id = _flag_candidate(codes[code])
        if staff_id is not None:
            new.append(
                ReviewFlag(
                    staff_id=staff_id, kind=kind, opened_on=opened_on, note=note, recorded_by=secretary
                )
            )
    code, kind, opened_on, note = UNIT_REVIEW_FLAG
    if code in codes and (kind, opened_on) not in existing:
        new.append(
            ReviewFlag(
                unit_id=codes[code].pk, kind=kind, opened_on=opened_on, note=note, recorded_by=secretary
            )
        )
    ReviewFlag.objects.bulk_create(new)
    return len(new)


def _seed_exemplars(units: dict[int, UnitRow]) -> int:
    """A few advanced models of task area 7, at every stage."""
    codes = _by_code(units)
    existing = set(
        Exemplar.objects.filter(name__in=[row[0] for row in EXEMPLARS]).values_list("name", flat=True)
    )
    new = []
    for name, code, for_person, stage, discovered in EXEMPLARS:
        if name in existing or code not in codes:
            continue
        unit = codes[code]
        discovered_on = datetime.date.fromisoformat(discovered)
        dates = [discovered_on + datetime.timedelta(days=150 * step) for step in range(1, 4)]
        reached = STAGE_ORDER.index(stage)
        exemplar = Exemplar(
            name=name,
            stage=stage,
            discovered_on=discovered_on,
            fostered_on=dates[0] if reached >= 1 else None,
            summed_up_on=dates[1] if reached >= 2 else None,
            replicated_on=dates[2] if reached >= 3 else None,
            notes="Điển hình tiên tiến của phong trào thi đua giai đoạn 2021 – 2025.",
        )
        if for_person:
            exemplar.staff_id = (
                Staff.objects.filter(unit__path__startswith=unit.path, awards__award_type__code="CSTDCS")
                .order_by("staff_code")
                .values_list("pk", flat=True)
                .first()
            )
            if exemplar.staff_id is None:
                continue
        else:
            exemplar.unit_id = unit.pk
        new.append(exemplar)
    Exemplar.objects.bulk_create(new)
    return len(new)

"""The measurements that run inside the application, one function per `bench.inproc` command.

Imported by bench/inproc.py after `django.setup()`, against one bench database. Every measurement
that writes does so inside a transaction it rolls back (or, for the Celery worker's compile, undoes
with restore-snapshots), so the bench database stays as seeded and reruns measure the same data.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.mail import get_connection
from django.db import connection, transaction
from django.template.base import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.common import median, memory_kib
from config.navigation import NAVIGATION
from emulation.demo import MOVEMENT_TITLE, OPEN_YEAR, PAST_YEARS
from emulation.enums import AdjustmentKind, PledgeState, ReminderKind, SubmissionState
from emulation.models import (
    Adjustment,
    Criterion,
    CriterionResult,
    Period,
    Pledge,
    RankingEntry,
    RankingSnapshot,
    ReminderLog,
    ScorerAssignment,
    Submission,
    TaskArea,
)
from emulation.services import reminders
from emulation.services.pledges import start_pledge
from emulation.services.rankings import MOVEMENT_SCOPE_KEY, TIE_BREAK_AREAS, compile_rankings
from tests.integration.smtp_sink import SmtpSink
from units.demo import DEMO_PASSWORD
from units.enums import Role
from units.models import Cluster, ClusterMembership, Staff, Unit
from units.querysets import home_unit_of

RANKED_YEAR = PAST_YEARS[-1]  # the last finalised year of the demo: rankings, scoring, eligibility
OFFICER = "donvi"  # the demo unit officer whose pledge form is loaded
LEADER = "lanhdao"
SECRETARY = "thuongtruc"
SCORER = "hoidong1"
BENCH_OFFICER = "bench_officer_{:02d}"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PROFILE_REQUESTS = 5
WARMUP_REMINDERS = 50
User = get_user_model()


def _elapsed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def _movement_periods() -> tuple[Period, Period]:
    ranked = Period.objects.select_related("movement").get(movement__title=MOVEMENT_TITLE, year=RANKED_YEAR)
    open_period = Period.objects.select_related("movement").get(
        movement__title=MOVEMENT_TITLE, year=OPEN_YEAR
    )
    return ranked, open_period


# --- fixtures ------------------------------------------------------------------------------------


def _keep_pledging_open(period: Period, today: datetime.date) -> int:
    """The demo places the open year's pledging around the day it was seeded (closing two weeks
    later). A database seeded earlier has its open year's dates moved by the days since, all five
    together, so the pledge forms and the reminders see the same situation as on the seeding day."""
    shift = (today + datetime.timedelta(days=14) - period.pledging_closes).days
    if shift <= 0 and period.pledging_opens <= today:
        return 0
    delta = datetime.timedelta(days=shift)
    Period.objects.filter(pk=period.pk).update(
        pledging_opens=period.pledging_opens + delta,
        pledging_closes=period.pledging_closes + delta,
        self_assessment_opens=period.self_assessment_opens + delta,
        self_assessment_closes=period.self_assessment_closes + delta,
        scoring_closes=period.scoring_closes + delta,
    )
    return shift


def _bench_officers(period: Period, count: int, password: str) -> list[dict]:
    """`count` unit-officer logins, each of a unit whose pledge for the open year is still open.

    Loading the pledge form's POST needs one pledge per connection: two connections saving the
    same pledge would (rightly) answer 409 to the slower one. The demo has two officer logins, so
    the bench adds its own, each linked to a staff member of its unit, with a password of this run.
    """
    users = {user.username: user for user in User.objects.filter(username__startswith="bench_officer_")}
    taken = set(Staff.objects.filter(user__in=users.values()).values_list("unit_id", flat=True))
    closed = set(
        Pledge.objects.filter(period=period)
        .exclude(state__in=(PledgeState.DRAFT, PledgeState.RETURNED))
        .values_list("unit_id", flat=True)
    )
    demo_units = {
        staff.unit_id
        for staff in Staff.objects.filter(user__groups__name=Role.UNIT_OFFICER).exclude(
            user__username__startswith="bench_officer_"
        )
    }
    units = [
        unit
        for unit in Unit.objects.filter(
            pk__in=ClusterMembership.objects.filter(year=period.year).values("unit_id")
        ).order_by("code")
        if unit.pk not in closed and unit.pk not in demo_units and unit.pk not in taken
    ]
    officer_group = Group.objects.get(name=Role.UNIT_OFFICER)
    password_hash = make_password(password)
    result = []
    for index in range(1, count + 1):
        username = BENCH_OFFICER.format(index)
        user = users.get(username)
        if user is None:
            user = User.objects.create(username=username, email=f"{username}@bench.test")
        user.password = password_hash
        user.save(update_fields=["password"])
        user.groups.add(officer_group)
        unit = home_unit_of(user)
        if unit is None or unit.pk in closed:
            if not units:
                break
            unit = units.pop(0)
            Staff.objects.filter(user=user).update(user=None)
            staff = Staff.objects.filter(unit=unit, user__isnull=True).order_by("pk").first()
            if staff is None:
                continue
            Staff.objects.filter(pk=staff.pk).update(user=user)
        pledge = start_pledge(unit, period, actor=user)
        pledge.refresh_from_db()
        if pledge.is_open_for_changes:
            result.append({"username": username, "pledge": pledge.pk, "unit": unit.code})
    return result


def scenario_ids() -> dict:
    """The objects the pages are measured on, chosen by natural keys so every scale picks alike."""
    ranked, open_period = _movement_periods()
    officer = User.objects.get(username=OFFICER)
    unit = home_unit_of(officer)
    pledge = Pledge.objects.filter(unit=unit, period=open_period).first()
    assignment = (
        ScorerAssignment.objects.filter(member__username=SCORER, submission__period=ranked)
        .order_by("submission__unit__code", "pk")
        .first()
    )
    cluster = Cluster.objects.for_year(RANKED_YEAR).order_by("code").first()
    return {
        "ranked_period": ranked.pk,
        "open_period": open_period.pk,
        "officer_unit": unit.pk,
        "officer_pledge": pledge.pk if pledge else None,
        "scoring_submission": assignment.submission_id if assignment else None,
        "cluster": cluster.pk if cluster else None,
    }


def data_counts() -> dict:
    ranked, _open = _movement_periods()
    return {
        "units": Unit.objects.count(),
        "staff": Staff.objects.count(),
        "clusters": Cluster.objects.for_year(RANKED_YEAR).count(),
        "ranked_units": Submission.objects.filter(period=ranked, state=SubmissionState.FINALISED).count(),
        "criterion_results": CriterionResult.objects.filter(submission__period=ranked).count(),
    }


def fixtures(args) -> dict:
    """Bench logins and pledges; the ids of the pages; the size of the data."""
    today = timezone.localdate()
    _ranked, open_period = _movement_periods()
    shifted = _keep_pledging_open(open_period, today)
    open_period.refresh_from_db()
    officer = User.objects.get(username=OFFICER)
    unit = home_unit_of(officer)
    pledge = start_pledge(unit, open_period, actor=officer)  # what "Our pledge" does on first visit
    pledge.refresh_from_db()
    if not pledge.is_open_for_changes:
        raise SystemExit(f"The pledge of {OFFICER} for {OPEN_YEAR} is {pledge.state}: not open for changes.")
    password = os.environ.get("BENCH_PASSWORD", "")
    officers = _bench_officers(open_period, args.officers, password) if password else []
    return {
        "ids": scenario_ids(),
        "counts": data_counts(),
        "officers": officers,
        "demo_password": DEMO_PASSWORD,
        "personas": {"officer": OFFICER, "leader": LEADER, "secretary": SECRETARY, "scorer": SCORER},
        "dates_shifted_days": shifted,
    }


# --- a. ranking compile vs the raw SQL floor --------------------------------------------------------


def _floor_query(period: Period) -> tuple[str, list]:
    """Every unit's rank in its cluster and in the movement, straight from the CriterionResult rows.

    The same inputs and order as emulation.services.rankings: points capped per criterion and
    summed per task area, a task area "full" when it reaches the sum of its criteria's maxima, the
    net bonus capped at ±bonus_limit, then total, full areas, area 4, area 5 and unit code. One
    statement: GROUP BY for the sums, window functions for the ranks; nothing is written.
    """
    table = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (CriterionResult, Submission, Criterion, TaskArea, Adjustment, Unit, ClusterMembership)
    }
    area_a, area_b = TIE_BREAK_AREAS
    # Table names come from the models' Meta (quoted); every value is a bound parameter.
    query = f"""
        WITH area_points AS (
            SELECT s.unit_id, ta.number AS area, SUM(GREATEST(LEAST(r.points, c.max_points), 0)) AS points
            FROM {table["CriterionResult"]} r
            JOIN {table["Submission"]} s ON s.id = r.submission_id
            JOIN {table["Criterion"]} c ON c.id = r.criterion_id
            JOIN {table["TaskArea"]} ta ON ta.id = c.task_area_id
            WHERE s.period_id = %(period)s AND s.state = %(finalised)s AND ta.movement_id = %(movement)s
            GROUP BY s.unit_id, ta.number
        ), area_full AS (
            SELECT ta.number AS area, SUM(c.max_points) AS full_points
            FROM {table["TaskArea"]} ta JOIN {table["Criterion"]} c ON c.task_area_id = ta.id
            WHERE ta.movement_id = %(movement)s
            GROUP BY ta.number
        ), adjustments AS (
            SELECT s.unit_id,
                   SUM(CASE WHEN a.kind = %(deduction)s THEN -a.points ELSE a.points END) AS net
            FROM {table["Adjustment"]} a JOIN {table["Submission"]} s ON s.id = a.submission_id
            WHERE s.period_id = %(period)s
            GROUP BY s.unit_id
        ), totals AS (
            SELECT s.unit_id, u.code,
                   COALESCE(SUM(ap.points), 0)
                     + LEAST(GREATEST(COALESCE(MAX(adj.net), 0), -%(limit)s), %(limit)s) AS total,
                   COUNT(*) FILTER (WHERE ap.points >= af.full_points AND af.full_points > 0) AS full_areas,
                   COALESCE(SUM(ap.points) FILTER (WHERE ap.area = %(area_a)s), 0) AS points_a,
                   COALESCE(SUM(ap.points) FILTER (WHERE ap.area = %(area_b)s), 0) AS points_b
            FROM {table["Submission"]} s
            JOIN {table["Unit"]} u ON u.id = s.unit_id
            LEFT JOIN area_points ap ON ap.unit_id = s.unit_id
            LEFT JOIN area_full af ON af.area = ap.area
            LEFT JOIN adjustments adj ON adj.unit_id = s.unit_id
            WHERE s.period_id = %(period)s AND s.state = %(finalised)s
            GROUP BY s.unit_id, u.code
        )
        SELECT t.unit_id, m.cluster_id, t.total,
               RANK() OVER (PARTITION BY m.cluster_id
                            ORDER BY t.total DESC, t.full_areas DESC, t.points_a DESC, t.points_b DESC, t.code),
               RANK() OVER (ORDER BY t.total DESC, t.full_areas DESC, t.points_a DESC, t.points_b DESC, t.code)
        FROM totals t
        LEFT JOIN {table["ClusterMembership"]} m ON m.unit_id = t.unit_id AND m.year = %(year)s
    """  # noqa: S608
    params = {
        "period": period.pk,
        "movement": period.movement_id,
        "finalised": SubmissionState.FINALISED,
        "deduction": AdjustmentKind.DEDUCTION,
        "limit": period.movement.bonus_limit,
        "area_a": area_a,
        "area_b": area_b,
        "year": period.year,
    }
    return query, params


def _run_floor(query: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _compile_in_rollback(period: Period, *, count_queries: bool = False) -> dict:
    """One full final compile of the period, as after a change of its results, then rolled back.

    The current final snapshots are marked not current first (untimed), so the compile finds no
    snapshot with its inputs hash and does all its work: aggregate, rank, write every snapshot and
    entry and the audit row. The outer transaction is rolled back: the database stays as seeded.
    """
    with transaction.atomic():
        RankingSnapshot.objects.filter(period=period, is_provisional=False, is_current=True).update(
            is_current=False
        )
        capture = CaptureQueriesContext(connection) if count_queries else contextlib.nullcontext()
        with capture as queries:
            seconds, snapshots = _elapsed(lambda: compile_rankings(period, provisional=False))
        movement = next((s for s in snapshots if s.scope_key == MOVEMENT_SCOPE_KEY), None)
        ranks = (
            dict(RankingEntry.objects.filter(snapshot=movement).values_list("unit_id", "rank"))
            if movement
            else {}
        )
        entries = RankingEntry.objects.filter(snapshot__in=snapshots).count()
        transaction.set_rollback(True)
    return {
        "seconds": seconds,
        "snapshots": len(snapshots),
        "entries": entries,
        "queries": len(queries) if count_queries else None,
        "movement_ranks": ranks,
    }


def measure_compile(args) -> dict:
    period, _open = _movement_periods()
    query, params = _floor_query(period)
    # Warm-up (plans, caches) and the checks: query count, and the floor ranks like the service.
    rows = _run_floor(query, params)
    first = _compile_in_rollback(period, count_queries=True)
    floor_ranks = {unit_id: movement_rank for unit_id, _cluster, _total, _rank, movement_rank in rows}
    floor_times, compile_times = [], []
    for _rep in range(args.reps):
        floor_times.append(_elapsed(lambda: _run_floor(query, params))[0])
        compile_times.append(_compile_in_rollback(period)["seconds"])
    return {
        "floor_s": median(floor_times),
        "compile_s": median(compile_times),
        "floor_runs": floor_times,
        "compile_runs": compile_times,
        "queries": first["queries"],
        "snapshots": first["snapshots"],
        "entries": first["entries"],
        "floor_rows": len(rows),
        "floor_matches_service": floor_ranks == first["movement_ranks"],
        "counts": data_counts(),
    }


# --- b. eligibility ------------------------------------------------------------------------------


def _evaluate_year():
    """awards.services.eligibility.evaluate_year, or None while that service does not exist."""
    try:
        from awards.services.eligibility import (  # noqa: PLC0415 - optional: another feature adds it
            evaluate_year,
        )
    except ImportError:
        return None
    return evaluate_year


def _subject_count(result) -> tuple[int, str]:
    """How many staff members and units the run evaluated: from its result when it says, else counted."""
    for name in ("subjects", "subject_count"):
        value = getattr(result, name, None)
        if isinstance(value, int):
            return value, f"result.{name}"
        if hasattr(value, "__len__"):
            return len(value), f"len(result.{name})"
    parts = [getattr(result, name, None) for name in ("people", "persons", "staff")]
    people = next((part for part in parts if hasattr(part, "__len__")), None)
    units = getattr(result, "units", None)
    if people is not None and hasattr(units, "__len__"):
        return len(people) + len(units), "people + units of the result"
    if isinstance(result, dict | list | tuple) and result:
        return len(result), "len(result)"
    active = datetime.date(RANKED_YEAR, 12, 31)
    return Staff.objects.count() + Unit.objects.active(active).count(), "all staff + units active on 31/12"


def _eligibility_in_rollback(evaluate, *, count_queries: bool = False) -> dict:
    with transaction.atomic():
        capture = CaptureQueriesContext(connection) if count_queries else contextlib.nullcontext()
        with capture as queries:
            seconds, result = _elapsed(lambda: evaluate(RANKED_YEAR))
        subjects, source = _subject_count(result)
        transaction.set_rollback(True)
    return {
        "seconds": seconds,
        "queries": len(queries) if count_queries else None,
        "subjects": subjects,
        "source": source,
    }


def measure_eligibility(args) -> dict:
    evaluate = _evaluate_year()
    if evaluate is None:
        return {"status": "pending", "reason": "awards.services.eligibility.evaluate_year does not exist yet"}
    first = _eligibility_in_rollback(evaluate, count_queries=True)
    times = [_eligibility_in_rollback(evaluate)["seconds"] for _rep in range(args.reps)]
    seconds = median(times)
    return {
        "status": "measured",
        "seconds": seconds,
        "runs": times,
        "queries": first["queries"],
        "subjects": first["subjects"],
        "subject_source": first["source"],
        "per_10000_s": seconds / first["subjects"] * 10000 if first["subjects"] else None,
    }


def eligibility_peak(args) -> dict:
    """The peak RSS of this process before and after one eligibility run (no Celery task exists)."""
    evaluate = _evaluate_year()
    before = memory_kib(os.getpid())
    if evaluate is None:
        return {"status": "pending", "idle_kib": before}
    run = _eligibility_in_rollback(evaluate)
    return {
        "status": "measured",
        "idle_kib": before,
        "peak_kib": memory_kib(os.getpid()),
        "seconds": run["seconds"],
    }


# --- c. reminders --------------------------------------------------------------------------------


def _reminder_day(period: Period) -> datetime.date:
    """The first "before the deadline" day of the open year's pledging: every owing unit is reminded."""
    for days in reminders.reminder_offsets():
        day = period.pledging_closes - datetime.timedelta(days=days)
        if day >= period.pledging_opens:
            return day
    return period.pledging_closes


def _add_recipients(period: Period, day: datetime.date, target: int) -> int:
    """Give the units owing their pledge enough officers with an address to reach `target` reminders.

    The demo has two officer logins; a real office has one or more per unit. The bench adds logins
    (unit_officer, linked to a staff member of the unit, no usable password) inside the caller's
    transaction, which is rolled back: one per owing unit first (every owing unit is reminded,
    when it has staff), then more, round-robin, up to `target`. Returns the logins added.
    """
    deadline = reminders.Deadline(period, ReminderKind.PLEDGE, period.pledging_closes, period.pledging_opens)
    owing = list(reminders.units_owing(deadline).values_list("pk", flat=True))
    already = len(reminders.due_reminders(day).reminders)
    wanted = max(target, len(owing)) - already
    if not owing or wanted <= 0:
        return 0
    per_unit = math.ceil(wanted / len(owing))
    candidates: dict[int, list[int]] = defaultdict(list)
    for staff_id, unit_id in (
        Staff.objects.filter(unit_id__in=owing, user__isnull=True)
        .order_by("unit_id", "pk")
        .values_list("pk", "unit_id")
    ):
        if len(candidates[unit_id]) < per_unit:
            candidates[unit_id].append(staff_id)
    rounds = ([ids[index] for ids in candidates.values() if index < len(ids)] for index in range(per_unit))
    staff_ids = [staff_id for round_ids in rounds for staff_id in round_ids][:wanted]
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench_reminder_{pk}",
                email=f"bench.reminder.{pk}@bench.test",
                password=make_password(None),
            )
            for pk in staff_ids
        ]
    )
    Staff.objects.bulk_update(
        [Staff(pk=pk, user_id=user.pk) for pk, user in zip(staff_ids, users, strict=True)], ["user"]
    )
    group = Group.objects.get(name=Role.UNIT_OFFICER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users]
    )
    return len(users)


def _reminder_run(period: Period, day: datetime.date, target: int, sink: SmtpSink) -> dict:
    with transaction.atomic():
        added = _add_recipients(period, day, target)
        received = sink.count()
        smtp = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port, timeout=10
        )
        plan_s, planned = _elapsed(lambda: reminders.plan_reminders(day))
        send_s, sent = _elapsed(lambda: reminders.send_due_reminders(today=day, connection=smtp))
        delivered = sink.count() - received
        # The SMTP floor: as many copies of one rendered reminder, over one connection, no database.
        row = ReminderLog.objects.filter(period=period).order_by("pk").first()
        floor_s = None
        if row is not None and sent.sent:
            floor = get_connection(
                "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port, timeout=10
            )
            message = reminders.build_message(row, today=day, connection=floor)
            floor_s, _count = _elapsed(lambda: floor.send_messages([message] * sent.sent))
        transaction.set_rollback(True)
    return {
        "added_logins": added,
        "decided": planned.decided,
        "sent": sent.sent,
        "failed": sent.failed,
        "delivered": delivered,
        "plan_s": plan_s,
        "send_s": send_s,
        "floor_s": floor_s,
    }


def measure_reminders(args) -> dict:
    _ranked, period = _movement_periods()
    day = _reminder_day(period)
    sink = SmtpSink().start()
    try:
        _reminder_run(period, day, WARMUP_REMINDERS, sink)  # warm-up: templates, connections
        runs = [_reminder_run(period, day, args.target, sink) for _rep in range(args.reps)]
    finally:
        sink.stop()
    sent = runs[0]["sent"]
    total = median(run["plan_s"] + run["send_s"] for run in runs)
    return {
        "day": day.isoformat(),
        "reminders": sent,
        "decided": runs[0]["decided"],
        "failed": max(run["failed"] for run in runs),
        "undelivered": max(run["sent"] - run["delivered"] for run in runs),
        "plan_s": median(run["plan_s"] for run in runs),
        "send_s": median(run["send_s"] for run in runs),
        "total_s": total,
        "floor_s": median(run["floor_s"] for run in runs),
        "per_1000_s": total / sent * 1000 if sent else None,
        "runs": runs,
    }


# --- e. query counts of the main pages -----------------------------------------------------------


# Who opens a menu entry in the query counts: the first of these personas whose role it names.
PERSONA_ROLES = (
    (SECRETARY, Role.COMMITTEE_SECRETARY),
    (LEADER, Role.LEADER),
    (OFFICER, Role.UNIT_OFFICER),
    (SCORER, Role.COMMITTEE_MEMBER),
)


def main_pages(ids: dict) -> list[tuple[str, str, str, dict, str]]:
    """(key, persona, URL name, kwargs, query string): the pages loaded under wrk and their
    neighbours, each as the role that uses it, then every other menu entry (config.navigation)."""
    ranked = f"period={ids['ranked_period']}"
    pages = [
        ("leader-home", LEADER, "home", {}, ""),
        ("dashboard", LEADER, "emulation:dashboard", {}, ""),
        ("dashboard-ranked-year", LEADER, "emulation:dashboard", {}, ranked),
        ("dashboard-cluster", LEADER, "emulation:dashboard-cluster", {"pk": ids["cluster"]}, ""),
        ("dashboard-unit", LEADER, "emulation:dashboard-unit", {"pk": ids["officer_unit"]}, ""),
        ("ranking-list", LEADER, "emulation:ranking-list", {}, ""),
        ("ranking-list-officer", OFFICER, "emulation:ranking-list", {}, ""),
        ("ranking-unit", OFFICER, "emulation:ranking-unit", {"pk": ids["officer_unit"]}, ""),
        ("officer-home", OFFICER, "home", {}, ""),
        ("pledge-edit", OFFICER, "emulation:pledge-edit", {"pk": ids["officer_pledge"]}, ""),
        ("pledge-detail", OFFICER, "emulation:pledge-detail", {"pk": ids["officer_pledge"]}, ""),
        ("submission-mine", OFFICER, "emulation:submission-mine", {}, ""),
        ("pledge-list", SECRETARY, "emulation:pledge-list", {}, ""),
        ("submission-list", SECRETARY, "emulation:submission-list", {}, ""),
        ("covenant-list", SECRETARY, "emulation:covenant-list", {}, ""),
        ("reminder-list", SECRETARY, "emulation:reminder-list", {}, ""),
        ("movement-list", SECRETARY, "emulation:movement-list", {}, ""),
        ("period-list", SECRETARY, "emulation:period-list", {}, ""),
        ("scorer-home", SCORER, "home", {}, ""),
        ("scoring-queue", SCORER, "emulation:scoring-queue", {}, ""),
        ("scoring-form", SCORER, "emulation:scoring-form", {"pk": ids["scoring_submission"]}, ""),
        ("awards-dashboard", LEADER, "awards:dashboard", {}, ""),
        ("nomination-list", SECRETARY, "awards:nomination-list", {}, ""),
        ("nomination-mine", OFFICER, "awards:nomination-mine", {}, ""),
        ("session-list", SECRETARY, "awards:session-list", {}, ""),
        ("decision-list", SECRETARY, "awards:decision-list", {}, ""),
        ("unit-list", LEADER, "units:unit-list", {}, ""),
        ("cluster-list", LEADER, "units:cluster-list", {}, ""),
        ("staff-list", LEADER, "units:staff-list", {}, ""),
        ("staff-list-officer", OFFICER, "units:staff-list", {}, ""),
    ]
    listed = {name for _key, _persona, name, _kwargs, _query in pages}
    for item in NAVIGATION:
        persona = next((persona for persona, role in PERSONA_ROLES if role in item.roles), None)
        if item.url_name not in listed and persona is not None:
            pages.append((item.url_name.rsplit(":", 1)[-1], persona, item.url_name, {}, ""))
    return [page for page in pages if all(value is not None for value in page[3].values())]


class RenderWatch:
    """Counts the queries issued while a template body renders (Template._render, nested or not).

    Context processors run before `_render` (RequestContext.bind_template), so their queries count
    as the view's; a lazy value that reaches the database from inside the template counts here.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.queries: list[str] = []
        self._original = Template._render

    def __enter__(self) -> RenderWatch:
        watch, original = self, self._original

        def _render(template, context):
            watch.depth += 1
            try:
                return original(template, context)
            finally:
                watch.depth -= 1

        Template._render = _render
        self._wrapper = connection.execute_wrapper(self._execute)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)
        Template._render = self._original

    def _execute(self, execute, sql, params, many, context):
        if self.depth:
            self.queries.append(sql)
        return execute(sql, params, many, context)


def _client(username: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(User.objects.get(username=username), backend=MODEL_BACKEND)
    return client


def _page_url(name: str, kwargs: dict, query: str) -> str | None:
    try:
        path = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
    return f"{path}?{query}" if query else path


def measure_queries(args) -> dict:
    ids = scenario_ids()
    clients: dict[str, Client] = {}
    pages = {}
    for key, persona, name, kwargs, query in main_pages(ids):
        url = _page_url(name, kwargs, query)
        if url is None:
            pages[key] = {"status": "absent", "url_name": name}
            continue
        client = clients.get(persona) or clients.setdefault(persona, _client(persona))
        client.get(url)  # warm-up: the caches keyed by snapshot id are filled as in production
        with CaptureQueriesContext(connection) as queries, RenderWatch() as watch:
            response = client.get(url)
        pages[key] = {
            "url": url,
            "persona": persona,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
            "in_render": len(watch.queries),
            "in_render_sql": [sql[:160] for sql in watch.queries[:3]],
        }
    return {"pages": pages, "counts": data_counts()}


# --- snapshots for the Celery worker's compile --------------------------------------------------------


def retire_snapshots(args) -> dict:
    """Mark the ranked year's current final snapshots not current, so the worker's compile writes all."""
    period, _open = _movement_periods()
    current = RankingSnapshot.objects.filter(period=period, is_provisional=False, is_current=True)
    ids = list(current.values_list("pk", flat=True))
    RankingSnapshot.objects.filter(pk__in=ids).update(is_current=False)
    return {"ids": ids, "period": period.pk}


def restore_snapshots(args) -> dict:
    """Undo retire-snapshots: drop what the worker wrote, make the retired snapshots current again."""
    period, _open = _movement_periods()
    with transaction.atomic():
        written = RankingSnapshot.objects.filter(
            period=period, is_provisional=False, is_current=True
        ).exclude(pk__in=args.ids)
        new_ids = list(written.values_list("pk", flat=True))
        RankingEntry.objects.filter(snapshot_id__in=new_ids).delete()
        RankingSnapshot.objects.filter(pk__in=new_ids).delete()
        RankingSnapshot.objects.filter(pk__in=args.ids).update(is_current=True)
    return {"removed": len(new_ids), "restored": len(args.ids)}


# --- profiles of missed targets -------------------------------------------------------------------


class TemplateClock:
    """Time spent in each template itself (without the templates it includes), while active."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._stack: list[float] = []
        self._original = Template._render

    def __enter__(self) -> TemplateClock:
        clock, original = self, self._original

        def _render(template, context):
            started = time.perf_counter()
            clock._stack.append(0.0)
            try:
                return original(template, context)
            finally:
                spent = time.perf_counter() - started
                inner = clock._stack.pop()
                clock.seconds[template.name or "(string)"] += spent - inner
                if clock._stack:
                    clock._stack[-1] += spent

        Template._render = _render
        return self

    def __exit__(self, *exc) -> None:
        Template._render = self._original

    def table(self, requests: int) -> str:
        rows = sorted(self.seconds.items(), key=lambda item: -item[1])[:10]
        lines = [f"{seconds / requests * 1000:8.1f} ms  {name}" for name, seconds in rows]
        return "Time per request in each template itself (its includes excluded):\n" + "\n".join(lines)


def _sanitised(text: str) -> str:
    """pyinstrument's text without this machine's paths."""
    root = str(Path(__file__).resolve().parent.parent) + "/"
    return "\n".join(
        line.replace(root, "") for line in text.splitlines() if not line.startswith("Profile at ")
    )


def profile(args) -> dict:
    """A pyinstrument profile of one compile, one eligibility run or PROFILE_REQUESTS page views."""
    from pyinstrument import Profiler  # noqa: PLC0415 - a development tool, only when profiling

    profiler = Profiler(interval=0.0005)
    extra = ""
    if args.target == "compile":
        period, _open = _movement_periods()
        _compile_in_rollback(period)
        profiler.start()
        _compile_in_rollback(period)
        profiler.stop()
    elif args.target == "eligibility":
        evaluate = _evaluate_year()
        if evaluate is None:
            return {"target": args.target, "text": "evaluate_year does not exist yet"}
        profiler.start()
        _eligibility_in_rollback(evaluate)
        profiler.stop()
    else:
        page = next((page for page in main_pages(scenario_ids()) if page[0] == args.target), None)
        if page is None:
            return {"target": args.target, "text": "no such page"}
        _key, persona, name, kwargs, query = page
        url = _page_url(name, kwargs, query)
        client = _client(persona)
        client.get(url)
        with TemplateClock() as clock:
            for _request in range(PROFILE_REQUESTS):
                client.get(url)
        extra = clock.table(PROFILE_REQUESTS) + "\n\n"
        profiler.start()
        for _request in range(PROFILE_REQUESTS):
            client.get(url)
        profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return {"target": args.target, "text": extra + _sanitised(text)}


COMMANDS: dict[str, Callable] = {
    "fixtures": fixtures,
    "compile": measure_compile,
    "eligibility": measure_eligibility,
    "eligibility-peak": eligibility_peak,
    "reminders": measure_reminders,
    "queries": measure_queries,
    "retire-snapshots": retire_snapshots,
    "restore-snapshots": restore_snapshots,
    "profile": profile,
}

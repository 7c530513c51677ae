"""The secretary's setup of a movement: the scoring-table check and the audited edits of the
movement, its task areas, criteria and periods.

Every write runs in one transaction and records an audit entry (units.services.record_audit) with
the values before and after of the fields that changed. Changes to the scoring table (movement,
task areas, criteria) are recorded on the movement, so that its page shows one trail; changes to a
period are recorded on the period. Services assume validated input: the forms validate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.deletion import ProtectedError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emulation.enums import PledgeState
from emulation.models import Criterion, Movement, Period, TaskArea
from emulation.services.errors import ClosedForChangesError, EmulationError
from units.services import record_audit

MOVEMENT_FIELDS = (
    "title",
    "theme",
    "start_year",
    "end_year",
    "launched_on",
    "description",
    "total_points",
    "bonus_limit",
)
TASK_AREA_FIELDS = ("title", "description", "max_points")
CRITERION_FIELDS = (
    "code",
    "title",
    "order",
    "max_points",
    "measure",
    "direction",
    "target_max",
    "guidance",
)
PERIOD_FIELDS = (
    "movement",
    "year",
    "pledging_opens",
    "pledging_closes",
    "self_assessment_opens",
    "self_assessment_closes",
    "scoring_closes",
)


def points_text(value: Decimal) -> str:
    """Points as the user reads them: "20", "2,5" (in Vietnamese), never "20.00"."""
    return number_format(Decimal(value).normalize())


def scoring_table_problems(movement: Movement) -> list[str]:
    """What does not add up in the movement's scoring table, in words for the secretary.

    Empty when the table is balanced: the task areas' maximum points add up to the movement's
    total, and each task area's criteria add up to the area's maximum. One query: the task areas
    with the sum of their criteria's maximum points.
    """
    areas = (
        TaskArea.objects.filter(movement=movement)
        .annotate(criteria_points=Sum("criteria__max_points"))
        .order_by("number")
        .values_list("number", "max_points", "criteria_points")
    )
    problems = []
    areas_total = Decimal(0)
    for number, max_points, criteria_points in areas:
        areas_total += max_points
        criteria_points = criteria_points or Decimal(0)
        if criteria_points == max_points:
            continue
        values = {
            "number": number,
            "sum": points_text(criteria_points),
            "max": points_text(max_points),
            "difference": points_text(abs(max_points - criteria_points)),
        }
        if criteria_points < max_points:
            message = _(
                "Task area %(number)s: the criteria add up to %(sum)s of %(max)s points (%(difference)s missing)."
            )
        else:
            message = _(
                "Task area %(number)s: the criteria add up to %(sum)s points, %(difference)s more than the area's %(max)s."
            )
        problems.append(message % values)
    if areas_total != movement.total_points:
        problems.insert(
            0,
            _(
                "The task areas add up to %(sum)s points, but the scoring table is worth %(total)s points. Change the task areas' maximum points or the movement's total."
            )
            % {"sum": points_text(areas_total), "total": points_text(movement.total_points)},
        )
    return problems


def with_pledge_counts(periods: models.QuerySet[Period]) -> models.QuerySet[Period]:
    """Annotate each period with `pledges_total` and `pledges_<state>` for every pledge state.

    One query for any number of periods (a COUNT per state with a FILTER clause).
    """
    counts = {
        f"pledges_{state}": Count("pledges", filter=Q(pledges__state=state)) for state in PledgeState.values
    }
    return periods.annotate(pledges_total=Count("pledges"), **counts)


def _plain(value):
    """A field value as the audit trail stores it (JSON)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _changes(record: models.Model, stored: models.Model, fields: Iterable[str]) -> tuple[dict, dict]:
    """The fields whose value differs between the stored row and the edited record: (before, after)."""
    before, after = {}, {}
    for name in fields:
        field = record._meta.get_field(name)
        old, new = field.value_from_object(stored), field.value_from_object(record)
        if old != new:
            before[name], after[name] = _plain(old), _plain(new)
    return before, after


def _values(record: models.Model, fields: Iterable[str]) -> dict:
    return {name: _plain(record._meta.get_field(name).value_from_object(record)) for name in fields}


def _stored(record: models.Model) -> models.Model:
    """The row as the database holds it, locked until the transaction ends."""
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _save(record: models.Model, **kwargs) -> None:
    """Save in a savepoint. The forms check codes and years, but a second secretary saving the same
    code or year at the same moment gets past them; the database constraint then refuses it."""
    try:
        with transaction.atomic():
            record.save(**kwargs)
    except IntegrityError:
        raise EmulationError(
            _(
                "Someone else saved the same code or year at the same moment. Nothing was saved; reload the page and try again."
            )
        ) from None


def _save_changes(record: models.Model, stored: models.Model, fields: Iterable[str]) -> tuple[dict, dict]:
    """Save the fields of an edited record that differ from the stored row: (before, after)."""
    before, after = _changes(record, stored, fields)
    if after:
        _save(record, update_fields=list(after))
    return before, after


@transaction.atomic
def update_movement(movement: Movement, *, actor) -> bool:
    """Save the edited movement; records "movement.changed". Returns False when nothing changed."""
    before, after = _save_changes(movement, _stored(movement), MOVEMENT_FIELDS)
    if not after:
        return False
    record_audit(movement, action="movement.changed", actor=actor, before=before, after=after)
    return True


@transaction.atomic
def update_task_area(task_area: TaskArea, *, actor) -> bool:
    """Save the edited task area; records "task_area.changed" on its movement."""
    before, after = _save_changes(task_area, _stored(task_area), TASK_AREA_FIELDS)
    if not after:
        return False
    identity = {"task_area": task_area.number}
    record_audit(
        task_area.movement,
        action="task_area.changed",
        actor=actor,
        before=identity | before,
        after=identity | after,
    )
    return True


@transaction.atomic
def create_criterion(criterion: Criterion, *, actor) -> Criterion:
    """Add a criterion to its task area; records "criterion.created" on the movement.

    Raises EmulationError when the task area got a criterion with the same code meanwhile.
    """
    _save(criterion)
    record_audit(
        criterion.task_area.movement,
        action="criterion.created",
        actor=actor,
        after={"task_area": criterion.task_area.number} | _values(criterion, CRITERION_FIELDS),
    )
    return criterion


@transaction.atomic
def update_criterion(criterion: Criterion, *, actor) -> bool:
    """Save the edited criterion; records "criterion.changed" on the movement, naming the criterion.

    Raises EmulationError when a criterion of the task area took the same code meanwhile.
    """
    stored = _stored(criterion)
    before, after = _save_changes(criterion, stored, CRITERION_FIELDS)
    if not after:
        return False
    record_audit(
        criterion.task_area.movement,
        action="criterion.changed",
        actor=actor,
        before={"criterion": stored.code} | before,
        after={"criterion": criterion.code} | after,
    )
    return True


@transaction.atomic
def delete_criterion(criterion: Criterion, *, actor) -> None:
    """Delete a criterion nobody has used yet; records "criterion.deleted" on the movement.

    Raises EmulationError when pledge targets, self-assessments or scores refer to it: their
    history depends on it (the foreign keys are PROTECT).
    """
    criterion = (
        Criterion.objects.select_for_update().select_related("task_area__movement").get(pk=criterion.pk)
    )
    pledges = criterion.targets.count()
    if pledges:
        raise EmulationError(
            _(
                "Criterion %(code)s cannot be deleted: %(count)s pledges already have a target for it. Change its title or points instead."
            )
            % {"code": criterion.code, "count": pledges}
        )
    before = {"task_area": criterion.task_area.number} | _values(criterion, CRITERION_FIELDS)
    try:
        criterion.delete()
    except ProtectedError:
        raise EmulationError(
            _(
                "Criterion %(code)s cannot be deleted: self-assessments or committee scores already refer to it."
            )
            % {"code": before["code"]}
        ) from None
    record_audit(criterion.task_area.movement, action="criterion.deleted", actor=actor, before=before)


@transaction.atomic
def create_period(period: Period, *, actor) -> Period:
    """Open a new period of a movement; records "period.created" on the period.

    Raises EmulationError when the movement got a period for the same year meanwhile.
    """
    _save(period)
    record_audit(period, action="period.created", actor=actor, after=_values(period, PERIOD_FIELDS))
    return period


@transaction.atomic
def update_period(period: Period, *, actor) -> bool:
    """Save the edited period's year and dates; records "period.changed".

    Raises ClosedForChangesError when the period has been finalised (its results are final), and
    EmulationError when the movement got a period for the same year meanwhile.
    """
    stored = _stored(period)
    if stored.is_finalised:
        raise ClosedForChangesError(
            _("The period %(year)s has been finalised; its dates can no longer be changed.")
            % {"year": stored.year}
        )
    before, after = _save_changes(period, stored, PERIOD_FIELDS)
    if not after:
        return False
    record_audit(period, action="period.changed", actor=actor, before=before, after=after)
    return True

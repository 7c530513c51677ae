"""Workbooks the committee secretary downloads; built from querysets, no HTTP here.

`period_scores_workbook` answers "who scored what": one sheet with every member's score and one
with the committee's combined result per self-assessment and criterion (the fixed results once
the period is finalised, the current provisional ones before).
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import Column, Kind, Table, write_xlsx
from emulation.models import CriterionResult, Period, Score, Submission
from emulation.services.scoring import compute_results, criteria_for

EXPORT_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CRITERIA_ORDER = ("criterion__task_area__number", "criterion__order", "criterion__code")


def _member_name(user) -> str:
    staff = getattr(user, "staff", None)
    return user.get_full_name() or (staff.full_name if staff is not None else "")


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: the wall-clock time in Vietnam, without tzinfo."""
    if moment is None:
        return None
    return timezone.localtime(moment, EXPORT_ZONE).replace(tzinfo=None)


def _score_rows(period: Period) -> list[list[Any]]:
    scores = (
        Score.objects.filter(submission__period=period)
        .select_related("submission__unit", "criterion__task_area", "member__staff")
        .order_by("submission__unit__code", *CRITERIA_ORDER, "member__username", "pk")
    )
    return [
        [
            score.submission.unit.code,
            score.submission.unit.name,
            score.criterion.code,
            score.criterion.title,
            score.member.get_username(),
            _member_name(score.member),
            score.points,
            score.comment,
            _local(score.updated_at),
        ]
        for score in scores
    ]


def _result_rows(period: Period) -> list[list[Any]]:
    """Fixed results of a finalised period; otherwise the results the current scores give."""
    if period.is_finalised:
        results = (
            CriterionResult.objects.filter(submission__period=period)
            .select_related("submission__unit", "criterion__task_area")
            .order_by("submission__unit__code", *CRITERIA_ORDER, "pk")
        )
        return [
            [
                result.submission.unit.code,
                result.submission.unit.name,
                result.criterion.code,
                result.criterion.title,
                result.scorers,
                result.raw_points,
                result.normalised_points,
                result.points,
            ]
            for result in results
        ]
    computed = compute_results(period)
    submissions = {
        submission.pk: submission
        for submission in Submission.objects.filter(period=period).select_related("unit")
    }
    criteria = {criterion.pk: criterion for criterion in criteria_for(period)}
    rows = []
    for (submission_id, criterion_id), result in computed.items():
        submission, criterion = submissions[submission_id], criteria[criterion_id]
        used: Decimal = (
            result.normalised if period.normalise_scores and result.normalised is not None else result.raw
        )
        rows.append(
            (
                (submission.unit.code, criterion.task_area.number, criterion.order, criterion.code),
                [
                    submission.unit.code,
                    submission.unit.name,
                    criterion.code,
                    criterion.title,
                    result.scorers,
                    result.raw,
                    result.normalised,
                    used,
                ],
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return [row for _key, row in rows]


def period_scores_workbook(period: Period) -> bytes:
    """The period's scores and combined results as an .xlsx file (headers in the active language)."""
    scores = Table(
        _("Scores"),
        [
            Column(_("Unit code"), width=10),
            Column(_("Unit"), width=30),
            Column(_("Criterion code"), width=8),
            Column(_("Criterion"), width=40),
            Column(_("Username"), width=12),
            Column(_("Committee member"), width=24),
            Column(_("Points"), Kind.DECIMAL, 8),
            Column(_("Comment"), width=30),
            Column(_("Last changed"), Kind.DATETIME, 16),
        ],
        _score_rows(period),
    )
    results = Table(
        _("Results") if period.is_finalised else _("Provisional results"),
        [
            Column(_("Unit code"), width=10),
            Column(_("Unit"), width=30),
            Column(_("Criterion code"), width=8),
            Column(_("Criterion"), width=40),
            Column(_("Number of scorers"), width=8),
            Column(_("Points (raw)"), Kind.DECIMAL, 10),
            Column(_("Points (normalised)"), Kind.DECIMAL, 10),
            Column(_("Points used"), Kind.DECIMAL, 10),
        ],
        _result_rows(period),
    )
    return write_xlsx([scores, results])


def period_scores_filename(period: Period) -> str:
    return f"scores-{period.year}.xlsx"

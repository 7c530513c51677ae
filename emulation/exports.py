"""Workbooks the committee secretary downloads; built from querysets, no HTTP here.

`period_scores_workbook` answers "who scored what": one sheet with every member's score and one
with the committee's combined result per self-assessment and criterion (the fixed results once
the period is finalised, the current provisional ones before).
"""

from __future__ import annotations

import datetime
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from emulation.models import CriterionResult, Period, Score, Submission
from emulation.services.scoring import compute_results, criteria_for

EXPORT_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
POINTS_FORMAT = "0.00"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MAX_COLUMN_WIDTH = 60
CRITERIA_ORDER = ("criterion__task_area__number", "criterion__order", "criterion__code")


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    number_format: str | None = None


def _member_name(user) -> str:
    staff = getattr(user, "staff", None)
    return user.get_full_name() or (staff.full_name if staff is not None else "")


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: the wall-clock time in Vietnam, without tzinfo."""
    if moment is None:
        return None
    return timezone.localtime(moment, EXPORT_ZONE).replace(tzinfo=None)


def _write_sheet(sheet, columns: list[Column], rows: list[list[Any]]) -> None:
    """Bold frozen header, number formats per column, widths to fit (within reason)."""
    sheet.append([column.header for column in columns])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [max(column.width, len(column.header)) for column in columns]
    for row in rows:
        sheet.append(row)
        for index, value in enumerate(row):
            if isinstance(value, str):
                widths[index] = max(widths[index], len(value))
    for cells in sheet.iter_rows(min_row=2):
        for cell, column in zip(cells, columns, strict=True):
            if cell.data_type == "f":
                cell.data_type = "s"  # a comment starting with "=" stays text, never a formula
            if column.number_format and cell.value is not None:
                cell.number_format = column.number_format
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"


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
    workbook = openpyxl.Workbook()
    scores_sheet = workbook.active
    scores_sheet.title = str(_("Scores"))[:31]
    _write_sheet(
        scores_sheet,
        [
            Column(_("Unit code"), 10),
            Column(_("Unit"), 30),
            Column(_("Criterion code"), 8),
            Column(_("Criterion"), 40),
            Column(_("Username"), 12),
            Column(_("Committee member"), 24),
            Column(_("Points"), 8, POINTS_FORMAT),
            Column(_("Comment"), 30),
            Column(_("Last changed"), 16, DATETIME_FORMAT),
        ],
        _score_rows(period),
    )
    results_title = _("Results") if period.is_finalised else _("Provisional results")
    results_sheet = workbook.create_sheet(str(results_title)[:31])
    _write_sheet(
        results_sheet,
        [
            Column(_("Unit code"), 10),
            Column(_("Unit"), 30),
            Column(_("Criterion code"), 8),
            Column(_("Criterion"), 40),
            Column(_("Number of scorers"), 8),
            Column(_("Points (raw)"), 10, POINTS_FORMAT),
            Column(_("Points (normalised)"), 10, POINTS_FORMAT),
            Column(_("Points used"), 10, POINTS_FORMAT),
        ],
        _result_rows(period),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def period_scores_filename(period: Period) -> str:
    return f"scores-{period.year}.xlsx"

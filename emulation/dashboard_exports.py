"""The dashboard's tables as files: a ranking snapshot, the progress per cluster, the headline targets.

Each table is built once (`core.spreadsheets.Table`: columns with their header and kind, then
rows) and written by `core.spreadsheets.render` as an .xlsx workbook or as CSV. Headers are in the
active language. No HTTP here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.spreadsheets import Cell, Column, Kind, Table
from emulation.dashboard import Headline, PeriodProgress, ProgressRow, area_label
from emulation.enums import Measure
from emulation.models import RankingEntry, RankingSnapshot, TaskArea

# --- The tables -------------------------------------------------------------------------------------


def ranking_table(snapshot: RankingSnapshot, entries: list[RankingEntry], areas: list[TaskArea]) -> Table:
    """One snapshot: rank, unit, total and its parts, points per task area, the deciding key."""
    scope = snapshot.cluster.name if snapshot.cluster else _("Whole movement")
    kind = _("provisional") if snapshot.is_provisional else _("final")
    columns = [
        Column(_("Rank"), Kind.NUMBER, 6),
        Column(_("Unit code"), width=10),
        Column(_("Unit"), width=30),
        Column(_("Total points"), Kind.DECIMAL, 10),
        Column(_("Criteria points"), Kind.DECIMAL, 10),
        Column(_("Bonus minus deductions"), Kind.DECIMAL, 10),
        *(Column(area_label(area.number), Kind.DECIMAL, 8) for area in areas),
        Column(_("Place decided by"), width=20),
    ]
    rows = [
        [
            entry.rank,
            entry.unit.code,
            entry.unit.name,
            entry.total,
            entry.criteria_points,
            entry.adjustment,
            *(
                Decimal(entry.area_points[str(area.number)])
                if str(area.number) in entry.area_points
                else None
                for area in areas
            ),
            str(entry.get_decided_by_display()),
        ]
        for entry in entries
    ]
    return Table(f"{snapshot.period.year} {scope} ({kind})", columns, rows)


def _progress_row(row: ProgressRow) -> list[Any]:
    return [
        row.name,
        row.units,
        row.pledges_submitted,
        row.pledges_submitted_share,
        row.pledges_accepted,
        row.pledges_accepted_share,
        row.submissions_submitted,
        row.submissions_share,
        row.assignments_done,
        row.assignments_total,
        row.scoring_share,
        row.late_units,
    ]


def progress_table(progress: PeriodProgress) -> Table:
    """The progress tiles per cluster and in total (the last row)."""
    columns = [
        Column(_("Cluster or block"), width=30),
        Column(_("Units"), Kind.NUMBER, 8),
        Column(_("Pledges submitted"), Kind.NUMBER, 10),
        Column(_("Pledges submitted (%)"), Kind.PERCENT, 10),
        Column(_("Pledges accepted"), Kind.NUMBER, 10),
        Column(_("Pledges accepted (%)"), Kind.PERCENT, 10),
        Column(_("Self-assessments submitted"), Kind.NUMBER, 10),
        Column(_("Self-assessments submitted (%)"), Kind.PERCENT, 10),
        Column(_("Scorer assignments done"), Kind.NUMBER, 10),
        Column(_("Scorer assignments"), Kind.NUMBER, 10),
        Column(_("Scoring done (%)"), Kind.PERCENT, 10),
        Column(_("Units late"), Kind.NUMBER, 8),
    ]
    rows = [_progress_row(row) for row in [*progress.clusters, progress.total]]
    return Table(_("Progress %(year)s") % {"year": progress.period.year}, columns, rows)


def _measure_kind(measure: str) -> Kind:
    if measure == Measure.PERCENT:
        return Kind.PERCENT
    if measure == Measure.MONEY:
        return Kind.MONEY
    if measure == Measure.COUNT:
        return Kind.NUMBER
    return Kind.DECIMAL


def headlines_table(headlines: list[Headline]) -> Table:
    """The headline targets, one row per criterion and year: pledged, achieved, goal."""
    columns = [
        Column(_("Criterion code"), width=8),
        Column(_("Criterion"), width=40),
        Column(_("Year"), width=6),
        Column(_("Units pledging"), Kind.NUMBER, 8),
        Column(_("Pledged"), width=12),
        Column(_("Units reporting"), Kind.NUMBER, 8),
        Column(_("Achieved"), width=12),
        Column(_("Goal"), width=8),
        Column(_("Achieved, percent of the goal"), Kind.PERCENT, 10),
    ]
    rows = [
        [
            headline.criterion.code,
            headline.criterion.title,
            year.year,
            year.pledged_units,
            Cell(year.pledged, _measure_kind(headline.criterion.measure)),
            year.achieved_units,
            Cell(year.achieved, _measure_kind(headline.criterion.measure)),
            Cell(year.goal, _measure_kind(headline.criterion.measure)),
            year.achieved_share_of_goal,
        ]
        for headline in headlines
        for year in headline.years
    ]
    return Table(_("Headline targets"), columns, rows)

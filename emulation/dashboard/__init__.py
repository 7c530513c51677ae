"""Read pipeline of the leaders' dashboards, the drill-downs and the unit officer's home page.

Every number these pages show is computed in this package, from the ranking snapshots (never by ranking
again) and from aggregate queries, in a fixed number of queries whatever the number of units,
clusters or years:

- `period_progress`: the period's progress per cluster, 2 queries (the memberships with
  conditional counts; the scorer assignments grouped by cluster);
- `cluster_boards`: each cluster's ranking from its current snapshot; the rendered fragment, the
  size and the task-area means of a snapshot are cached under its id (snapshots are immutable:
  a new snapshot is a new key, nothing to invalidate), so only the entries of snapshots not yet
  cached are read, in 1 query;
- `trend`: total points per year, 2 queries (`cached_trend`: 1 when cached under the current
  snapshots it reads); `headline_targets`: 3 queries;
- `unit_record` (the unit drill-down): 6 queries, 7 with the staff registrations;
- `unit_outlook` (the unit officer's home): 4 queries; `cluster_members`: 1 query;
- `live_figures`: the progress and the headline targets, cached under a change key read in 1
  query (with the year's clusters and the headline criteria: 3 queries when cached);
- the view caches the rendered progress, trend and headline sections with
  `emulation.fragments.cached_sections`, under a digest of the data they show (rendering them was
  most of the page's time at 10x the demo data).

Modules: `common` (rounding, the period switcher), `progress`, `rankings` (boards, task-area
means, trends, rank history), `targets` (headline targets), `units` (a unit's record and outlook).

"Late units" (the overdue tile) has one definition, shown on the page: units of a cluster of
the period's year that have not submitted their pledge although the pledging deadline has
passed, or their self-assessment although the self-assessment deadline has passed (a draft or a
returned document is not submitted), counted once each, as of today.
"""

from emulation.dashboard.common import (
    TOP_ENTRIES,
    area_label,
    chosen_period,
    default_period,
    movement_periods,
    task_areas,
    with_area_list,
)
from emulation.dashboard.live import live_figures
from emulation.dashboard.progress import (
    MemberProgress,
    PeriodProgress,
    ProgressRow,
    cluster_members,
    period_progress,
)
from emulation.dashboard.rankings import (
    AreaTableRow,
    ClusterBoard,
    RankYear,
    Trend,
    TrendCluster,
    TrendSeries,
    TrendUnit,
    area_chart,
    area_results,
    cached_trend,
    cluster_boards,
    history_chart,
    rank_history,
    trend,
    trend_choices,
)
from emulation.dashboard.targets import HEADLINES, Headline, HeadlineSpec, HeadlineYear, headline_targets
from emulation.dashboard.units import (
    Duty,
    Outlook,
    ScoreRow,
    ScoreTable,
    UnitRecord,
    final_scores,
    unit_outlook,
    unit_record,
)

__all__ = [
    "HEADLINES",
    "TOP_ENTRIES",
    "AreaTableRow",
    "ClusterBoard",
    "Duty",
    "Headline",
    "HeadlineSpec",
    "HeadlineYear",
    "MemberProgress",
    "Outlook",
    "PeriodProgress",
    "ProgressRow",
    "RankYear",
    "ScoreRow",
    "ScoreTable",
    "Trend",
    "TrendCluster",
    "TrendSeries",
    "TrendUnit",
    "UnitRecord",
    "area_chart",
    "area_label",
    "area_results",
    "cached_trend",
    "chosen_period",
    "cluster_boards",
    "cluster_members",
    "default_period",
    "final_scores",
    "headline_targets",
    "history_chart",
    "live_figures",
    "movement_periods",
    "period_progress",
    "rank_history",
    "task_areas",
    "trend",
    "trend_choices",
    "unit_outlook",
    "unit_record",
    "with_area_list",
]

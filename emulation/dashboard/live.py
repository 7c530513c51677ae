"""The movement dashboard's live figures (progress tiles, headline targets), cached under a change key.

The figures are aggregates over every pledge, target, self-assessment and scorer assignment of
the movement (most of the dashboard's database time at 10x the demo data). They are kept in the
cache under a key that changes whenever anything they read changes, read in one small query:

- pledges of the movement's periods: count, newest `updated_at`, sum of `version`, count
  submitted or accepted, count accepted. Every write of the pledge services moves the version
  (targets are saved through `save_pledge`, which bumps the pledge's version and `updated_at`
  in the same transaction), so a committed change always changes the sum, even when a slower
  transaction commits an older `updated_at`;
- self-assessments of the movement's periods: count, newest `updated_at`, sum of `version`,
  count finalised (finalising and reopening a period change states in one UPDATE without a
  version; achieved values are saved through `save_self_assessment`, which bumps the version);
- the period's scorer assignments: count, newest id, count completed, newest completion;
- the year's cluster memberships: count, newest id, sum of cluster ids and of unit id x cluster
  id (a unit moved to another cluster changes both sums);

plus, read in the same request anyway, the year's clusters (id, name, code, kind), the headline
criteria (id, code, title, measure), the periods (id, year, deadlines) and today's date (lateness
depends on it). The cached values hold no translated text: labels are added after reading.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.db import connection

from emulation.dashboard.progress import PeriodProgress, assemble_progress, progress_rows
from emulation.dashboard.targets import Headline, assemble_headlines, headline_criteria, headline_years
from emulation.enums import PledgeState, SubmissionState
from emulation.fragments import FRAGMENT_CACHE_SECONDS
from emulation.models import Period, Pledge, ScorerAssignment, Submission
from emulation.services.reminders import PLEDGE_DONE_STATES
from units.models import Cluster, ClusterMembership

# Bump when the cached values change shape (a deploy never reads old pickles).
VALUES_VERSION = 1


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _change_signals(period: Period, period_ids: list[int]) -> list:
    """The change key's database part, in one query (see the module docstring).

    Plain SQL (the same on PostgreSQL and SQLite): four one-row aggregates side by side, each
    over an index (pledges and submissions by period, memberships by year). Building the same
    query with the ORM cost more than running it.
    """
    marks = ", ".join(["%s"] * len(period_ids))
    done = [str(state) for state in PLEDGE_DONE_STATES]
    done_marks = ", ".join(["%s"] * len(done))
    sql = f"""
        SELECT * FROM
        (SELECT COUNT(*), MAX(updated_at), SUM(version),
                SUM(CASE WHEN state IN ({done_marks}) THEN 1 ELSE 0 END),
                SUM(CASE WHEN state = %s THEN 1 ELSE 0 END)
           FROM {_table(Pledge)} WHERE period_id IN ({marks})) pledges,
        (SELECT COUNT(*), MAX(updated_at), SUM(version),
                SUM(CASE WHEN state = %s THEN 1 ELSE 0 END)
           FROM {_table(Submission)} WHERE period_id IN ({marks})) submissions,
        (SELECT COUNT(*), MAX(a.id), COUNT(a.completed_at), MAX(a.completed_at)
           FROM {_table(ScorerAssignment)} a JOIN {_table(Submission)} s ON s.id = a.submission_id
          WHERE s.period_id = %s) assignments,
        (SELECT COUNT(*), MAX(id), SUM(cluster_id), SUM(CAST(unit_id AS BIGINT) * cluster_id)
           FROM {_table(ClusterMembership)} WHERE year = %s) memberships
    """  # noqa: S608 - table names from the models, every value a parameter
    params = [
        *done,
        str(PledgeState.ACCEPTED),
        *period_ids,
        str(SubmissionState.FINALISED),
        *period_ids,
        period.pk,
        period.year,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [str(value) for value in cursor.fetchone()]


def _cluster_material(period: Period) -> list[tuple]:
    return list(
        Cluster.objects.filter(year=period.year).order_by("pk").values_list("pk", "name", "code", "kind")
    )


def live_figures(
    period: Period, years: list[Period], today: datetime.date
) -> tuple[PeriodProgress, list[Headline]]:
    """`period_progress(period, today)` and `headline_targets(years)`, from the cache when unchanged.

    3 queries when cached (the change signals, the year's clusters, the headline criteria); on a
    miss the 4 aggregate queries of the two functions are added. `years` are the periods of the
    period's movement (`movement_periods`).
    """
    period_ids = sorted({p.pk for p in years} | {period.pk})
    criteria = headline_criteria(years)
    material = (
        VALUES_VERSION,
        today.isoformat(),
        (period.pk, period.year, period.movement_id, period.pledging_closes, period.self_assessment_closes),
        [(p.pk, p.year, p.movement_id) for p in years],
        _change_signals(period, period_ids),
        _cluster_material(period),
        sorted((c.pk, c.code, c.title, c.measure) for c in criteria.values()),
    )
    key = "dashboard:live:" + hashlib.sha256(repr(material).encode()).hexdigest()[:40]
    found = cache.get(key)
    if found is None:
        found = (progress_rows(period, today), headline_years(years, criteria))
        cache.set(key, found, FRAGMENT_CACHE_SECONDS)
    rows, values = found
    return assemble_progress(period, today, rows), assemble_headlines(years, criteria, values)

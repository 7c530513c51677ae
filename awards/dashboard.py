"""Read pipeline of the leaders' awards dashboard (awards:dashboard).

Titles per award and year, the titles of one year per cluster, the nominations of that year per
state, the rewards paid per year and the advanced models per stage: seven queries (aggregates,
and the award types) whatever the size of the data. Revoked awards are left out of every count and sum.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from awards.enums import AwardKind, ExemplarStage, NominationState
from awards.models import AwardRecord, AwardType, Exemplar, Nomination
from emulation.enums import Subject
from units.enums import ClusterKind
from units.models import ClusterMembership

LATEST_EXEMPLARS = 8
# The abbreviations office workers use for the titles (Vietnamese, like the catalogue's names).
SHORT_NAMES = {
    "LDTT": "LĐTT",
    "CSTDCS": "CSTĐCS",
    "CSTD_BO": "CSTĐ cấp Bộ",
    "CSTD_TQ": "CSTĐ toàn quốc",
    "TTLDTT": "TTLĐTT",
    "TTLDXS": "TTLĐXS",
    "CO_BO": "Cờ thi đua Bộ",
    "CO_CP": "Cờ thi đua CP",
    "BK_BO_CN": "Bằng khen Bộ",
    "BK_BO_TT": "Bằng khen Bộ",
    "BK_TTG_CN": "Bằng khen TTg",
    "BK_TTG_TT": "Bằng khen TTg",
    "GK_CN": "Giấy khen",
    "GK_TT": "Giấy khen",
}
# Nominations past these states have left the pipeline.
FINISHED_STATES = frozenset({NominationState.DECIDED, NominationState.REJECTED})


@dataclass(frozen=True)
class Award:
    """An award type as the dashboard shows it (a column or a row)."""

    code: str
    name: str
    subject: str
    order: tuple

    @property
    def short_name(self) -> str:
        return SHORT_NAMES.get(self.code, self.name)


@dataclass(frozen=True)
class TitleRow:
    award: Award
    counts: tuple[int, ...]  # one per year of `AwardsOverview.years`

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RewardRow:
    year: int
    records: int
    amount: Decimal


@dataclass(frozen=True)
class ClusterRow:
    name: str
    kind: str  # a ClusterKind value; "" for the units outside every cluster
    units: int
    counts: tuple[int, ...]  # one per award of `AwardsOverview.cluster_awards`

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def kind_label(self) -> str:
        return str(ClusterKind(self.kind).label) if self.kind else ""


@dataclass(frozen=True)
class Tally:
    """A count for one value of an enumeration (a nomination state, an exemplar stage)."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class AwardsOverview:
    """Everything the awards dashboard shows, for the years on record and one chosen year."""

    years: list[int]  # years with award records, oldest first (the columns of `titles`)
    year_choices: list[int]  # years with award records or nominations, newest first
    year: int | None
    titles: list[TitleRow]
    rewards: list[RewardRow]
    cluster_awards: list[Award]
    clusters: list[ClusterRow]
    outside_clusters: ClusterRow | None
    pipeline: list[Tally]
    stages: list[Tally]
    exemplars: list[Exemplar] = field(default_factory=list)

    @property
    def year_totals(self) -> list[int]:
        return [sum(row.counts[index] for row in self.titles) for index in range(len(self.years))]

    @property
    def total_titles(self) -> int:
        return sum(row.total for row in self.titles)

    @property
    def year_records(self) -> int:
        return next((row.records for row in self.rewards if row.year == self.year), 0)

    @property
    def year_amount(self) -> Decimal:
        return next((row.amount for row in self.rewards if row.year == self.year), Decimal(0))

    @property
    def pipeline_total(self) -> int:
        return sum(tally.count for tally in self.pipeline)

    @property
    def pipeline_open(self) -> int:
        return sum(tally.count for tally in self.pipeline if tally.value not in FINISHED_STATES)

    @property
    def exemplar_total(self) -> int:
        return sum(tally.count for tally in self.stages)

    def chart_data(self) -> dict[str, Any]:
        """The data block the charts draw (static/js/charts.js), JSON-ready."""
        labels = [str(year) for year in self.years]

        def titles_of(subject: str) -> dict[str, Any]:
            return {
                "labels": labels,
                "datasets": [
                    {"label": row.award.short_name, "data": list(row.counts)}
                    for row in self.titles
                    if row.award.subject == subject
                ],
            }

        return {
            "individual": titles_of(Subject.INDIVIDUAL),
            "collective": titles_of(Subject.COLLECTIVE),
            "rewards": {
                "labels": [str(row.year) for row in self.rewards],
                "datasets": [
                    {"label": _("Rewards paid (VND)"), "data": [int(row.amount) for row in self.rewards]}
                ],
            },
        }


def awards_overview(year: int | None = None) -> AwardsOverview:
    """The dashboard's figures; `year` chooses the year of the per-cluster table and the pipeline
    (the latest year with awards when it is missing or has no data)."""
    types, by_year, rewards = _titles_and_rewards()
    pipeline_rows = list(
        Nomination.objects.order_by().values_list("year", "state").annotate(count=Count("pk"))
    )
    years = sorted({year for year, _code in by_year})
    year_choices = sorted({*years, *(row[0] for row in pipeline_rows)}, reverse=True)
    if year not in year_choices:
        year = years[-1] if years else (year_choices[0] if year_choices else None)
    awarded = {code for _year, code in by_year}
    ordered = sorted(
        (award for award in types.values() if award.code in awarded), key=lambda award: award.order
    )
    titles = [
        TitleRow(award=award, counts=tuple(by_year.get((each, award.code), 0) for each in years))
        for award in ordered
    ]
    cluster_awards, clusters, outside = (
        _per_cluster(year, ordered, types) if year is not None else ([], [], None)
    )
    in_year = {state: count for row_year, state, count in pipeline_rows if row_year == year}
    pipeline = [
        Tally(state.value, str(state.label), in_year.get(state.value, 0)) for state in NominationState
    ]
    stage_counts = dict(Exemplar.objects.order_by().values_list("stage").annotate(count=Count("pk")))
    stages = [
        Tally(stage.value, str(stage.label), stage_counts.get(stage.value, 0)) for stage in ExemplarStage
    ]
    exemplars = list(
        Exemplar.objects.select_related("unit", "staff__unit").order_by("-discovered_on", "-pk")[
            :LATEST_EXEMPLARS
        ]
    )
    return AwardsOverview(
        years=years,
        year_choices=year_choices,
        year=year,
        titles=titles,
        rewards=[RewardRow(each, *rewards[each]) for each in years],
        cluster_awards=cluster_awards,
        clusters=clusters,
        outside_clusters=outside,
        pipeline=pipeline,
        stages=stages,
        exemplars=exemplars,
    )


def _titles_and_rewards() -> tuple[
    dict[int, Award], dict[tuple[int, str], int], dict[int, tuple[int, Decimal]]
]:
    """Two queries: the award types, and the records and amounts per year and award type (grouped
    by the type's id: grouping by its joined columns took three times as long)."""
    awards = {
        award_type.pk: Award(
            code=award_type.code,
            name=award_type.name,
            subject=award_type.subject,
            # Individuals first, titles before forms, up the ladder.
            order=(
                award_type.subject != Subject.INDIVIDUAL,
                award_type.kind != AwardKind.EMULATION_TITLE,
                award_type.rank_order,
                award_type.code,
            ),
        )
        for award_type in AwardType.objects.all()
    }
    rows = (
        AwardRecord.objects.filter(is_revoked=False)
        .order_by()
        .values_list("year", "award_type_id")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    by_year: dict[tuple[int, str], int] = {}
    rewards: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    for year, type_id, count, amount in rows:
        by_year[(year, awards[type_id].code)] = count
        rewards[year][0] += count
        rewards[year][1] += amount or Decimal(0)
    return awards, by_year, {year: (records, amount) for year, (records, amount) in rewards.items()}


def _per_cluster(
    year: int, ordered: list[Award], types: dict[int, Award]
) -> tuple[list[Award], list[ClusterRow], ClusterRow | None]:
    """The year's awards per cluster: a unit's own, and those of the staff posted in it or below it
    (staff by their current posting). Two queries; the rest is a walk up each path."""
    memberships = ClusterMembership.objects.filter(year=year).order_by("cluster__kind", "cluster__code")
    clusters: dict[int, dict[str, Any]] = {}
    member_paths: dict[str, int] = {}
    for cluster_id, name, kind, path in memberships.values_list(
        "cluster_id", "cluster__name", "cluster__kind", "unit__path"
    ):
        entry = clusters.setdefault(
            cluster_id, {"name": name, "kind": kind, "units": 0, "counts": defaultdict(int)}
        )
        entry["units"] += 1
        member_paths[path] = cluster_id
    outside: dict[str, int] = defaultdict(int)
    present: set[str] = set()
    rows = (
        AwardRecord.objects.filter(year=year, is_revoked=False)
        .annotate(subject_path=Coalesce("unit__path", "staff__unit__path"))
        .order_by()
        .values_list("subject_path", "award_type_id")
        .annotate(count=Count("pk"))
    )
    for path, type_id, count in rows:
        code = types[type_id].code
        present.add(code)
        cluster_id = _cluster_of(path, member_paths)
        if cluster_id is None:
            outside[code] += count
        else:
            clusters[cluster_id]["counts"][code] += count
    columns = [award for award in ordered if award.code in present]
    cluster_rows = [
        ClusterRow(
            name=entry["name"],
            kind=entry["kind"],
            units=entry["units"],
            counts=tuple(entry["counts"].get(award.code, 0) for award in columns),
        )
        for entry in clusters.values()
    ]
    outside_row = (
        ClusterRow(name="", kind="", units=0, counts=tuple(outside.get(award.code, 0) for award in columns))
        if outside
        else None
    )
    return columns, cluster_rows, outside_row


def _cluster_of(path: str | None, member_paths: dict[str, int]) -> int | None:
    """The cluster of the nearest unit at or above the path that is a member of one."""
    if not path:
        return None
    ids = path.strip("/").split("/")
    for depth in range(len(ids), 0, -1):
        cluster_id = member_paths.get("/" + "/".join(ids[:depth]) + "/")
        if cluster_id is not None:
            return cluster_id
    return None

"""`manage.py compile_rankings --period YEAR [--provisional]`: compile a year's rankings now."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from emulation.models import Period, RankingEntry, RankingSnapshot
from emulation.services.errors import EmulationError
from emulation.services.rankings import compile_rankings

TOP = 3


class Command(BaseCommand):
    # Imported by manage.py after setup, so the eager gettext works (argparse refuses lazy strings).
    help = _(
        "Compile the rankings of a year's period in the foreground (what the Celery task does) and "
        "show the first three units of every cluster, block and the whole movement."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", type=int, required=True, metavar="YEAR", help=_("The period's year."))
        parser.add_argument(
            "--provisional",
            action="store_true",
            help=_("Compile a provisional ranking from the current scores, even for a finalised period."),
        )

    def handle(self, *args, period: int, provisional: bool, **options) -> None:
        # Several movements may share a year: the latest movement's period is the one people mean.
        found = (
            Period.objects.filter(year=period)
            .select_related("movement")
            .order_by("-movement__start_year", "-movement_id")
            .first()
        )
        if found is None:
            years = sorted(set(Period.objects.values_list("year", flat=True)))
            raise CommandError(
                _("No period for the year %(year)s. Years with a period: %(years)s.")
                % {"year": period, "years": ", ".join(str(year) for year in years) or "—"}
            )
        kind = True if provisional else None
        started = time.monotonic()
        try:
            written = compile_rankings(found, provisional=kind)
        except EmulationError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        self._write_scopes(found, provisional=provisional or not found.is_finalised, written=written)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d new snapshots for %(year)s in %(seconds).2f s.")
                % {"count": len(written), "year": found.year, "seconds": elapsed}
            )
        )

    def _write_scopes(self, period: Period, *, provisional: bool, written: list[RankingSnapshot]) -> None:
        new_ids = {snapshot.pk for snapshot in written}
        snapshots = list(
            RankingSnapshot.objects.filter(period=period, is_current=True, is_provisional=provisional)
            .select_related("cluster")
            .order_by("cluster__kind", "cluster__code", "scope_key")
        )
        top: dict[int, list[RankingEntry]] = {snapshot.pk: [] for snapshot in snapshots}
        for entry in (
            RankingEntry.objects.filter(snapshot__in=snapshots, rank__lte=TOP)
            .select_related("unit")
            .order_by("snapshot_id", "rank")
        ):
            top[entry.snapshot_id].append(entry)
        # The movement after the clusters.
        snapshots.sort(key=lambda snapshot: snapshot.cluster_id is None)
        label = _("provisional") if provisional else _("final")
        for snapshot in snapshots:
            name = snapshot.cluster.name if snapshot.cluster else _("Whole movement")
            state = _("new") if snapshot.pk in new_ids else _("unchanged")
            self.stdout.write(self.style.MIGRATE_HEADING(f"{name} ({label}, {state})"))
            for entry in top[snapshot.pk]:
                self.stdout.write(f"  {entry.rank}. {entry.unit.code} {entry.unit.name}: {entry.total}")

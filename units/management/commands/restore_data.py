"""`manage.py restore_data SOURCE_DIR [--database-url URL] [--yes]`: restore and verify a backup."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from units.backup import BackupError, PgDatabase, RestoreReport, restore_backup


class Command(BaseCommand):
    # Imported by manage.py after setup, so the eager gettext works (argparse refuses lazy strings).
    help = _(
        "Restore a backup folder written by backup_data into a PostgreSQL database and MEDIA_ROOT, "
        "then check the row counts and file checksums against its manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, metavar="SOURCE_DIR", help=_("The backup folder."))
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help=_("Database to restore into (default: the configured DATABASE_URL)."),
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help=_("Replace the contents of a database that already has tables."),
        )

    def handle(self, *args, source: Path, database_url: str | None, yes: bool, **options) -> None:
        try:
            if database_url:
                database = PgDatabase.from_url(database_url)
            else:
                database = PgDatabase.from_settings(connections["default"].settings_dict)
            report = restore_backup(
                source, database=database, media_root=Path(settings.MEDIA_ROOT), replace=yes
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self._write_report(report, verbose=options["verbosity"] > 1)
        if not report.ok:
            raise CommandError(
                _("The restored data differs from the backup's manifest in %(count)d checks (listed above).")
                % {"count": len(report.failures)}
            )

    def _write_report(self, report: RestoreReport, *, verbose: bool) -> None:
        self.stdout.write(
            _("Restored into the database %(database)s and %(media)s.")
            % {"database": report.database.label, "media": report.media_root}
        )
        for check in report.checks:
            if check.ok and not verbose:
                continue
            line = _("%(kind)s %(name)s: expected %(expected)s, found %(found)s") % {
                "kind": check.kind,
                "name": check.name,
                "expected": check.expected,
                "found": "—" if check.found is None else check.found,
            }
            self.stdout.write(line if check.ok else self.style.ERROR(line))
        summary = _(
            "Checked %(tables)d tables, %(migrations)d migration states and %(files)d files: %(failures)d differ."
        ) % {
            "tables": report.count("table"),
            "migrations": report.count("migration"),
            "files": report.count("file"),
            "failures": len(report.failures),
        }
        self.stdout.write(self.style.SUCCESS(summary) if report.ok else self.style.ERROR(summary))
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))

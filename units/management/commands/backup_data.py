"""`manage.py backup_data [--dest DIR]`: dump the PostgreSQL database and archive the uploads."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from units.backup import BackupError, create_backup, default_backup_folder

MEGABYTE = 1024 * 1024


class Command(BaseCommand):
    # Imported by manage.py after setup, so the eager gettext works (argparse refuses lazy strings).
    help = _(
        "Back up the PostgreSQL database (pg_dump) and the uploaded files (MEDIA_ROOT) into one "
        "folder with a manifest of row counts and checksums; restore it with restore_data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dest",
            type=Path,
            metavar="DIR",
            help=_("Folder to write (new or empty). Default: VAR_DIR/backups/<date-time>."),
        )

    def handle(self, *args, dest: Path | None, **options) -> None:
        folder = dest or default_backup_folder(settings.VAR_DIR)
        try:
            result = create_backup(folder, media_root=Path(settings.MEDIA_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(_("Backup written to %(folder)s") % {"folder": result.folder}))
        self.stdout.write(
            _(
                "Database %(name)s: %(tables)d tables counted, %(rows)d rows, dump %(dump).1f MB. "
                "Uploaded files: %(files)d (%(size).1f MB)."
            )
            % {
                "name": result.manifest["database"]["name"],
                "tables": result.table_count,
                "rows": result.row_count,
                "dump": result.dump_bytes / MEGABYTE,
                "files": result.media_count,
                "size": result.media_bytes / MEGABYTE,
            }
        )

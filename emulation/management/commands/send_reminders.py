"""`manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]`: the daily reminder job in the foreground."""

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from emulation.services import reminders


class Command(BaseCommand):
    help = (
        "Decide the reminder emails due on a day and send every one not yet sent (the daily beat job, "
        "run in the foreground). With --dry-run, list what would go out and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the reminders that would go out (recipient, stage, kind, unit, deadline); write and send nothing.",
        )
        parser.add_argument(
            "--date",
            help="The day to decide for, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh).",
        )

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options) -> None:
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be a date written YYYY-MM-DD, not {date!r}.") from None
        if dry_run:
            self._preview(today)
            return
        counts = reminders.run_reminders(today)
        self.stdout.write(
            self.style.SUCCESS(
                "{date}: {decided} reminders decided ({already_decided} already decided earlier), "
                "{sent} sent, {failed} failed ({gave_up} gave up), {skipped} skipped, "
                "{without_address} people without an email address.".format(**counts)
            )
        )
        if counts["transient"]:
            self.stderr.write(
                "The SMTP server had transient trouble; the reminders not sent wait for the next run."
            )

    def _preview(self, today: datetime.date) -> None:
        lines = reminders.preview_reminders(today)
        self.stdout.write(f"Dry run for {today:%d/%m/%Y}: {len(lines)} reminders would go out.")
        for line in lines:
            self.stdout.write(
                "\t".join(
                    [
                        line.status,
                        f"{line.recipient} <{line.email}>",
                        line.stage,
                        line.kind,
                        line.unit or "-",
                        line.deadline.strftime("%d/%m/%Y"),
                    ]
                )
            )

"""`manage.py seed_demo`: load the demo data of every local app that has a `demo` module."""

from __future__ import annotations

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

from units.demo import DemoContext, DemoLogin
from units.models import Cluster, Staff, Unit

# The apps that may bring demo data, seeded in INSTALLED_APPS order (units <- emulation <- awards).
LOCAL_APPS = ("units", "emulation", "awards")


class Command(BaseCommand):
    # Imported by manage.py after setup, so the eager gettext works (argparse refuses lazy strings).
    help = _(
        "Load the demo organisation (and the demo data of the other apps). Deterministic for a seed "
        "and a scale, and safe to run again: only what is missing is created."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2021, help=_("Random seed (default 2021)."))
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=_(
                "Seed even though DEBUG is false. Each new demo account then gets a random password, "
                "printed once at the end, instead of the published demo password."
            ),
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=_("Multiply the regional branches and their staff (default 1)."),
        )

    def handle(self, *args, seed: int, scale: int, allow_production: bool, **options) -> None:
        # Checked before anything is read or written: in production the demo's published password
        # would open an administrator account to anyone who has read the README.
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                _(
                    "DEBUG is false: the demo accounts, the administrator included, would be created with "
                    "the password published in the README. Nothing was done. To load the demo on this "
                    "server anyway, run again with --allow-production: each new account then gets a "
                    "random password, printed once."
                )
            )
        if scale < 1:
            raise CommandError(_("The scale must be 1 or more, not %(scale)s.") % {"scale": scale})
        ctx = DemoContext(seed=seed, scale=scale, stdout=self.stdout, random_passwords=settings.PRODUCTION)
        for app_config in apps.get_app_configs():
            if app_config.name not in LOCAL_APPS or not module_has_submodule(app_config.module, "demo"):
                continue
            demo = import_module(f"{app_config.name}.demo")
            self.stdout.write(self.style.MIGRATE_HEADING(str(app_config.verbose_name)))
            started = time.monotonic()
            with transaction.atomic():
                demo.seed(ctx)
            self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": time.monotonic() - started})
        self._write_summary()
        self._write_logins(ctx.logins, random_passwords=ctx.random_passwords)

    def _write_summary(self) -> None:
        today = timezone.localdate()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("Units: %(total)d (%(active)d active today). Clusters: %(clusters)d. Staff: %(staff)d.")
                % {
                    "total": Unit.objects.count(),
                    "active": Unit.objects.active(today).count(),
                    "clusters": Cluster.objects.count(),
                    "staff": Staff.objects.count(),
                }
            )
        )

    def _write_logins(self, logins: list[DemoLogin], *, random_passwords: bool) -> None:
        if not logins:
            return
        header = (_("Role"), _("Username"), _("Password"), _("Unit"))
        rows = [
            header,
            *[
                (login.role, login.username, login.password or _("(unchanged)"), login.note)
                for login in logins
            ],
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
        self.stdout.write("")
        if random_passwords:
            self.stdout.write(
                _(
                    "Demo logins with the passwords generated for the new accounts: note them now, they "
                    "are not shown again (accounts already there keep their password):"
                )
            )
        else:
            self.stdout.write(_("Demo logins (a changed password is not reset):"))
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[-1]]))

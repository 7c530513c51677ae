from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    """The movement: task areas, pledges, self-assessment, scoring, rankings and reminders."""

    name = "emulation"
    verbose_name = _("Emulation movement")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    """The movement: task areas, pledges, self-assessment, scoring, rankings and reminders."""

    name = "emulation"
    verbose_name = _("Emulation movement")

    def ready(self) -> None:
        from units.audit import register_actions  # noqa: PLC0415 - app registry must be ready

        register_actions(
            {
                "pledge.created": _("Pledge started"),
                "pledge.saved": _("Draft saved"),
                "pledge.submitted": _("Submitted"),
                "pledge.accepted": _("Accepted"),
                "pledge.returned": _("Returned to the unit"),
                "pledge.reopened": _("Reopened after the deadline"),
                "covenant.confirmed": _("Covenant confirmed"),
            }
        )

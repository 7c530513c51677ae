from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Awards: the legal catalogue, eligibility, nominations, council votes and decisions."""

    name = "awards"
    verbose_name = _("Commendation and awards")

    def ready(self) -> None:
        from units.audit import register_actions  # noqa: PLC0415 - app registry must be ready

        register_actions(
            {
                # Each part of the awards app adds its action codes here.
            }
        )

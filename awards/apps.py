from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Awards: the legal catalogue, eligibility, nominations, council votes and decisions."""

    name = "awards"
    verbose_name = _("Commendation and awards")

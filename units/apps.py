from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """Units, clusters, staff, roles and scoping: the foundation the other apps build on."""

    name = "units"
    verbose_name = _("Units and staff")

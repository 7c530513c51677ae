from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """Units, clusters, staff, roles and scoping: the foundation the other apps build on."""

    name = "units"
    verbose_name = _("Units and staff")

    def ready(self) -> None:
        from units.admin_audit import ADMIN_ACTIONS  # noqa: PLC0415 - app registry must be ready
        from units.audit import register_actions  # noqa: PLC0415 - same

        register_actions(ADMIN_ACTIONS)

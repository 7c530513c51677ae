"""The project's own app: no models; it connects the project-level signal receivers at start."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "config"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415 - app registry ready

        from config.sessions import start_session_clock  # noqa: PLC0415 - app registry ready

        # Every sign-in (login page, admin, tests' force_login) starts the session's clock there,
        # so the first page after it does not have to write the session.
        user_logged_in.connect(start_session_clock, dispatch_uid="config.sessions.start_session_clock")

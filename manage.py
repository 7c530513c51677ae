#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's tool: without DEBUG in the environment it runs in development
    # mode. The application itself is served through config/wsgi.py, where DEBUG stays false
    # unless set and unsafe settings refuse to start; docker compose, the Dockerfile and the
    # README's production steps set DEBUG=false for their manage.py commands.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after env setup

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

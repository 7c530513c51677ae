"""Project configuration. Importing the Celery app here binds @shared_task to it."""

from config.celery import app as celery_app

__version__ = "0.1.0"
__all__ = ["__version__", "celery_app"]

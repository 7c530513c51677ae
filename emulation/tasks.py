"""Celery tasks of the emulation app: thin, named, idempotent wrappers over the services.

Each takes keyword-only primitive ids, loads its objects, returns quietly when they are gone,
and calls one service. Listed with their schedule in docs/architecture.md.
"""

"""Shared fixtures: the Celery app in eager mode, and one persona per role."""

import pytest

from config.celery import app as celery_app
from tests.factories import TEST_PASSWORD, UserFactory
from units.enums import Role


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in-process, errors propagating, except in the tests that start a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def unit_officer(db):
    return UserFactory(username="officer", roles=[Role.UNIT_OFFICER])


@pytest.fixture
def committee_member(db):
    return UserFactory(username="member", roles=[Role.COMMITTEE_MEMBER])


@pytest.fixture
def secretary(db):
    return UserFactory(username="secretary", roles=[Role.COMMITTEE_SECRETARY])


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", roles=[Role.LEADER])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)

"""Composite fixtures for the emulation tests: a small movement and a period in its pledging phase."""

import datetime
import zoneinfo

import pytest
import time_machine

from tests.factories import CriterionFactory, MovementFactory, PeriodFactory, TaskAreaFactory

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def movement(db):
    """Two task areas, four criteria, one of each measure a unit can get wrong."""
    movement = MovementFactory(title="Phong trào thử nghiệm")
    revenue = TaskAreaFactory(movement=movement, number=4, title="Thu ngân sách", max_points=20)
    control = TaskAreaFactory(movement=movement, number=5, title="Chống buôn lậu", max_points=20)
    CriterionFactory(
        task_area=revenue,
        code="4.1",
        title="Số thu so với chỉ tiêu",
        measure="percent",
        max_points=10,
        target_max=200,
        order=1,
    )
    CriterionFactory(
        task_area=revenue, code="4.2", title="Tỷ lệ thu điện tử", measure="percent", max_points=5, order=2
    )
    CriterionFactory(
        task_area=revenue,
        code="4.4",
        title="Nợ đọng",
        measure="money",
        direction="lower",
        max_points=5,
        order=3,
    )
    CriterionFactory(
        task_area=control, code="5.1", title="Số vụ bắt giữ", measure="count", max_points=10, order=1
    )
    CriterionFactory(
        task_area=control,
        code="5.4",
        title="Không có ổ nhóm buôn lậu",
        measure="yes_no",
        max_points=10,
        order=2,
    )
    return movement


@pytest.fixture
def period(movement):
    return PeriodFactory(movement=movement, year=2026)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HCM), tick=False)


@pytest.fixture
def during_pledging():
    with at(datetime.date(2026, 1, 15)):
        yield


@pytest.fixture
def after_deadline():
    with at(datetime.date(2026, 2, 10)):
        yield

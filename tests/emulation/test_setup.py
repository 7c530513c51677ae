"""The secretary's setup pages: movement and scoring table, task areas, criteria, periods."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from emulation.enums import Phase
from emulation.models import Criterion, Movement, Period, TaskArea
from emulation.services import ClosedForChangesError, EmulationError
from emulation.setup_services import create_criterion, scoring_table_problems, update_period
from tests.factories import (
    CriterionFactory,
    MovementFactory,
    PeriodFactory,
    PledgeFactory,
    PledgeTargetFactory,
    TaskAreaFactory,
    UnitFactory,
)
from units.models import AuditEntry

pytestmark = pytest.mark.django_db

CUSTOMS_MOVEMENT = "Phong trào thi đua yêu nước ngành Hải quan giai đoạn 2021 – 2025"
READ_PAGES = ["movement-list", "movement-detail", "period-list", "period-detail"]
EDIT_PAGES = [
    "movement-edit",
    "task-area-edit",
    "criterion-create",
    "criterion-edit",
    "criterion-delete",
    "period-create",
    "period-edit",
]


@pytest.fixture
def area(movement):
    """Task area 4 of the test movement: 20 points, criteria 4.1 (10), 4.2 (5), 4.4 (5)."""
    return movement.task_areas.get(number=4)


@pytest.fixture
def criterion(area):
    return area.criteria.get(code="4.1")


@pytest.fixture
def pages(movement, area, criterion, period) -> dict[str, str]:
    """Every setup page, by URL name, for the test movement."""
    by_pk = {
        "movement-detail": movement.pk,
        "movement-edit": movement.pk,
        "task-area-edit": area.pk,
        "criterion-create": area.pk,
        "criterion-edit": criterion.pk,
        "criterion-delete": criterion.pk,
        "period-detail": period.pk,
        "period-edit": period.pk,
    }
    return {
        name: reverse(f"emulation:{name}", kwargs={"pk": by_pk[name]} if name in by_pk else None)
        for name in READ_PAGES + EDIT_PAGES
    }


def everything() -> tuple:
    """Row and audit counts that a refused post must leave unchanged."""
    return (
        Movement.objects.count(),
        TaskArea.objects.count(),
        Criterion.objects.count(),
        Period.objects.count(),
        AuditEntry.objects.count(),
    )


def field_errors(response) -> set[str]:
    return set(response.context["form"].errors)


# Permissions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", READ_PAGES + EDIT_PAGES)
@pytest.mark.parametrize("persona", ["secretary", "superuser"])
def test_setup_pages_open_for_the_secretary_and_the_superuser(client, request, pages, page, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(pages[page])

    assert response.status_code == 200


@pytest.mark.parametrize("page", READ_PAGES)
def test_leader_reads_the_movement_and_periods(client, leader, pages, page):
    client.force_login(leader)

    response = client.get(pages[page])

    assert response.status_code == 200


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_leader_cannot_open_or_post_the_edit_pages(client, leader, pages, page):
    client.force_login(leader)
    before = everything()

    get_response = client.get(pages[page])
    post_response = client.post(pages[page], {"title": "Đổi tên", "year": "2027"})

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert everything() == before


@pytest.mark.parametrize("page", READ_PAGES + EDIT_PAGES)
@pytest.mark.parametrize("persona", ["unit_officer", "committee_member"])
def test_unit_officers_and_committee_members_get_403(client, request, pages, page, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(pages[page])

    assert response.status_code == 403


@pytest.mark.parametrize("page", READ_PAGES + EDIT_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, pages, page):
    response = client.get(pages[page])

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={pages[page]}"


def test_navigation_offers_the_movement_to_secretary_and_leader_only(client, secretary, unit_officer):
    client.force_login(secretary)
    secretary_urls = [item["url"] for item in client.get(reverse("home")).context["nav_links"]]
    client.force_login(unit_officer)
    officer_urls = [item["url"] for item in client.get(reverse("home")).context["nav_links"]]

    assert reverse("emulation:movement-list") in secretary_urls
    assert reverse("emulation:movement-list") not in officer_urls


# The scoring-table check --------------------------------------------------------------------------


def test_scoring_table_problems_is_empty_for_a_balanced_table():
    movement = MovementFactory(total_points=30)
    first = TaskAreaFactory(movement=movement, number=1, max_points=20)
    second = TaskAreaFactory(movement=movement, number=2, max_points=10)
    CriterionFactory(task_area=first, code="1.1", max_points=Decimal("12.5"))
    CriterionFactory(task_area=first, code="1.2", max_points=Decimal("7.5"))
    CriterionFactory(task_area=second, code="2.1", max_points=10)

    assert scoring_table_problems(movement) == []


def test_scoring_table_problems_names_each_area_and_the_difference(django_assert_num_queries):
    movement = MovementFactory(total_points=100)
    short = TaskAreaFactory(movement=movement, number=4, max_points=20)
    over = TaskAreaFactory(movement=movement, number=5, max_points=20)
    TaskAreaFactory(movement=movement, number=6, max_points=10)  # no criteria at all
    CriterionFactory(task_area=short, code="4.1", max_points=10)
    CriterionFactory(task_area=short, code="4.2", max_points=8)
    CriterionFactory(task_area=over, code="5.1", max_points=Decimal("22.5"))

    with translation.override("en"), django_assert_num_queries(1):
        problems = scoring_table_problems(movement)

    assert problems == [
        "The task areas add up to 50 points, but the scoring table is worth 100 points. "
        "Change the task areas' maximum points or the movement's total.",
        "Task area 4: the criteria add up to 18 of 20 points (2 missing).",
        "Task area 5: the criteria add up to 22.5 points, 2.5 more than the area's 20.",
        "Task area 6: the criteria add up to 0 of 10 points (10 missing).",
    ]


def test_customs_movement_from_the_data_migration_is_balanced():
    movement = Movement.objects.get(title=CUSTOMS_MOVEMENT)

    areas = list(movement.task_areas.order_by("number").values_list("number", "max_points"))

    assert movement.total_points == Decimal("100")
    assert [number for number, _points in areas] == [1, 2, 3, 4, 5, 6, 7]
    assert sum(points for _number, points in areas) == Decimal("100")
    assert scoring_table_problems(movement) == []


def test_movement_page_shows_the_check_and_the_table(client, secretary, movement):
    client.force_login(secretary)

    response = client.get(reverse("emulation:movement-detail", kwargs={"pk": movement.pk}))

    # The fixture's two areas (40 points) do not fill the default 100-point table.
    assert len(response.context["problems"]) == 1
    assert 'data-balanced="false"' in response.content.decode()
    assert [
        (area.number, area.criteria_points, [c.code for c in area.criteria.all()])
        for area in response.context["task_areas"]
    ] == [(4, Decimal("20"), ["4.1", "4.2", "4.4"]), (5, Decimal("20"), ["5.1", "5.4"])]


def test_movement_page_reports_a_balanced_table(client, leader):
    movement = Movement.objects.get(title=CUSTOMS_MOVEMENT)
    client.force_login(leader)

    response = client.get(reverse("emulation:movement-detail", kwargs={"pk": movement.pk}))

    assert response.context["problems"] == []
    assert 'data-balanced="true"' in response.content.decode()
    assert response.context["can_edit"] is False


# Movement and task areas --------------------------------------------------------------------------


def movement_data(movement, **changes) -> dict:
    data = {
        "title": movement.title,
        "theme": movement.theme,
        "start_year": movement.start_year,
        "end_year": movement.end_year,
        "launched_on": "20/08/2020",
        "description": movement.description,
        "total_points": "40",
        "bonus_limit": "5",
    }
    return data | changes


def test_movement_edit_saves_and_records_before_and_after(client, secretary, movement):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:movement-edit", kwargs={"pk": movement.pk}),
        movement_data(movement, title="Phong trào mới", bonus_limit="2,5"),
    )

    movement.refresh_from_db()
    entry = AuditEntry.objects.for_record(movement).get()
    assert response.status_code == 302
    assert (movement.title, movement.launched_on, movement.total_points, movement.bonus_limit) == (
        "Phong trào mới",
        datetime.date(2020, 8, 20),
        Decimal("40"),
        Decimal("2.5"),
    )
    assert (entry.action, entry.actor) == ("movement.changed", secretary)
    assert entry.before == {
        "title": "Phong trào thử nghiệm",
        "launched_on": None,
        "total_points": "100",
        "bonus_limit": "5",
    }
    assert entry.after == {
        "title": "Phong trào mới",
        "launched_on": "2020-08-20",
        "total_points": "40",
        "bonus_limit": "2.5",
    }


def test_movement_edit_without_changes_records_nothing(client, secretary, movement):
    movement.launched_on = datetime.date(2020, 8, 20)
    movement.total_points = 40
    movement.save()
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:movement-edit", kwargs={"pk": movement.pk}), movement_data(movement)
    )

    assert response.status_code == 302
    assert AuditEntry.objects.for_record(movement).count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_year": "2019"}, "end_year"),
        ({"start_year": "nineteen"}, "start_year"),
        ({"start_year": "1890"}, "start_year"),
        ({"launched_on": "31/02/2021"}, "launched_on"),
        ({"total_points": "abc"}, "total_points"),
        ({"total_points": "0"}, "total_points"),
        ({"bonus_limit": "-1"}, "bonus_limit"),
        ({"title": ""}, "title"),
    ],
)
def test_movement_edit_refuses_bad_input(client, secretary, movement, changes, field):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:movement-edit", kwargs={"pk": movement.pk}),
        movement_data(movement, title="Không được lưu") | changes,
    )

    movement.refresh_from_db()
    assert response.status_code == 200
    assert field_errors(response) == {field}
    assert movement.title == "Phong trào thử nghiệm"
    assert everything() == before


def test_movement_years_must_keep_its_periods_inside(client, secretary, movement, period):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:movement-edit", kwargs={"pk": movement.pk}),
        movement_data(movement, start_year="2021", end_year="2024"),
    )

    movement.refresh_from_db()
    assert field_errors(response) == {"end_year"}
    assert movement.end_year == 2026
    assert everything() == before


def test_task_area_edit_records_the_change_on_the_movement(client, secretary, movement, area):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:task-area-edit", kwargs={"pk": area.pk}),
        {"title": "Thu ngân sách nhà nước", "description": "", "max_points": "25", "number": "9"},
    )

    area.refresh_from_db()
    entry = AuditEntry.objects.for_record(movement).get()
    assert response.status_code == 302
    assert (area.number, area.title, area.max_points) == (4, "Thu ngân sách nhà nước", Decimal("25"))
    assert entry.action == "task_area.changed"
    assert entry.before == {"task_area": 4, "title": "Thu ngân sách", "max_points": "20"}
    assert entry.after == {"task_area": 4, "title": "Thu ngân sách nhà nước", "max_points": "25"}


@pytest.mark.parametrize(("max_points", "title"), [("abc", "Thu"), ("-1", "Thu"), ("101", "Thu"), ("20", "")])
def test_task_area_edit_refuses_bad_input(client, secretary, area, max_points, title):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:task-area-edit", kwargs={"pk": area.pk}),
        {"title": title, "description": "", "max_points": max_points},
    )

    area.refresh_from_db()
    assert response.status_code == 200
    assert field_errors(response) == ({"title"} if title == "" else {"max_points"})
    assert (area.title, area.max_points) == ("Thu ngân sách", Decimal("20"))
    assert everything() == before


# Criteria -----------------------------------------------------------------------------------------


def criterion_data(**changes) -> dict:
    data = {
        "code": "4.5",
        "title": "Tỷ lệ tờ khai luồng xanh",
        "order": "4",
        "max_points": "2,5",
        "measure": "percent",
        "direction": "higher",
        "target_max": "",
        "guidance": "",
    }
    return data | changes


def test_criterion_create_adds_it_to_the_task_area_and_records_it(client, secretary, movement, area):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:criterion-create", kwargs={"pk": area.pk}), criterion_data(target_max="150")
    )

    created = area.criteria.get(code="4.5")
    entry = AuditEntry.objects.for_record(movement).get()
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("emulation:movement-detail", kwargs={"pk": movement.pk}) + "#area-4"
    )
    assert (created.max_points, created.measure, created.target_max) == (
        Decimal("2.5"),
        "percent",
        Decimal("150"),
    )
    assert (entry.action, entry.before) == ("criterion.created", {})
    assert entry.after == {
        "task_area": 4,
        "code": "4.5",
        "title": "Tỷ lệ tờ khai luồng xanh",
        "order": 4,
        "max_points": "2.5",
        "measure": "percent",
        "direction": "higher",
        "target_max": "150",
        "guidance": "",
    }


def test_criterion_create_offers_the_next_order(client, secretary, area):
    client.force_login(secretary)

    response = client.get(reverse("emulation:criterion-create", kwargs={"pk": area.pk}))

    assert response.context["form"]["order"].value() == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_points": "abc"}, "max_points"),
        ({"max_points": "-1"}, "max_points"),
        ({"max_points": "20,5"}, "max_points"),  # task area 4 is worth 20
        ({"code": "4.1"}, "code"),  # already used in task area 4
        ({"code": ""}, "code"),
        ({"measure": "yes_no", "target_max": "1"}, "target_max"),
        ({"measure": "points", "target_max": "3"}, "target_max"),
        ({"target_max": "0"}, "target_max"),
        ({"target_max": "-5"}, "target_max"),
        ({"measure": "kilograms"}, "measure"),
    ],
)
def test_criterion_create_refuses_bad_input(client, secretary, area, changes, field):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:criterion-create", kwargs={"pk": area.pk}), criterion_data(**changes)
    )

    assert response.status_code == 200
    assert field_errors(response) == {field}
    assert everything() == before


def test_criterion_code_may_repeat_in_another_task_area(client, secretary, movement):
    control = movement.task_areas.get(number=5)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:criterion-create", kwargs={"pk": control.pk}), criterion_data(code="4.1")
    )

    assert response.status_code == 302
    assert Criterion.objects.filter(task_area__movement=movement, code="4.1").count() == 2


def test_criterion_edit_records_before_and_after(client, secretary, movement, criterion):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:criterion-edit", kwargs={"pk": criterion.pk}),
        criterion_data(code="4.1", title=criterion.title, order="1", max_points="8", target_max="200"),
    )

    criterion.refresh_from_db()
    entry = AuditEntry.objects.for_record(movement).get()
    assert response.status_code == 302
    assert criterion.max_points == Decimal("8")
    assert entry.action == "criterion.changed"
    assert entry.before == {"criterion": "4.1", "max_points": "10"}
    assert entry.after == {"criterion": "4.1", "max_points": "8"}


def test_movement_and_period_pages_show_their_audit_trail(client, secretary, movement, criterion, period):
    client.force_login(secretary)
    client.post(
        reverse("emulation:criterion-edit", kwargs={"pk": criterion.pk}),
        criterion_data(code="4.1", title=criterion.title, order="1", max_points="8", target_max="200"),
    )
    client.post(
        reverse("emulation:period-edit", kwargs={"pk": period.pk}),
        period_data(movement, year="2026", pledging_opens="2026-01-01", pledging_closes="2026-02-15")
        | {
            "self_assessment_opens": "2026-12-01",
            "self_assessment_closes": "2026-12-20",
            "scoring_closes": "2027-01-15",
        },
    )

    movement_page = client.get(reverse("emulation:movement-detail", kwargs={"pk": movement.pk}))
    period_page = client.get(reverse("emulation:period-detail", kwargs={"pk": period.pk}))

    assert [e.action for e in movement_page.context["audit_entries"]] == ["criterion.changed"]
    assert [e.action for e in period_page.context["audit_entries"]] == ["period.changed"]
    assert 'data-testid="audit-trail"' in movement_page.content.decode()


def test_criterion_edit_keeps_its_own_code_and_refuses_a_sibling_code(client, secretary, criterion):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:criterion-edit", kwargs={"pk": criterion.pk}),
        criterion_data(code="4.2", title="Không được lưu", max_points="10", target_max="200"),
    )

    criterion.refresh_from_db()
    assert field_errors(response) == {"code"}
    assert (criterion.code, criterion.title) == ("4.1", "Số thu so với chỉ tiêu")
    assert response.context["criterion"].title == "Số thu so với chỉ tiêu"
    assert everything() == before


def test_criterion_measure_is_fixed_once_units_pledged_targets(client, secretary, period, criterion):
    PledgeTargetFactory(pledge=PledgeFactory(period=period), criterion=criterion, value=105)
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:criterion-edit", kwargs={"pk": criterion.pk}),
        criterion_data(code="4.1", title="Số thu", order="1", max_points="10", measure="count"),
    )

    criterion.refresh_from_db()
    assert response.status_code == 302
    assert (criterion.title, criterion.measure) == ("Số thu", "percent")


def test_criterion_delete_asks_then_deletes_and_records(client, secretary, movement, area):
    unused = CriterionFactory(task_area=area, code="4.9", max_points=1)
    client.force_login(secretary)
    url = reverse("emulation:criterion-delete", kwargs={"pk": unused.pk})

    page = client.get(url)
    response = client.post(url)

    entry = AuditEntry.objects.for_record(movement).get()
    assert page.status_code == 200
    assert Criterion.objects.filter(pk=unused.pk).exists() is False
    assert (
        response["Location"] == reverse("emulation:movement-detail", kwargs={"pk": movement.pk}) + "#area-4"
    )
    assert (entry.action, entry.before["code"], entry.before["task_area"], entry.after) == (
        "criterion.deleted",
        "4.9",
        4,
        {},
    )


def test_criterion_delete_is_refused_when_pledge_targets_refer_to_it(client, secretary, period, criterion):
    PledgeTargetFactory(pledge=PledgeFactory(period=period, unit=UnitFactory()), criterion=criterion)
    PledgeTargetFactory(pledge=PledgeFactory(period=period, unit=UnitFactory()), criterion=criterion)
    client.force_login(secretary)
    before = everything()

    page = client.get(reverse("emulation:criterion-delete", kwargs={"pk": criterion.pk}))
    response = client.post(
        reverse("emulation:criterion-delete", kwargs={"pk": criterion.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert page.context["target_count"] == 2
    assert 'data-testid="delete-form"' not in page.content.decode()
    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [
        "Criterion 4.1 cannot be deleted: 2 pledges already have a target for it. "
        "Change its title or points instead."
    ]
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert everything() == before


# Periods ------------------------------------------------------------------------------------------


def period_data(movement, **changes) -> dict:
    data = {
        "movement": movement.pk,
        "year": "2025",
        "pledging_opens": "2025-01-02",
        "pledging_closes": "2025-01-31",
        "self_assessment_opens": "2025-12-01",
        "self_assessment_closes": "2025-12-20",
        "scoring_closes": "2026-01-15",
    }
    return data | changes


def test_period_create_accepts_both_date_forms_and_records(client, secretary, movement):
    client.force_login(secretary)

    response = client.post(
        reverse("emulation:period-create"), period_data(movement, pledging_closes="31/01/2025")
    )

    period = Period.objects.get(movement=movement, year=2025)
    entry = AuditEntry.objects.for_record(period).get()
    assert response.status_code == 302
    assert response["Location"] == period.get_absolute_url()
    assert period.pledging_closes == datetime.date(2025, 1, 31)
    assert (entry.action, entry.actor) == ("period.created", secretary)
    assert entry.after == {
        "movement": movement.pk,
        "year": 2025,
        "pledging_opens": "2025-01-02",
        "pledging_closes": "2025-01-31",
        "self_assessment_opens": "2025-12-01",
        "self_assessment_closes": "2025-12-20",
        "scoring_closes": "2026-01-15",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pledging_closes": "2024-12-31"}, "pledging_closes"),  # before pledging opens
        ({"self_assessment_opens": "2025-01-15"}, "self_assessment_opens"),  # before pledging closes
        ({"scoring_closes": "2025-12-19"}, "scoring_closes"),
        ({"year": "2026"}, "year"),  # the period fixture already holds 2026
        ({"year": "2019"}, "year"),  # the movement runs 2021–2026: 2020 is the earliest
        ({"year": "2028"}, "year"),  # ... and 2027 the latest
        ({"year": "abc"}, "year"),
        ({"pledging_opens": "31/13/2025"}, "pledging_opens"),
        ({"movement": "999999"}, "movement"),
    ],
)
def test_period_create_refuses_bad_input(client, secretary, movement, period, changes, field):
    client.force_login(secretary)
    before = everything()

    response = client.post(reverse("emulation:period-create"), period_data(movement) | changes)

    assert response.status_code == 200
    assert field_errors(response) == {field}
    assert everything() == before


def test_period_year_range_includes_the_year_before_and_after(client, secretary, movement):
    client.force_login(secretary)

    responses = [
        client.post(reverse("emulation:period-create"), period_data(movement, year=str(year)))
        for year in (2020, 2027)
    ]

    assert [r.status_code for r in responses] == [302, 302]
    assert sorted(Period.objects.filter(movement=movement).values_list("year", flat=True)) == [2020, 2027]


def test_period_edit_records_changed_dates(client, secretary, movement, period):
    client.force_login(secretary)
    data = period_data(movement, year="2026", pledging_opens="2026-01-01", pledging_closes="2026-02-15")
    data |= {
        "self_assessment_opens": "2026-12-01",
        "self_assessment_closes": "2026-12-20",
        "scoring_closes": "2027-01-15",
    }

    response = client.post(reverse("emulation:period-edit", kwargs={"pk": period.pk}), data)

    period.refresh_from_db()
    entry = AuditEntry.objects.for_record(period).get()
    assert response.status_code == 302
    assert period.pledging_closes == datetime.date(2026, 2, 15)
    assert (entry.action, entry.before, entry.after) == (
        "period.changed",
        {"pledging_closes": "2026-01-31"},
        {"pledging_closes": "2026-02-15"},
    )


def test_period_edit_shows_the_order_error_next_to_the_field(client, secretary, movement, period):
    client.force_login(secretary)
    before = everything()

    response = client.post(
        reverse("emulation:period-edit", kwargs={"pk": period.pk}),
        period_data(movement, year="2026", pledging_opens="2026-01-01", pledging_closes="2025-12-31"),
    )

    period.refresh_from_db()
    assert response.status_code == 200
    assert field_errors(response) == {"pledging_closes"}
    assert response.context["form"].non_field_errors() == []
    assert period.pledging_closes == datetime.date(2026, 1, 31)
    assert everything() == before


def test_period_edit_keeps_the_movement_once_units_pledged(client, secretary, movement, period):
    PledgeFactory(period=period)
    other = MovementFactory(start_year=2026, end_year=2030)
    client.force_login(secretary)
    data = period_data(other, year="2026", pledging_opens="2026-01-01", pledging_closes="2026-01-31")
    data |= {
        "self_assessment_opens": "2026-12-01",
        "self_assessment_closes": "2026-12-20",
        "scoring_closes": "2027-01-15",
    }

    response = client.post(reverse("emulation:period-edit", kwargs={"pk": period.pk}), data)

    period.refresh_from_db()
    assert response.status_code == 302
    assert period.movement_id == movement.pk


def test_period_edit_of_a_finalised_period_is_refused(client, secretary, movement, period):
    period.is_finalised = True
    period.save()
    client.force_login(secretary)
    before = everything()

    page = client.get(reverse("emulation:period-edit", kwargs={"pk": period.pk}))
    response = client.post(
        reverse("emulation:period-edit", kwargs={"pk": period.pk}),
        period_data(movement, year="2026", pledging_opens="2026-01-05"),
    )

    period.refresh_from_db()
    assert (page.status_code, page["Location"]) == (302, period.get_absolute_url())
    assert (response.status_code, response["Location"]) == (302, period.get_absolute_url())
    assert period.pledging_opens == datetime.date(2026, 1, 1)
    assert everything() == before


def test_period_detail_counts_pledges_by_state_and_links_to_them(client, leader, period):
    for state in ("draft", "submitted", "submitted", "accepted"):
        PledgeFactory(period=period, state=state)
    PledgeFactory(period=PeriodFactory(movement=period.movement, year=2025), state="submitted")
    client.force_login(leader)

    with translation.override("en"):
        response = client.get(reverse("emulation:period-detail", kwargs={"pk": period.pk}))

    assert [count for _label, count in response.context["counts"]] == [1, 2, 0, 1]
    assert response.context["total"] == 4
    assert response.context["can_edit"] is False
    assert f"{reverse('emulation:pledge-list')}?period={period.pk}" in response.content.decode()


def test_period_list_shows_phase_dates_and_counts(client, secretary, period):
    PledgeFactory(period=period, state="submitted")
    PledgeFactory(period=period, state="accepted")
    finalised = PeriodFactory(movement=period.movement, year=2025, is_finalised=True)
    client.force_login(secretary)

    response = client.get(reverse("emulation:period-list"), HTTP_ACCEPT_LANGUAGE="en")

    rows = [(row["period"], row["phase"], row["counts"]) for row in response.context["rows"]]
    assert rows == [
        (period, period.phase.label, [0, 1, 0, 1]),
        (finalised, Phase.FINALISED.label, [0, 0, 0, 0]),
    ]
    assert "31/01/2026" in response.content.decode()


# Query counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3])
def test_period_list_query_count_does_not_grow(client, secretary, movement, size, django_assert_num_queries):
    for index in range(size):
        period = PeriodFactory(movement=movement, year=2021 + index)
        for state in ("draft", "submitted", "accepted"):
            PledgeFactory(period=period, state=state)
    client.force_login(secretary)

    # session, user, roles, periods with their counts
    with django_assert_num_queries(4):
        response = client.get(reverse("emulation:period-list"))

    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [1, 3])
def test_movement_list_query_count_does_not_grow(client, leader, size, django_assert_num_queries):
    for index in range(size):
        movement = MovementFactory(start_year=2026 + index * 5, end_year=2030 + index * 5)
        TaskAreaFactory(movement=movement, number=1)
        PeriodFactory(movement=movement, year=2026 + index * 5)
    client.force_login(leader)

    # session, user, roles, movements with their counts
    with django_assert_num_queries(4):
        response = client.get(reverse("emulation:movement-list"))

    assert len(response.context["movements"]) == size + 1  # and the movement of the data migration


@pytest.mark.parametrize("size", [1, 3])
def test_movement_page_query_count_does_not_grow(client, secretary, size, django_assert_num_queries):
    movement = MovementFactory()
    for number in range(1, size + 1):
        task_area = TaskAreaFactory(movement=movement, number=number)
        for index in range(size):
            CriterionFactory(task_area=task_area, code=f"{number}.{index}")
    for year in range(2021, 2021 + size):
        PeriodFactory(movement=movement, year=year)
    client.force_login(secretary)
    url = reverse("emulation:movement-detail", kwargs={"pk": movement.pk})
    client.get(url)  # warm the content-type cache the audit trail reads

    # session, user, roles, movement, task areas, criteria, check, periods, audit trail
    with django_assert_num_queries(9):
        response = client.get(url)

    assert len(response.context["task_areas"]) == size


# Services under concurrent saves ------------------------------------------------------------------


def test_create_criterion_turns_a_concurrent_duplicate_code_into_a_message(secretary, movement, area):
    before = everything()

    with pytest.raises(EmulationError):
        create_criterion(
            Criterion(task_area=area, code="4.1", title="Trùng mã", max_points=1, measure="count"),
            actor=secretary,
        )

    assert everything() == before


def test_update_period_turns_a_concurrent_duplicate_year_into_a_message(secretary, movement, period):
    other = PeriodFactory(movement=movement, year=2025)
    other.year = 2026
    before = everything()

    with pytest.raises(EmulationError):
        update_period(other, actor=secretary)

    other.refresh_from_db()
    assert other.year == 2025
    assert everything() == before


def test_update_period_refuses_a_period_finalised_meanwhile(secretary, period):
    Period.objects.filter(pk=period.pk).update(is_finalised=True)
    period.pledging_opens = datetime.date(2026, 1, 5)

    with pytest.raises(ClosedForChangesError):
        update_period(period, actor=secretary)

    assert Period.objects.get(pk=period.pk).pledging_opens == datetime.date(2026, 1, 1)
    assert AuditEntry.objects.count() == 0


# Form display -------------------------------------------------------------------------------------


def test_edit_forms_show_points_without_trailing_zeros(client, secretary, area):
    CriterionFactory(task_area=area, code="4.9", max_points=Decimal("2.5"), measure="money", target_max=10**9)
    client.force_login(secretary)

    form = client.get(
        reverse("emulation:criterion-edit", kwargs={"pk": area.criteria.get(code="4.9").pk})
    ).content.decode()

    assert 'name="max_points" value="2,5"' in form
    assert 'name="target_max" value="1000000000"' in form

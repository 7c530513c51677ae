"""The eligibility list and its export: who may open them, the filters, the reasons shown."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from awards.models import Rating
from emulation.models import IndividualRegistration
from tests.factories import (
    AssignmentFactory,
    MovementFactory,
    PeriodFactory,
    PledgeFactory,
    StaffFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LIST = reverse("awards:eligibility-list")
EXPORT = reverse("awards:eligibility-export")


@pytest.fixture(autouse=True)
def today():
    """March 2026: the list opens on 2025, judged today under Decree 152/2025."""
    with time_machine.travel(datetime.datetime(2026, 3, 15, 10, tzinfo=HCM), tick=False):
        yield


def staff_member(unit, name: str, *, grade: str | None, registered: str | None, pledge, code: str):
    staff = StaffFactory(unit=unit, full_name=name, staff_code=code)
    AssignmentFactory(staff=staff, unit=unit, start_date=D(2019, 1, 1))
    if grade:
        Rating.objects.create(staff=staff, year=2025, grade=grade)
    if registered:
        IndividualRegistration.objects.create(pledge=pledge, staff=staff, title=registered)
    return staff


@pytest.fixture
def facts(org):
    """Branch A's office: an (excellent, CSTĐCS registration) and binh (good, LĐTT registration);
    branch B's office: chi (completed), the data a branch A filter must not show."""
    movement = MovementFactory()
    PeriodFactory(movement=movement, year=2022)
    period = PeriodFactory(movement=movement, year=2025)
    pledge_a = PledgeFactory(unit=org.office_a, period=period, state="accepted", collective_title="TTLDTT")
    pledge_b = PledgeFactory(unit=org.office_b, period=period, state="accepted")
    Rating.objects.create(unit=org.office_a, year=2025, grade="good")
    return {
        "an": staff_member(
            org.office_a, "Nguyễn Văn An", grade="excellent", registered="CSTDCS", pledge=pledge_a, code="A1"
        ),
        "binh": staff_member(
            org.office_a, "Trần Thị Bình", grade="good", registered="LDTT", pledge=pledge_a, code="A2"
        ),
        "chi": staff_member(
            org.office_b, "Lê Văn Chí", grade="completed", registered="LDTT", pledge=pledge_b, code="B1"
        ),
        "pledge_a": pledge_a,
    }


def rows_of(response) -> dict:
    return {(item["row"].kind, item["row"].subject_id): item for item in response.context["shown"]}


# --- who may open it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["secretary", "leader", "superuser"])
def test_eligibility_list_opens_for_the_secretary_and_leaders(client, request, facts, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(LIST, **EN)

    assert response.status_code == 200
    assert response.context["filters"].year == 2025
    assert len(response.context["shown"]) == 3 + 5  # three staff members, five units


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_eligibility_pages_refuse_committee_members(client, committee_member, facts, url):
    client.force_login(committee_member)

    response = client.get(url)

    assert response.status_code == 403


def test_eligibility_list_sends_an_anonymous_visitor_to_the_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_eligibility_list_is_in_the_menu_of_the_secretary_and_unit_officers(
    client, secretary, unit_officer, committee_member
):
    pages = []
    for user in (secretary, unit_officer, committee_member):
        client.force_login(user)
        pages.append(client.get(reverse("home")).content.decode())

    assert [f'href="{LIST}"' in page for page in pages] == [True, True, False]


def test_eligibility_list_shows_a_unit_officer_its_own_subtree_before_it_proposes(
    client, unit_officer, facts, org
):
    client.force_login(unit_officer)

    response = client.get(LIST, {"year": 2025}, **EN)

    shown = rows_of(response)
    assert ("person", facts["an"].pk) in shown
    assert ("person", facts["chi"].pk) not in shown  # branch B's staff member
    assert {row.subject_id for row in response.context["report"].units} == {org.branch_a.pk, org.office_a.pk}
    assert shown[("person", facts["binh"].pk)]["reasons"]  # why not the next title up


def test_eligibility_list_refuses_another_units_subtree_to_a_unit_officer(client, unit_officer, facts, org):
    client.force_login(unit_officer)

    response = client.get(LIST, {"year": 2025, "unit": org.branch_b.pk}, **EN)
    export = client.get(EXPORT, {"year": 2025, "unit": org.office_b.pk})

    assert response.status_code == 200
    assert "unit" in response.context["filter_form"].errors
    assert ("person", facts["chi"].pk) not in rows_of(response)
    cells = _export_codes(export)
    assert facts["an"].staff_code in cells
    assert facts["chi"].staff_code not in cells
    assert "Lê Văn Chí" not in cells


# --- what it shows ------------------------------------------------------------------------------------------


def test_eligibility_list_shows_the_highest_title_and_why_not_the_next_one(client, secretary, facts):
    client.force_login(secretary)

    response = client.get(LIST, {"year": 2025}, **EN)

    rows = rows_of(response)
    an, binh, chi = (rows[("person", facts[name].pk)] for name in ("an", "binh", "chi"))
    assert (an["highest"], an["next"]) == ("Grassroots emulation fighter", "Ministry-level emulation fighter")
    assert (binh["highest"], binh["next"]) == ("Advanced labourer", "Grassroots emulation fighter")
    assert binh["next_headline"] == "Grassroots emulation fighter 2025: not met."
    assert binh["reasons"] == [
        "No registration for Grassroots emulation fighter in 2025: without one the title is not considered.",
        "No ground for Grassroots emulation fighter in 2025: rated “Well completed”, not “Excellently "
        "completed”, no initiative recognised at unit level or above, and no accepted science work.",
    ]
    assert (chi["highest"], chi["next"]) == ("", "Advanced labourer")
    assert chi["reasons"] == [
        "Rated “Completed” for 2025; Advanced labourer needs “Well completed” or better."
    ]
    content = response.content.decode()
    assert "No ground for Grassroots emulation fighter in 2025" in content
    assert "Nghị định 152/2025/NĐ-CP" in content


def test_eligibility_list_summary_counts_the_highest_titles(client, secretary, facts):
    client.force_login(secretary)

    response = client.get(LIST, {"year": 2025, "kind": "person"}, **EN)

    [people] = response.context["summary"]
    assert people["kind"] == "person"
    assert [(tile["code"], tile["count"]) for tile in people["tiles"]] == [
        ("", 1),
        ("LDTT", 1),
        ("CSTDCS", 1),
        ("CSTD_BO", 0),
        ("CSTD_TQ", 0),
    ]


def test_eligibility_list_of_a_unit_shows_its_subtree_only(client, secretary, facts, org):
    client.force_login(secretary)

    response = client.get(LIST, {"year": 2025, "unit": org.branch_a.pk}, **EN)

    assert set(rows_of(response)) == {
        ("unit", org.branch_a.pk),
        ("unit", org.office_a.pk),
        ("person", facts["an"].pk),
        ("person", facts["binh"].pk),
    }
    assert "Lê Văn Chí" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "unit"}, {"dept", "branch_a", "branch_b", "office_a", "office_b"}),
        ({"kind": "person", "status": "yes"}, {"an", "binh"}),
        ({"status": "no", "kind": "person"}, {"chi"}),
        ({"title": "CSTDCS", "status": "yes"}, {"an"}),
        ({"title": "CSTDCS", "status": "no"}, {"binh", "chi"}),
        ({"title": "LDTT"}, {"an", "binh", "chi"}),
    ],
)
def test_eligibility_list_filters_by_kind_title_and_status(client, secretary, facts, org, query, expected):
    client.force_login(secretary)
    names = {("person", staff.pk): name for name, staff in facts.items() if name != "pledge_a"}
    names.update(
        {
            ("unit", getattr(org, name).pk): name
            for name in ("dept", "branch_a", "branch_b", "office_a", "office_b")
        }
    )

    response = client.get(LIST, {"year": 2025, **query}, **EN)

    assert response.status_code == 200
    assert {names[key] for key in rows_of(response)} == expected


def test_eligibility_list_says_when_a_year_is_judged_with_approximate_rules(client, secretary, facts):
    client.force_login(secretary)

    old = client.get(LIST, {"year": 2022}, **EN)
    recent = client.get(LIST, {"year": 2025}, **EN)

    assert old.context["report"].basis.approximate is True
    assert 'data-testid="eligibility-approximate"' in old.content.decode()
    assert 'data-testid="eligibility-approximate"' not in recent.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1990"}, "year"),
        ({"unit": "999999"}, "unit"),
        ({"kind": "robots"}, "kind"),
        ({"kind": "person", "title": "TTLDTT"}, "title"),
        ({"kind": "unit", "title": "CSTDCS"}, "title"),
        ({"title": "NOBEL"}, "title"),
        ({"status": "maybe"}, "status"),
    ],
)
def test_eligibility_list_reports_a_bad_filter_next_to_its_field_and_ignores_it(
    client, secretary, facts, query, field
):
    client.force_login(secretary)

    response = client.get(LIST, query, **EN)

    assert response.status_code == 200
    assert list(response.context["filter_form"].errors) == [field]
    assert response.context["filters"].year == 2025


def test_eligibility_list_shows_fifty_rows_a_page(client, secretary, facts, org):
    for number in range(50):
        staff_member(
            org.office_a,
            f"Cán bộ {number:02d}",
            grade="good",
            registered=None,
            pledge=facts["pledge_a"],
            code=f"X{number:02d}",
        )
    client.force_login(secretary)

    first = client.get(LIST, {"year": 2025, "kind": "person"})
    second = client.get(LIST, {"year": 2025, "kind": "person", "page": 2})

    assert len(first.context["shown"]) == 50
    assert len(second.context["shown"]) == 3
    assert first.context["page"].paginator.count == 53


@pytest.mark.parametrize("size", [1, 3])
def test_eligibility_list_query_count_does_not_depend_on_the_number_of_subjects(
    client, secretary, org, django_assert_num_queries, size
):
    period = PeriodFactory(movement=MovementFactory(), year=2025)
    for number in range(size):
        unit = UnitFactory(parent=org.branch_a)
        pledge = PledgeFactory(unit=unit, period=period, state="accepted", collective_title="TTLDTT")
        for index in range(size):
            staff_member(
                unit,
                f"Cán bộ {number}-{index}",
                grade="excellent",
                registered="CSTDCS",
                pledge=pledge,
                code=f"Q{number}{index}",
            )
    client.force_login(secretary)

    # session, user, roles; the years; the unit of the filter; the 19 queries of the year judged
    # for a subtree (awards.services.eligibility.evaluate_year); the 9 + 8 queries of the facts of
    # the staff and units shown, judged again with their reasons; the unit choices of the filter
    with django_assert_num_queries(42):
        response = client.get(LIST, {"year": 2025, "unit": org.branch_a.pk})

    assert len(response.context["shown"]) == size * size + size + 2


# --- the export ---------------------------------------------------------------------------------------------


def test_eligibility_export_is_a_workbook_of_the_filtered_rows(client, secretary, facts, org):
    client.force_login(secretary)

    response = client.get(EXPORT, {"year": 2025, "unit": org.branch_a.pk, "kind": "person"}, **EN)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="eligibility-2025.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Code",
        "Staff member or unit",
        "Unit",
        "Highest title qualified for",
        "Next title up",
        "Why the next title is not met",
    ]
    assert [row[:5] for row in rows[1:]] == [
        [
            "A1",
            "Nguyễn Văn An",
            org.office_a.name,
            "Grassroots emulation fighter",
            "Ministry-level emulation fighter",
        ],
        ["A2", "Trần Thị Bình", org.office_a.name, "Advanced labourer", "Grassroots emulation fighter"],
    ]
    assert rows[2][5].startswith("Grassroots emulation fighter 2025: not met.\nNo registration for")


def test_eligibility_export_keeps_a_name_that_looks_like_a_formula_as_text(client, secretary, facts, org):
    staff_member(
        org.office_a, "=HYPERLINK(1)", grade="good", registered="LDTT", pledge=facts["pledge_a"], code="F1"
    )
    client.force_login(secretary)

    response = client.get(EXPORT, {"year": 2025, "kind": "person"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells if cell.value == "=HYPERLINK(1)"] == ["s"]


def _export_codes(response) -> set[str]:
    """Every cell value of an exported workbook, as text."""
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None}


def test_eligibility_export_filters_the_table_and_quotes_formula_like_names(client, secretary, facts, org):
    staff_member(
        org.office_a, "+84 HYPERLINK(1)", grade="good", registered="LDTT", pledge=facts["pledge_a"], code="F2"
    )
    client.force_login(secretary)

    response = client.get(EXPORT, {"year": 2025, "kind": "person"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.auto_filter.ref == f"A1:F{sheet.max_row}"
    names = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == "+84 HYPERLINK(1)"]
    assert [(cell.data_type, cell.quotePrefix) for cell in names] == [("s", True)]
    assert sheet.column_dimensions["F"].width == 90

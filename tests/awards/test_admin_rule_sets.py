"""The administrator edits a rule set in the Django admin: bad parameters or dates are refused,
each with its own message, and nothing is saved."""

import datetime
import html
import json
from fractions import Fraction

import pytest
from django.urls import reverse

from awards.eligibility import LEGAL_PARAMETER_SETS
from awards.forms.rule_sets import rule_params_problems
from awards.models import RuleSet
from awards.services.eligibility import rule_params_on

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def decree_152():
    """The rule set in force from 01/07/2025 with no end date (loaded by the migration awards/0003)."""
    return RuleSet.objects.get(effective_from=datetime.date(2025, 7, 1))


def form_data(rule_set: RuleSet | None = None, **changes) -> dict:
    data = {
        "name": rule_set.name if rule_set else "Quy định mới",
        "legal_basis": rule_set.legal_basis if rule_set else "Nghị định mới",
        "effective_from": rule_set.effective_from.isoformat() if rule_set else "2026-01-01",
        "effective_to": rule_set.effective_to.isoformat() if rule_set and rule_set.effective_to else "",
        "params": rule_set.params if rule_set else {},
    }
    data.update(changes)
    data["params"] = data["params"] if isinstance(data["params"], str) else json.dumps(data["params"])
    return data


def change(admin_client, rule_set: RuleSet, **changes):
    url = reverse("admin:awards_ruleset_change", args=[rule_set.pk])
    return admin_client.post(url, form_data(rule_set, **changes), **EN)


def errors(response, field: str) -> list[str]:
    return response.context["adminform"].form.errors.get(field, [])


def stored(rule_set: RuleSet) -> tuple:
    rule_set.refresh_from_db()
    return rule_set.name, rule_set.effective_from, rule_set.effective_to, rule_set.params


def test_rule_set_admin_the_legal_parameter_sets_have_no_problem():
    assert [rule_params_problems(item.params.to_dict()) for item in LEGAL_PARAMETER_SETS] == [[], []]


def test_rule_set_admin_saves_valid_parameters_that_the_engine_then_reads(admin_client, decree_152):
    page = admin_client.get(reverse("admin:awards_ruleset_change", args=[decree_152.pk]), **EN)
    params = {**decree_152.params, "quorum_share": "3/4", "ldtt_min_months_worked": 9}

    response = change(admin_client, decree_152, params=params)

    assert page.status_code == 200
    assert '"quorum_share": "2/3",\n' in html.unescape(page.content.decode())  # one parameter a line
    assert response.status_code == 302
    in_force = rule_params_on(datetime.date(2026, 1, 15))
    assert (in_force.quorum_share, in_force.ldtt_min_months_worked) == (Fraction(3, 4), 9)


def test_rule_set_admin_refuses_unknown_parameters_naming_the_closest_one(admin_client, decree_152):
    before = stored(decree_152)

    response = change(admin_client, decree_152, params={"quorum_shares": "2/3", "colour": "blue"})

    assert response.status_code == 200
    assert errors(response, "params") == [
        "“quorum_shares” is not a parameter of the eligibility rules. Did you mean “quorum_share”?",
        "“colour” is not a parameter of the eligibility rules.",
    ]
    assert stored(decree_152) == before


def test_rule_set_admin_refuses_values_of_the_wrong_kind_one_message_each(admin_client, decree_152):
    before = stored(decree_152)
    params = {
        **decree_152.params,
        "registration_required": "yes",
        "quorum_share": 0.5,
        "ldtt_min_rating": "brilliant",
        "vote_thresholds": {"CSTDCS": "4/5", "XYZ": "1/2", "CO_BO": "half"},
        "base_salaries": [["01/07/2024", "2340000"]],
    }

    response = change(admin_client, decree_152, params=params)

    assert response.status_code == 200
    assert sorted(errors(response, "params")) == sorted(
        [
            '“registration_required” must be true or false; "yes" is not.',
            "“vote_thresholds”: “XYZ” is not an award code; the codes are LDTT, CSTDCS, CSTD_BO, CSTD_TQ, "
            "TTLDTT, TTLDXS, CO_BO, CO_CP, GK, BK_BO, BK_TTG, HCLD3, HCLD2, HCLD1, KNC.",
            '“vote_thresholds.CO_BO” must be a share from 0 to 1 in quotes, such as "2/3" or "0.8"; '
            '"half" is not.',
            '“quorum_share” must be a share from 0 to 1 in quotes, such as "2/3" or "0.8"; 0.5 is not.',
            '“ldtt_min_rating” must be one of excellent, good, completed, not_completed; "brilliant" is not.',
            "“base_salaries” must be a list of [start date, amount] pairs by increasing date, such as "
            '[["2024-07-01", "2340000"]]; [["01/07/2024", "2340000"]] is not.',
        ]
    )
    assert stored(decree_152) == before


def test_rule_set_admin_refuses_negative_and_absurd_values(admin_client, decree_152):
    before = stored(decree_152)
    params = {
        **decree_152.params,
        "cstd_bo_run_years": -1,
        "ldtt_min_months_worked": 40,
        "quorum_share": "0",
        "individual_coefficients": {"LDTT": "1000", "CSTDCS": "-1"},
        "long_run_awards": {"BK_TTG": {"prior_awards": ["BK_BO"], "excellent_years": 50}},
        "base_salaries": [["2024-07-01", "2340000000"]],
    }

    response = change(admin_client, decree_152, params=params)

    assert response.status_code == 200
    assert sorted(errors(response, "params")) == sorted(
        [
            "“cstd_bo_run_years” must be from 1 to 10; -1 is not.",
            "“ldtt_min_months_worked” must be from 0 to 12; 40 is not.",
            "“quorum_share” cannot be 0: the council needs members present and agreeing.",
            '“individual_coefficients.CSTDCS” must be a number from 0 up in quotes, such as "1.5"; '
            '"-1" is not.',
            "“long_run_awards.BK_TTG.excellent_years” must be from 1 to 20; 50 is not.",
            "“base_salaries” must be from 100,000 to 100,000,000; 2,340,000,000 is not.",
        ]
    )
    assert stored(decree_152) == before


def test_rule_set_admin_refuses_a_coefficient_of_a_thousand(admin_client, decree_152):
    params = {**decree_152.params, "individual_coefficients": {"LDTT": "1000"}}

    response = change(admin_client, decree_152, params=params)

    assert errors(response, "params") == [
        "“individual_coefficients.LDTT” must be from 0 to 100; 1000 is not."
    ]


def test_rule_set_admin_refuses_parameters_that_are_not_an_object(admin_client, decree_152):
    before = stored(decree_152)

    response = change(admin_client, decree_152, params=["quorum_share", "2/3"])
    broken = change(admin_client, decree_152, params='{"quorum_share": "2/3",}')

    assert errors(response, "params") == [
        'The parameters must be a JSON object: {"parameter name": value, …}.'
    ]
    assert errors(broken, "params") == ["Enter a valid JSON."]
    assert stored(decree_152) == before


def test_rule_set_admin_refuses_a_rule_set_overlapping_another(admin_client, decree_152):
    count = RuleSet.objects.count()

    response = admin_client.post(reverse("admin:awards_ruleset_add"), form_data(), **EN)

    assert response.status_code == 200
    assert errors(response, "effective_from") == [
        f"These dates overlap the rule set “{decree_152.name}” (in force from 01/07/2025 with no end date). "
        "Only one rule set can be in force on a day: give that one an end date first, or choose other dates."
    ]
    assert RuleSet.objects.count() == count


def test_rule_set_admin_refuses_dates_overlapping_the_previous_rule_set(admin_client, decree_152):
    before = stored(decree_152)

    response = change(admin_client, decree_152, effective_from="2025-06-01")

    assert errors(response, "effective_from") == [
        "These dates overlap the rule set “Nghị định 98/2023/NĐ-CP” (in force from 01/01/2024 to "
        "30/06/2025). Only one rule set can be in force on a day: give that one an end date first, or "
        "choose other dates."
    ]
    assert stored(decree_152) == before


def test_rule_set_admin_adds_a_rule_set_once_the_previous_one_ends(admin_client, decree_152):
    closed = change(admin_client, decree_152, effective_to="2025-12-31")

    added = admin_client.post(
        reverse("admin:awards_ruleset_add"), form_data(params={"quorum_share": "3/4"}), **EN
    )

    assert (closed.status_code, added.status_code) == (302, 302)
    assert rule_params_on(datetime.date(2025, 12, 31)).quorum_share == Fraction(2, 3)
    assert rule_params_on(datetime.date(2026, 1, 1)).quorum_share == Fraction(3, 4)


def test_rule_set_admin_refuses_an_end_before_the_start(admin_client, decree_152):
    before = stored(decree_152)

    response = change(admin_client, decree_152, effective_to="2025-01-01")

    assert errors(response, "effective_to") == ["The rule set cannot end before it starts."]
    assert stored(decree_152) == before

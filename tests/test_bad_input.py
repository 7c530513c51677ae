"""Property-based bad input: generated values posted to the forms never give a 500 and never
half-write anything; a refused post leaves every row and the audit trail as they were.

Each example replaces one field of a valid post with a generated value (huge, negative, not a
number, unicode, control characters, very long text, empty). Every example runs inside a
savepoint rolled back afterwards, so examples do not see each other's writes.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet, ManagementForm
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation.models import SelfScore
from emulation.services import start_pledge
from emulation.services.scoring import assign_scorer, start_submission, submit_submission
from tests.conftest import make_persona
from tests.emulation.conftest import at
from tests.factories import CriterionFactory, MovementFactory, PeriodFactory, TaskAreaFactory, UnitFactory
from tests.figures import record
from units.enums import Role

pytestmark = pytest.mark.django_db

EXAMPLES = 40
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "-0,01",
        "1e999",
        "NaN",
        "inf",
        "9" * 40,
        "1.000,5.5",
        "٣٤",  # Arabic-Indic digits
        "１２",  # full-width digits
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202eevil",
        "x" * 5000,
        "2026-13-45",
        "31/02/2026",
        "None",
        "true",
        "[]",
    ]
)
VALUES = st.one_of(
    NASTY_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=5).map(str),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300),
)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def table_counts() -> dict[str, int]:
    """Rows of every table of the local apps (and the audit trail), to prove nothing was written."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"units", "emulation", "awards"} and not model._meta.proxy
    ]
    return {model._meta.label: model.objects.count() for model in models}


def fingerprint(models) -> tuple:
    """The full content of the rows a refused post must not change."""
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


class _FieldsAndFeedback(HTMLParser):
    """The page in document order: each visible form control's name and each error block's text."""

    CONTROLS = frozenset({"input", "select", "textarea"})
    NOT_CONTROLS = frozenset({"hidden", "submit", "button"})

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._depth:
            self._depth += tag == "div"
        elif tag == "div" and "invalid-feedback" in (values.get("class") or "").split():
            self._depth, self._text = 1, []
        elif tag in self.CONTROLS and values.get("type") not in self.NOT_CONTROLS and values.get("name"):
            self.events.append(("control", values["name"]))

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth -= 1
            if not self._depth:
                self.events.append(("feedback", " ".join("".join(self._text).split())))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)


def feedback_next_to(html: str, name: str) -> list[str]:
    """For each visible control called `name`, the error text shown after it, before the next control."""
    parser = _FieldsAndFeedback()
    parser.feed(html)
    parser.close()
    shown: list[str] = []
    current = None
    for kind, value in parser.events:
        if kind == "control":
            current = None
            if value == name:
                shown.append("")
                current = len(shown) - 1
        elif current is not None:
            shown[current] += f" {value}"
    return shown


def bound_forms(context) -> list:
    """Every bound form of the response: forms, formsets and the formsets' forms."""
    contexts = context if isinstance(context, list) else [context] if context else []
    values = {id(value): value for each in contexts for value in each.flatten().values()}
    found = []
    for value in values.values():
        if isinstance(value, BaseFormSet) and value.is_bound:
            found += [value, *value.forms]  # a broken management form is a non-form error
        elif isinstance(value, BaseForm) and value.is_bound and not isinstance(value, ManagementForm):
            found.append(value)
    return found


def flat(text) -> str:
    return " ".join(str(text).split())


def assert_refusal_names_the_field(response, field: str) -> None:
    """A refused post says what is wrong where the user looks: under the field it posted, or,
    for a hidden field, in the error summary with the field's label.

    A refusal that is not about the value of one field (someone saved in between, the formset's
    management data tampered with) shows its message in the form's error summary.
    """
    html = flat(response.content.decode())
    forms = bound_forms(response.context)
    assert forms, f"{field}: refused with status {response.status_code} without the form"
    form_level = [
        flat(error)
        for form in forms
        for error in (form.non_form_errors() if isinstance(form, BaseFormSet) else form.non_field_errors())
    ]
    errors, hidden_label = [], None
    for form in (form for form in forms if isinstance(form, BaseForm)):
        for bound in form:
            if bound.html_name == field and bound.errors:
                errors = [flat(error) for error in bound.errors]
                hidden_label = flat(bound.label) if bound.is_hidden else None

    if not errors:
        assert form_level, (
            f"{field}: refused ({response.status_code}) with no error on it and none on the form"
        )
        assert [error for error in form_level if error not in html] == []
    elif hidden_label is None:
        shown = feedback_next_to(html, field)
        assert shown, f"{field}: refused, but the page has no field {field!r} to show why"
        for error in errors:
            assert any(error in text for text in shown), f"{field}: {error!r} is not shown under the field"
    else:
        assert f"<strong>{escape(hidden_label)}</strong>: {escape(errors[0])}" in html, (
            f"{field}: the summary does not name the hidden field {hidden_label!r} with its error"
        )


def post_one_bad_field(client, url: str, valid: dict, field: str, value: str, watched) -> int:
    """Post `valid` with `field` replaced, inside a savepoint rolled back afterwards."""
    data = {**valid, field: value}
    with transaction.atomic():
        counts, content = table_counts(), fingerprint(watched)
        response = client.post(url, data)
        assert response.status_code != 500
        if response.status_code in (200, 400, 409):  # refused: shown again with messages
            assert table_counts() == counts
            assert fingerprint(watched) == content
            assert_refusal_names_the_field(response, field)
            record("bad input: refusals checked for a message at the field")
        transaction.set_rollback(True)
    return response.status_code


@pytest.fixture
def scene(org, unit_officer):
    """A period open for pledging and for self-assessment on the same day, and the unit's drafts."""
    movement = MovementFactory()
    area = TaskAreaFactory(movement=movement, number=4, max_points=20)
    CriterionFactory(task_area=area, code="4.1", measure="percent", max_points=10, order=1)
    CriterionFactory(task_area=area, code="4.4", measure="money", direction="lower", max_points=5, order=2)
    CriterionFactory(task_area=area, code="4.3", measure="yes_no", max_points=5, order=3)
    period = PeriodFactory(
        movement=movement,
        year=2026,
        pledging_opens=datetime.date(2026, 1, 1),
        pledging_closes=datetime.date(2026, 12, 31),
        self_assessment_opens=datetime.date(2026, 12, 31),
        self_assessment_closes=datetime.date(2026, 12, 31),
        scoring_closes=datetime.date(2027, 1, 31),
    )
    with at(datetime.date(2026, 12, 31)):
        yield {
            "period": period,
            "pledge": start_pledge(org.branch_a, period, actor=unit_officer),
            "submission": start_submission(org.branch_a, period, actor=unit_officer),
        }


def pledge_post(pledge) -> dict:
    data = {
        "version": pledge.version,
        "collective_title": "TTLDXS",
        "action": "save",
        "reg-TOTAL_FORMS": 0,
        "reg-INITIAL_FORMS": 0,
        "reg-MIN_NUM_FORMS": 0,
        "reg-MAX_NUM_FORMS": 1000,
    }
    values = {"4.1": "95", "4.4": "1.000.000", "4.3": "1"}
    for target in pledge.targets.select_related("criterion"):
        data[f"target_{target.criterion_id}"] = values[target.criterion.code]
        data[f"note_{target.criterion_id}"] = ""
    return data


def run_property(client, url: str, valid: dict, watched, fields: list[str], name: str) -> None:
    seen: list[int] = []

    @SETTINGS
    @given(field=st.sampled_from(fields), value=VALUES)
    def check(field: str, value: str) -> None:
        seen.append(post_one_bad_field(client, url, valid, field, value, watched))

    with transaction.atomic():  # the base post is valid: each refusal comes from the one field
        assert client.post(url, valid).status_code == 302
        transaction.set_rollback(True)
    check()
    record(f"bad input examples: {name}", len(seen))
    assert seen  # hypothesis ran the examples


def test_bad_input_pledge_form(client, scene, unit_officer):
    from emulation.models import IndividualRegistration, Pledge, PledgeTarget

    pledge = scene["pledge"]
    client.force_login(unit_officer)
    valid = pledge_post(pledge)
    fields = [name for name in valid if not name.startswith("reg-")] + ["reg-TOTAL_FORMS"]

    run_property(
        client,
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        valid,
        [Pledge, PledgeTarget, IndividualRegistration],
        fields,
        "pledge form",
    )


def test_bad_input_self_assessment_form(client, scene, unit_officer):
    from emulation.models import Submission

    submission = scene["submission"]
    client.force_login(unit_officer)
    valid = {"version": submission.version, "summary": "Tốt", "action": "save"}
    for row in submission.self_scores.select_related("criterion"):
        valid[f"achieved_{row.criterion_id}"] = "1"
        valid[f"points_{row.criterion_id}"] = "1"
        valid[f"achievement_{row.criterion_id}"] = ""

    run_property(
        client,
        reverse("emulation:submission-edit", kwargs={"pk": submission.pk}),
        valid,
        [Submission, SelfScore],
        list(valid),
        "self-assessment form",
    )


def test_bad_input_scoring_form(client, scene, org, unit_officer, secretary):
    from emulation.models import Score

    submission = scene["submission"]
    SelfScore.objects.filter(submission=submission).update(achieved_value=Decimal(1), points=Decimal(1))
    submit_submission(submission, actor=unit_officer)
    member = make_persona("scorer", [Role.COMMITTEE_MEMBER], UnitFactory(code="ELSE", parent=org.dept))
    assign_scorer(submission, member=member, actor=secretary)
    client.force_login(member)
    valid = {"action": "save"}
    for row in submission.self_scores.all():
        valid[f"points_{row.criterion_id}"] = "1"
        valid[f"comment_{row.criterion_id}"] = ""
        valid[f"version_{row.criterion_id}"] = "0"

    run_property(
        client,
        reverse("emulation:scoring-form", kwargs={"pk": submission.pk}),
        valid,
        [Score],
        list(valid),
        "scoring form",
    )


def test_bad_input_review_actions(client, scene, secretary, unit_officer):
    from emulation.models import Pledge

    pledge = scene["pledge"]
    client.force_login(unit_officer)
    submitted = client.post(
        reverse("emulation:pledge-edit", kwargs={"pk": pledge.pk}),
        {**pledge_post(pledge), "action": "submit"},
    )
    assert submitted.status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).state == "submitted"  # the review forms are on its page
    client.force_login(secretary)
    actions: list[tuple[str, dict]] = [
        (reverse("emulation:pledge-return", kwargs={"pk": pledge.pk}), {"reason": "Bổ sung"}),
        (
            reverse("emulation:pledge-reopen", kwargs={"pk": pledge.pk}),
            {"reason": "Mở lại", "until": "2027-01-10"},
        ),
    ]
    for url, valid in actions:
        run_property(client, url, valid, [Pledge], list(valid), "pledge review actions")


def test_bad_input_never_500_on_unknown_ids(client, scene, secretary):
    client.force_login(secretary)
    names: list[tuple[str, Callable]] = [
        ("emulation:pledge-detail", lambda pk: {"pk": pk}),
        ("emulation:submission-detail", lambda pk: {"pk": pk}),
        ("units:unit-detail", lambda pk: {"pk": pk}),
        ("units:staff-detail", lambda pk: {"pk": pk}),
    ]
    statuses = [
        client.get(reverse(name, kwargs=kwargs(pk))).status_code
        for name, kwargs in names
        for pk in (0, 999_999_999, 2**62)
    ]

    assert set(statuses) == {404}

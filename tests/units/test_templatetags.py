"""The `num` filter that every page uses to show points, targets and amounts."""

import pytest
from django.template import Context, Template
from django.utils import translation


def _render(value, argument: str = "") -> str:
    template = Template("{% load units_tags %}{{ value|num" + (f':"{argument}"' if argument else "") + " }}")
    with translation.override("vi"):
        return template.render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "argument", "shown"),
    [("98.50", "", "98,5"), ("1500000", "g", "1.500.000"), ("7.00", "", "7"), (None, "", ""), ("", "", "")],
)
def test_templatetags_num_shows_numbers_in_vietnamese(value, argument, shown):
    assert _render(value, argument) == shown


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "abc"])
def test_templatetags_num_shows_what_is_not_a_finite_number_as_given(value):
    # "NaN" used to reach number_format and raise InvalidOperation: the page answered 500.
    assert _render(value) == value

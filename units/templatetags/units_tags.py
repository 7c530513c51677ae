"""Template helpers shared by every app's templates."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from units.audit import action_label

register = template.Library()


@register.filter
def audit_action(action: str):
    """The readable name of an audit action code ("pledge.submitted" -> "Submitted")."""
    return action_label(action)


@register.filter
def num(value, grouping: str = ""):
    """A number in the active language without trailing zeros: 98.50 -> "98,5" in Vietnamese.

    `{{ value|num:"g" }}` also groups thousands: 1500000 -> "1.500.000".
    """
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if not number.is_finite():  # "NaN", "Infinity": shown as given, not formatted
        return value
    normalized = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    exponent = normalized.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(normalized, decimal_pos=places, use_l10n=True, force_grouping=grouping == "g")


@register.filter
def person(user) -> str:
    """How a person is named on a page: the full name, else the username; "" when nobody is set.

    Records loaded in bulk (the demo, an import) have no submitter or author, so templates name
    people through this filter: `{{ a|default:b.username }}` raises when `b` is empty.
    """
    if user is None:
        return ""
    return user.get_full_name() or user.username

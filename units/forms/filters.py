"""Filters of the units lists (django-filter), restricted to what the user may see."""

import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from units.enums import Gender, Position
from units.models import Staff, Unit

# `?order=` of the staff list: each ends on the primary key, so pages never overlap or skip a row.
STAFF_ORDERINGS = {
    "name": ("full_name", "pk"),
    "-name": ("-full_name", "-pk"),
    "code": ("staff_code",),
    "-code": ("-staff_code",),
    "unit": ("unit__code", "full_name", "pk"),
}
STAFF_ORDER_CHOICES = [
    ("name", _("Name (A to Z)")),
    ("-name", _("Name (Z to A)")),
    ("code", _("Staff code (ascending)")),
    ("-code", _("Staff code (descending)")),
    ("unit", _("Unit code, then name")),
]


class StaffFilter(django_filters.FilterSet):
    """Staff list filters, kept in the URL: search by name or code, unit, gender, position, order.

    The unit is chosen by search, never from a list of every unit: `unit_q` is a text (code or
    name, accents ignored) that keeps the people of the units matching it; `unit` is the id of one
    unit picked among the suggestions (`units.queries.unit_suggestions`), keeping that unit and the
    units below it. When both are sent, the text wins (the user typed it after picking). The
    queryset of `unit` is the user's scope, so another unit's id is an invalid choice, not a leak.
    """

    q = django_filters.CharFilter(label=_("Name or staff code"), method="filter_search")
    unit_q = django_filters.CharFilter(label=_("Unit (code or name)"), method="filter_unit_text")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and the units below it)"),
        queryset=Unit.objects.none(),
        method="filter_unit",
        widget=forms.HiddenInput,
    )
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices, empty_label=_("All"))
    position = django_filters.ChoiceFilter(
        label=_("Position"), choices=Position.choices, empty_label=_("All")
    )
    order = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=STAFF_ORDER_CHOICES, empty_label=None, method="filter_order"
    )

    class Meta:
        model = Staff
        fields = ["q", "unit_q", "unit", "gender", "position", "order"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user).only("pk", "code", "name", "path")
        self.form.fields["q"].widget = forms.TextInput(attrs={"placeholder": _("e.g. nguyen van an")})
        # Suggestions as the user types (htmx); without JavaScript the text filters on submit.
        self.form.fields["unit_q"].widget = forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. KV01 or noi bai"),
                "autocomplete": "off",
                "hx-get": reverse_lazy("units:staff-unit-options"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#unit-options",
                "hx-include": "closest form",
                "hx-sync": "this:replace",
                "aria-controls": "unit-options",
            }
        )

    def unit_text(self) -> str:
        """The unit text the user typed, when the form is valid (empty otherwise)."""
        return (self.form.cleaned_data.get("unit_q") or "").strip() if self.form.is_valid() else ""

    def chosen_unit(self) -> Unit | None:
        """The unit picked among the suggestions, unless a typed unit text replaces it."""
        if not self.is_bound or not self.form.is_valid() or self.unit_text():
            return None
        return self.form.cleaned_data.get("unit")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_unit_text(self, queryset, name, value):
        return queryset.in_units_matching(value)

    def filter_unit(self, queryset, name, value):
        if not value or self.form.cleaned_data.get("unit_q", "").strip():
            return queryset
        return queryset.filter(unit__path__startswith=value.path)

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*STAFF_ORDERINGS.get(value, STAFF_ORDERINGS["name"]))

"""Filters of the units lists (django-filter), restricted to what the user may see."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from units.enums import Gender, Position
from units.models import Staff, Unit


class StaffFilter(django_filters.FilterSet):
    """Staff list filters: search by name or code (without diacritics), unit subtree, gender, position."""

    q = django_filters.CharFilter(label=_("Name or staff code"), method="filter_search")
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit (and the units below it)"), queryset=Unit.objects.none(), method="filter_unit"
    )
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices, empty_label=_("All"))
    position = django_filters.ChoiceFilter(
        label=_("Position"), choices=Position.choices, empty_label=_("All")
    )

    class Meta:
        model = Staff
        fields = ["q", "unit", "gender", "position"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user).only("pk", "name", "path", "depth")
        self.form.fields["q"].widget = forms.TextInput(attrs={"placeholder": _("e.g. nguyen van an")})

    def read_options(self) -> None:
        """Read the unit options now, once, for a page that shows the form: not while the template
        renders it (the queryset above still checks a submitted unit). Exports never call it."""
        field = self.form.fields["unit"]
        options = [(unit.pk, str(unit)) for unit in field.queryset]
        field.widget.choices = (
            [("", field.empty_label), *options] if field.empty_label is not None else options
        )

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

"""The filters of the eligibility list (awards:eligibility-list and its export)."""

from __future__ import annotations

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from emulation.enums import COLLECTIVE_TITLES, INDIVIDUAL_TITLES, Title
from units.models import Unit

PERSON = "person"
UNIT = "unit"
YES = "yes"
NO = "no"


@dataclass(frozen=True)
class EligibilityFilters:
    """The filters in force: the valid ones asked for, the defaults for the rest."""

    year: int
    unit: Unit | None = None
    kind: str | None = None  # "person", "unit" or None for both
    title: str | None = None
    qualifies: bool | None = None


class EligibilityFilterForm(forms.Form):
    """Year, unit subtree, staff or units, a title and whether it is met. A value that is not
    valid is reported next to its field and left out; the list still shows."""

    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Choose a year of the list; the latest finished year is shown.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (and the units below it)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Whole organisation"),
        error_messages={"invalid_choice": _("Choose a unit of the list; the whole organisation is shown.")},
    )
    kind = forms.ChoiceField(
        label=_("Staff or units"),
        required=False,
        choices=[("", _("Both")), (PERSON, _("Staff members")), (UNIT, _("Units"))],
        error_messages={"invalid_choice": _("Choose staff members, units or both.")},
    )
    title = forms.ChoiceField(
        label=_("Title"),
        required=False,
        choices=[
            ("", _("Any")),
            (_("For staff members"), [(code, Title(code).label) for code in INDIVIDUAL_TITLES]),
            (_("For units"), [(code, Title(code).label) for code in COLLECTIVE_TITLES]),
        ],
        error_messages={"invalid_choice": _("Choose an emulation title of the list.")},
    )
    status = forms.ChoiceField(
        label=_("Qualifies"),
        required=False,
        choices=[("", _("All")), (YES, _("Qualifies")), (NO, _("Does not qualify"))],
        help_text=_("For the title chosen, or for any title when none is chosen."),
        error_messages={"invalid_choice": _("Choose whether the title is met.")},
    )

    def __init__(
        self, *args, years: list[int], default_year: int, home: Unit | None = None, **kwargs
    ) -> None:
        """`home`: a unit officer's unit; the units offered (and accepted) are its subtree."""
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        self.fields["year"].choices = [(year, year) for year in years]
        units = self.fields["unit"]
        offered = Unit.objects.filter(path__startswith=home.path) if home is not None else Unit.objects.all()
        units.queryset = offered.only("pk", "name", "code", "depth", "path").order_by("path")
        if home is not None:
            units.empty_label = home.name
        units.label_from_instance = lambda unit: f"{'– ' * unit.depth}{unit.name}"
        if not self.is_bound:
            self.initial.setdefault("year", default_year)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("year", css_class="col-6 col-md-2"),
                Column("unit", css_class="col-12 col-md-4"),
                Column("kind", css_class="col-6 col-md-2"),
                Column("title", css_class="col-6 col-md-2"),
                Column("status", css_class="col-6 col-md-2"),
            )
        )

    def read_options(self) -> None:
        """Read the unit options now, once, for the page that shows the form: not while the
        template renders it (the queryset still checks a submitted unit). The export never calls it."""
        units = self.fields["unit"]
        # iter(): list() of the iterator itself would first COUNT the rows for a length hint.
        units.widget.choices = list(iter(units.choices))  # the empty choice, then one query

    def clean(self):
        cleaned = super().clean()
        kind, title = cleaned.get("kind"), cleaned.get("title")
        if kind == PERSON and title in COLLECTIVE_TITLES:
            self.add_error("title", _("This title is for units; choose “Units” or “Both” above it."))
        elif kind == UNIT and title in INDIVIDUAL_TITLES:
            self.add_error("title", _("This title is for staff members; choose “Staff members” or “Both”."))
        return cleaned

    def filters(self) -> EligibilityFilters:
        """The valid filters (a field with an error is left out) and the default year."""
        if not self.is_bound:
            return EligibilityFilters(year=self.default_year)
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        status = data.get("status")
        return EligibilityFilters(
            year=data.get("year") or self.default_year,
            unit=data.get("unit"),
            kind=data.get("kind") or None,
            title=data.get("title") or None,
            qualifies={YES: True, NO: False}.get(status or ""),
        )

"""Forms of the emulation app: the pledge with its targets and registrations, and the review actions."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from emulation.enums import COLLECTIVE_TITLES, INDIVIDUAL_TITLES, Measure, Title
from emulation.forms.widgets import PlainCheckboxInput, PlainSelect, PlainTextInput
from emulation.models import Criterion, Pledge
from emulation.services import RegistrationInput, TargetInput
from units.models import Staff

TITLE_LABELS = dict(Title.choices)
MONEY_LIMIT = Decimal("1e16")
_NUMBER_TEXT = re.compile(r"^-?[\d.,\s]+$")
_WHOLE_NUMBER = re.compile(r"^-?(\d+|\d{1,3}([.,\s]\d{3})+)$")


def parse_number(text: str, *, whole: bool) -> Decimal:
    """Read a number typed the Vietnamese way or the English way.

    Whole numbers (counts, VND) may carry thousands separators: "1.250.000", "1,250,000" and
    "1 250 000" are all 1250000. Other numbers take one decimal separator, comma or point:
    "95,5" and "95.5" are both 95.5.
    """
    cleaned = text.strip().replace("\u00a0", " ")
    if not _NUMBER_TEXT.match(cleaned):
        raise ValidationError(_("Enter a number."), code="invalid")
    if whole:
        # Separators only between groups of three digits: "4,5" is not a whole number.
        if not _WHOLE_NUMBER.match(cleaned):
            raise ValidationError(_("Enter a whole number."), code="invalid")
        return Decimal(re.sub(r"[.,\s]", "", cleaned))
    compact = cleaned.replace(" ", "")
    if compact.count(",") + compact.count(".") > 1:
        raise ValidationError(
            _("Enter a number with at most one decimal separator, e.g. 95,5."), code="invalid"
        )
    try:
        return Decimal(compact.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None


class TargetField(forms.CharField):
    """A target in the criterion's own measure; cleans to Decimal (yes/no to 1 or 0) or None."""

    def __init__(self, criterion: Criterion, **kwargs) -> None:
        self.criterion = criterion
        kwargs.setdefault("required", False)
        if criterion.measure == Measure.YES_NO:
            kwargs["widget"] = PlainSelect(
                choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))], attrs={"class": "form-select"}
            )
        else:
            kwargs["widget"] = PlainTextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control text-end"}
            )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        criterion = self.criterion
        if criterion.measure == Measure.YES_NO:
            if value not in ("0", "1"):
                raise ValidationError(_("Choose yes or no."), code="invalid_choice")
            return Decimal(value)
        number = parse_number(value, whole=criterion.measure in (Measure.COUNT, Measure.MONEY))
        if number < 0:
            raise ValidationError(_("The target cannot be negative."), code="min_value")
        bound = criterion.target_upper_bound
        if bound is not None and number > bound:
            if criterion.measure == Measure.PERCENT:
                raise ValidationError(
                    _("A percentage target cannot be above %(bound)s %%.")
                    % {"bound": format(bound.normalize(), "f")},
                    code="max_value",
                )
            raise ValidationError(
                _("The target cannot be above %(bound)s.") % {"bound": format(bound.normalize(), "f")},
                code="max_value",
            )
        if criterion.measure == Measure.MONEY and number >= MONEY_LIMIT:
            raise ValidationError(_("This amount is too large."), code="max_value")
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimals."), code="max_decimal_places")
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            if self.criterion.measure == Measure.YES_NO:
                return "1" if value else "0"
            return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
        return value


class PledgeForm(forms.Form):
    """The title aimed for, one target and note per criterion, and the version read (for conflicts)."""

    version = forms.IntegerField(
        label=_("Version of the pledge you opened"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The page was incomplete. Reload it and enter your changes again."),
            "invalid": _("The page was incomplete. Reload it and enter your changes again."),
        },
    )
    collective_title = forms.ChoiceField(
        label=_("Collective title the unit aims for"),
        required=False,
        choices=[("", "—"), *[(code, TITLE_LABELS[code]) for code in COLLECTIVE_TITLES]],
        widget=PlainSelect(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, pledge: Pledge, criteria: list[Criterion], **kwargs) -> None:
        targets = {target.criterion_id: target for target in pledge.targets.all()}
        initial = {"version": pledge.version, "collective_title": pledge.collective_title}
        for criterion in criteria:
            target = targets.get(criterion.pk)
            initial[f"target_{criterion.pk}"] = target.value if target else None
            initial[f"note_{criterion.pk}"] = target.note if target else ""
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"target_{criterion.pk}"] = TargetField(criterion, label=criterion.title)
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                widget=PlainTextInput(attrs={"class": "form-control", "placeholder": _("Note (optional)")}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field("version"), Field("collective_title"))

    def clean_collective_title(self) -> str:
        return self.cleaned_data["collective_title"]

    def target_rows(self):
        """(task area, [(criterion, target field, note field)]) for the template, in table order."""
        rows: dict = {}
        for criterion in self.criteria:
            rows.setdefault(criterion.task_area, []).append(
                (criterion, self[f"target_{criterion.pk}"], self[f"note_{criterion.pk}"])
            )
        return list(rows.items())

    def target_inputs(self) -> dict[int, TargetInput]:
        return {
            criterion.pk: TargetInput(
                value=self.cleaned_data[f"target_{criterion.pk}"],
                note=self.cleaned_data[f"note_{criterion.pk}"].strip(),
            )
            for criterion in self.criteria
        }


class RegistrationForm(forms.Form):
    """One staff member's registration for an individual title.

    Its widgets render in Python (emulation.forms.widgets) and the page lays the row out itself
    (emulation/_registration_row.html), without crispy-forms' templates per field.
    """

    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=Staff.objects.none(),
        error_messages={"invalid_choice": _("Choose a staff member of this unit.")},
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    title = forms.ChoiceField(
        label=_("Title aimed for"),
        choices=[("", "—"), *Title.choices],
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    planned_initiative = forms.CharField(
        label=_("Planned initiative"),
        required=False,
        max_length=500,
        widget=PlainTextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, staff_queryset=None, staff_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["staff"].queryset = staff_queryset
        if staff_choices is not None:
            # The formset reads the options once for every row (bench: one query per row before).
            # Given to the widget only: the field validates against its queryset, and setting the
            # field's choices would normalise the whole list again for every row.
            self.fields["staff"].widget.choices = staff_choices

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        if title in COLLECTIVE_TITLES:
            raise ValidationError(
                _("“%(title)s” is a title for a collective; a person can aim for %(allowed)s.")
                % {
                    "title": TITLE_LABELS[title],
                    "allowed": ", ".join(str(TITLE_LABELS[t]) for t in INDIVIDUAL_TITLES),
                },
                code="collective_title",
            )
        return title


class BaseRegistrationFormSet(forms.BaseFormSet):
    def __init__(self, *args, staff_queryset=None, **kwargs) -> None:
        self.staff_queryset = staff_queryset
        super().__init__(*args, **kwargs)

    @cached_property
    def staff_choices(self) -> list | None:
        """The staff options of every row's select, read once in one query, labelled as
        `Staff.__str__` does (validation still checks the queryset)."""
        if self.staff_queryset is None:
            return None
        empty_label = self.form.base_fields["staff"].empty_label
        rows = self.staff_queryset.values_list("pk", "full_name", "staff_code")
        return [("", empty_label), *((pk, f"{name} ({code})") for pk, name, code in rows)]

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget = PlainCheckboxInput(attrs={"class": "form-check-input"})

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["staff_queryset"] = self.staff_queryset
        kwargs["staff_choices"] = self.staff_choices
        return kwargs

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            staff_queryset=self.staff_queryset,
            staff_choices=self.staff_choices,
        )
        self.add_fields(form, None)
        return form

    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            staff = form.cleaned_data["staff"]
            if staff.pk in seen:
                form.add_error("staff", _("This person is already registered above."))
            seen.add(staff.pk)

    def registration_inputs(self) -> list[RegistrationInput]:
        return [
            RegistrationInput(
                staff=form.cleaned_data["staff"],
                title=form.cleaned_data["title"],
                planned_initiative=form.cleaned_data["planned_initiative"].strip(),
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


RegistrationFormSet = forms.formset_factory(
    RegistrationForm,
    formset=BaseRegistrationFormSet,
    extra=3,
    can_delete=True,
    max_num=500,
    validate_max=True,
)


class ReturnPledgeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason so the unit knows what to fix.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReopenPledgeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason for reopening.")},
    )
    until = forms.DateField(
        label=_("Open for changes until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_reopen_%s")  # the return form shares the page: unique ids
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < timezone.localdate():
            raise ValidationError(_("Choose today or a later day."))
        return until

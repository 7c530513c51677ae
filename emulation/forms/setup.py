"""Forms of the secretary's setup pages: the movement, its task areas and criteria, its periods."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from emulation.enums import Measure
from emulation.models import Criterion, Movement, Period, TaskArea

# A movement runs within these years; anything else is a typing mistake.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Measures whose target a unit types as a number that can sensibly be capped.
MEASURES_WITH_TARGET_MAX = frozenset({Measure.PERCENT, Measure.COUNT, Measure.MONEY})
PERIOD_DATE_FIELDS = (
    "pledging_opens",
    "pledging_closes",
    "self_assessment_opens",
    "self_assessment_closes",
    "scoring_closes",
)


def _points_input() -> forms.TextInput:
    """Points typed either way, "2,5" or "2.5" (the fields are localised)."""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _helper(layout: Layout) -> FormHelper:
    """The templates write the <form> tag and buttons; crispy renders the fields and the CSRF token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = layout
    return helper


def _show_plain_numbers(form: forms.ModelForm, names: tuple[str, ...]) -> None:
    """Show stored points as 20 and 2,5 rather than 20,00 and 2,50."""
    for name in names:
        value = form.initial.get(name)
        if isinstance(value, Decimal):
            form.initial[name] = value.normalize()


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f")


class MovementForm(forms.ModelForm):
    class Meta:
        model = Movement
        fields = [
            "title",
            "theme",
            "start_year",
            "end_year",
            "launched_on",
            "description",
            "total_points",
            "bonus_limit",
        ]
        localized_fields = ["total_points", "bonus_limit"]
        widgets = {
            "theme": forms.Textarea(attrs={"rows": 2}),
            "launched_on": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "total_points": _points_input(),
            "bonus_limit": _points_input(),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _show_plain_numbers(self, ("total_points", "bonus_limit"))
        self.fields["launched_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        self.fields["launched_on"].help_text = _("Day/month/year, e.g. 20/08/2020.")
        self.helper = _helper(
            Layout(
                Field("title"),
                Field("theme"),
                Row(Column("start_year"), Column("end_year"), Column("launched_on")),
                Field("description"),
                Row(Column("total_points"), Column("bonus_limit")),
            )
        )

    def _clean_year(self, name: str) -> int:
        year = self.cleaned_data[name]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError(
                _("Enter a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
                code="year_range",
            )
        return year

    def clean_start_year(self) -> int:
        return self._clean_year("start_year")

    def clean_end_year(self) -> int:
        return self._clean_year("end_year")

    def clean_total_points(self) -> Decimal:
        total = self.cleaned_data["total_points"]
        if total <= 0:
            raise ValidationError(_("The scoring table must be worth more than 0 points."), code="min_value")
        return total

    def clean_bonus_limit(self) -> Decimal:
        limit = self.cleaned_data["bonus_limit"]
        if limit < 0:
            raise ValidationError(_("The limit cannot be negative; enter 0 for no bonus."), code="min_value")
        return limit

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if self.instance.pk and start and end and start <= end:
            outside = list(
                self.instance.periods.exclude(year__range=(start - 1, end + 1))
                .order_by("year")
                .values_list("year", flat=True)
            )
            if outside:
                self.add_error(
                    "end_year" if outside[-1] > end else "start_year",
                    _(
                        "The movement already has periods for %(years)s; a period may be at most one year before the first year or after the last."
                    )
                    % {"years": ", ".join(str(year) for year in outside)},
                )
        return cleaned


class TaskAreaForm(forms.ModelForm):
    """The title, description and points of a task area; its number is fixed."""

    class Meta:
        model = TaskArea
        fields = ["title", "description", "max_points"]
        localized_fields = ["max_points"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "max_points": _points_input()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _show_plain_numbers(self, ("max_points",))
        self.helper = _helper(Layout(Field("title"), Field("description"), Field("max_points")))

    def clean_max_points(self) -> Decimal:
        points = self.cleaned_data["max_points"]
        total = self.instance.movement.total_points
        if points > total:
            raise ValidationError(
                _("A task area cannot be worth more than the whole scoring table (%(total)s points).")
                % {"total": _points(total)},
                code="max_value",
            )
        return points


class CriterionForm(forms.ModelForm):
    """A criterion of one task area. Its measure is fixed once units have pledged targets for it."""

    class Meta:
        model = Criterion
        fields = ["code", "title", "order", "max_points", "measure", "direction", "target_max", "guidance"]
        localized_fields = ["max_points", "target_max"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "max_points": _points_input(),
            "target_max": _points_input(),
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, task_area: TaskArea, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task_area = task_area
        self.instance.task_area = task_area
        _show_plain_numbers(self, ("max_points", "target_max"))
        self.fields["target_max"].help_text = _(
            "Only for percentages, counts and amounts. Leave empty for the usual limit (100 for a percentage)."
        )
        if self.instance.pk is None:
            last = task_area.criteria.aggregate(last=Max("order"))["last"]
            self.initial.setdefault("order", 1 if last is None else last + 1)
        elif self.instance.targets.exists():
            self.fields["measure"].disabled = True
            self.fields["measure"].help_text = _(
                "Units have already pledged targets in this measure, so it can no longer be changed."
            )
        self.helper = _helper(
            Layout(
                Row(Column("code", css_class="col-md-3"), Column("title", css_class="col-md-9")),
                Row(Column("measure"), Column("direction")),
                Row(Column("max_points"), Column("target_max"), Column("order")),
                Field("guidance"),
            )
        )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = Criterion.objects.filter(task_area=self.task_area, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("Task area %(number)s already has a criterion %(code)s. Choose another code.")
                % {"number": self.task_area.number, "code": code},
                code="unique",
            )
        return code

    def clean_max_points(self) -> Decimal:
        points = self.cleaned_data["max_points"]
        if points > self.task_area.max_points:
            raise ValidationError(
                _("A criterion cannot be worth more than its task area (%(max)s points).")
                % {"max": _points(self.task_area.max_points)},
                code="max_value",
            )
        return points

    def clean_target_max(self) -> Decimal | None:
        target_max = self.cleaned_data["target_max"]
        if target_max is not None and target_max <= 0:
            raise ValidationError(
                _("The highest acceptable target must be more than 0, or left empty."), code="min_value"
            )
        return target_max

    def clean(self):
        cleaned = super().clean()
        measure, target_max = cleaned.get("measure"), cleaned.get("target_max")
        if measure and target_max is not None and measure not in MEASURES_WITH_TARGET_MAX:
            self.add_error(
                "target_max",
                ValidationError(
                    _(
                        "A highest acceptable target only applies to percentages, counts and amounts; leave it empty for “%(measure)s”."
                    )
                    % {"measure": Measure(measure).label},
                    code="not_applicable",
                ),
            )
        return cleaned


class PeriodForm(forms.ModelForm):
    """A year of a movement and its five phase dates. The movement is fixed once units have pledged."""

    class Meta:
        model = Period
        fields = ["movement", "year", *PERIOD_DATE_FIELDS]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in PERIOD_DATE_FIELDS
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in PERIOD_DATE_FIELDS:
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["movement"].empty_label = None
        self.fields["year"].help_text = _(
            "From the year before the movement's first year to the year after its last."
        )
        if self.instance.pk and self.instance.pledges.exists():
            self.fields["movement"].disabled = True
            self.fields["movement"].help_text = _(
                "Units have already pledged in this period, so it stays with its movement."
            )
        self.helper = _helper(
            Layout(
                Row(Column("movement", css_class="col-md-9"), Column("year", css_class="col-md-3")),
                Row(Column("pledging_opens"), Column("pledging_closes")),
                Row(Column("self_assessment_opens"), Column("self_assessment_closes")),
                Row(Column("scoring_closes", css_class="col-md-6")),
            )
        )

    def clean(self):
        cleaned = super().clean()
        movement, year = cleaned.get("movement"), cleaned.get("year")
        if movement is None or year is None:
            return cleaned
        first, last = movement.start_year - 1, movement.end_year + 1
        if not first <= year <= last:
            self.add_error(
                "year",
                ValidationError(
                    _(
                        "The year must be between %(first)s and %(last)s: the movement's years, the year before (preparation) and the year after (wrap-up)."
                    )
                    % {"first": first, "last": last},
                    code="year_range",
                ),
            )
        elif Period.objects.filter(movement=movement, year=year).exclude(pk=self.instance.pk).exists():
            self.add_error(
                "year",
                ValidationError(
                    _("The movement already has a period for %(year)s. Edit that period instead.")
                    % {"year": year},
                    code="unique",
                ),
            )
        return cleaned

"""Forms of the self-assessment: achieved values, self-scores and texts per criterion, and evidence uploads."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import ACCEPT_ATTRIBUTE, UploadRefused, check_uploaded_file
from emulation.enums import Measure
from emulation.forms.pledges import MONEY_LIMIT, TargetField, parse_number
from emulation.models import Criterion, SelfScore, Submission
from emulation.services.scoring import SelfScoreInput

# An achieved percentage may well exceed its target (revenue at 180 % of plan), but not by this much.
PERCENT_ACHIEVED_LIMIT = Decimal("1000")
TWO_PLACES = Decimal("0.01")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


class AchievedField(TargetField):
    """What the unit achieved, in the criterion's measure: may exceed the target, never negative.

    Reuses the pledge form's widget and number reading; only the bounds differ from a target's.
    """

    def clean(self, value):
        value = forms.CharField.clean(self, value)
        if value in (None, ""):
            return None
        measure = self.criterion.measure
        if measure == Measure.YES_NO:
            if value not in ("0", "1"):
                raise ValidationError(_("Choose yes or no."), code="invalid_choice")
            return Decimal(value)
        number = parse_number(value, whole=measure in (Measure.COUNT, Measure.MONEY))
        if number < 0:
            raise ValidationError(_("The achieved value cannot be negative."), code="min_value")
        if measure == Measure.PERCENT and number > PERCENT_ACHIEVED_LIMIT:
            raise ValidationError(
                _("A percentage above %(limit)s %% cannot be right; check the value.")
                % {"limit": _plain(PERCENT_ACHIEVED_LIMIT)},
                code="max_value",
            )
        if number >= MONEY_LIMIT:
            raise ValidationError(_("This number is too large."), code="max_value")
        if number != number.quantize(TWO_PLACES):
            raise ValidationError(_("Use at most two decimals."), code="max_decimal_places")
        return number


class SelfScoreField(forms.CharField):
    """The unit's own points for a criterion: 0 to the criterion's maximum, at most two decimals."""

    def __init__(self, criterion: Criterion, **kwargs) -> None:
        self.criterion = criterion
        kwargs.setdefault("required", False)
        kwargs["widget"] = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control text-end"}
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        number = parse_number(value, whole=False)
        if number < 0:
            raise ValidationError(_("The self-score cannot be negative."), code="min_value")
        if number > self.criterion.max_points:
            raise ValidationError(
                _("The self-score cannot be above %(max)s, the criterion's maximum.")
                % {"max": _plain(self.criterion.max_points)},
                code="max_value",
            )
        if number != number.quantize(TWO_PLACES):
            raise ValidationError(_("Use at most two decimals, e.g. 7,25."), code="max_decimal_places")
        return number

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return _plain(value)
        return value


class SubmissionForm(forms.Form):
    """The whole self-assessment: per criterion the achieved value, self-score and what was done."""

    version = forms.IntegerField(
        label=_("Version of the self-assessment you opened"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The page was incomplete. Reload it and enter your changes again."),
            "invalid": _("The page was incomplete. Reload it and enter your changes again."),
        },
    )
    summary = forms.CharField(
        label=_("Summary of the year's achievements"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, submission: Submission, self_scores: list[SelfScore], **kwargs) -> None:
        initial = {"version": submission.version, "summary": submission.summary}
        for row in self_scores:
            initial[f"achieved_{row.criterion_id}"] = row.achieved_value
            initial[f"points_{row.criterion_id}"] = row.points
            initial[f"achievement_{row.criterion_id}"] = row.achievement
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.criteria = [row.criterion for row in self_scores]
        for criterion in self.criteria:
            self.fields[f"achieved_{criterion.pk}"] = AchievedField(criterion, label=_("Achieved"))
            self.fields[f"points_{criterion.pk}"] = SelfScoreField(criterion, label=_("Self-score"))
            self.fields[f"achievement_{criterion.pk}"] = forms.CharField(
                label=_("What was achieved"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field("version"), Field("summary"))

    def fields_of(self, criterion: Criterion) -> tuple:
        """The bound (achieved, self-score, achievement) fields of one criterion."""
        return (
            self[f"achieved_{criterion.pk}"],
            self[f"points_{criterion.pk}"],
            self[f"achievement_{criterion.pk}"],
        )

    def entries(self) -> dict[int, SelfScoreInput]:
        return {
            criterion.pk: SelfScoreInput(
                achieved_value=self.cleaned_data[f"achieved_{criterion.pk}"],
                points=self.cleaned_data[f"points_{criterion.pk}"],
                achievement=self.cleaned_data[f"achievement_{criterion.pk}"].strip(),
            )
            for criterion in self.criteria
        }


class EvidenceForm(forms.Form):
    """One file for one criterion (or the whole self-assessment), checked by its content.

    On the edit page each criterion has its own small form; `form_id` ties the inputs, which sit
    inside the big form's layout, to that separate form element (HTML `form` attribute).
    """

    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the content check names the file in its message
        error_messages={"required": _("Choose a file to upload."), "missing": _("Choose a file to upload.")},
    )
    criterion = forms.ModelChoiceField(
        label=_("Criterion"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This criterion is not part of this self-assessment.")},
    )

    def __init__(self, *args, criteria=None, form_id: str = "", **kwargs) -> None:
        if form_id:
            kwargs.setdefault("auto_id", f"id_{form_id}_%s")
        super().__init__(*args, **kwargs)
        if criteria is not None:
            self.fields["criterion"].queryset = criteria
        self.form_id = form_id
        self.checked = None
        self.fields["file"].widget.attrs.update({"accept": ACCEPT_ATTRIBUTE, "class": "form-control"})
        if form_id:
            self.fields["file"].widget.attrs["form"] = form_id
            self.fields["criterion"].widget.attrs["form"] = form_id
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_uploaded_file(upload, max_bytes=settings.UPLOAD_MAX_MB * 1024 * 1024)
        except UploadRefused as error:
            raise ValidationError(str(error), code="bad_file") from None
        return upload

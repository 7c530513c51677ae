"""Forms of committee scoring: a member's points and comments for every criterion, and returning a file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from emulation.forms.pledges import parse_number
from emulation.forms.widgets import PlainHiddenInput, PlainTextarea, PlainTextInput
from emulation.models import Criterion, Score

TWO_PLACES = Decimal("0.01")
COMMENT_MAX_LENGTH = 2000


def _plain(value: Decimal) -> str:
    """A Decimal as typed by a person: 7.50 -> "7.5", 10.00 -> "10"."""
    return format(value.normalize(), "f") if value == value.to_integral() else f"{value:f}".rstrip("0")


class ScorePointsField(forms.CharField):
    """A member's points for one criterion: 0 to the criterion's maximum, at most two decimals.

    Empty means "not scored yet". Comma and point are both accepted as the decimal separator.
    """

    def __init__(self, criterion: Criterion, **kwargs) -> None:
        self.criterion = criterion
        kwargs.setdefault("required", False)
        kwargs["widget"] = PlainTextInput(
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "class": "form-control text-end",
                "data-score-points": "",
            }
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        number = parse_number(value, whole=False)
        if number < 0:
            raise ValidationError(_("Points cannot be negative."), code="min_value")
        if number > self.criterion.max_points:
            raise ValidationError(
                _("Points cannot be above %(max)s, the criterion's maximum.")
                % {"max": _plain(self.criterion.max_points)},
                code="max_value",
            )
        if number != number.quantize(TWO_PLACES):
            raise ValidationError(_("Use at most two decimals, e.g. 7,25."), code="max_decimal_places")
        return number

    def prepare_value(self, value):
        # Shown with the active language's decimal separator ("7,5" in Vietnamese), never grouped:
        # parse_number reads a point or a comma back as the decimal separator.
        if isinstance(value, Decimal):
            return _plain(value).replace(".", get_format("DECIMAL_SEPARATOR"))
        return value


@dataclass(frozen=True)
class ScoreEntry:
    """What the member typed for one criterion, and the version of its score it saw (0: none)."""

    criterion: Criterion
    points: Decimal
    comment: str
    version: int


class ScoringForm(forms.Form):
    """The member's points and comment for every criterion, with the version of each score it saw.

    `scores` are the member's saved scores by criterion id. A criterion left empty is not scored
    yet; a score once saved cannot be emptied again (the service keeps every score).
    """

    def __init__(self, *args, criteria: list[Criterion], scores: dict[int, Score], **kwargs) -> None:
        initial = {}
        for criterion in criteria:
            score = scores.get(criterion.pk)
            initial[f"points_{criterion.pk}"] = score.points if score else None
            initial[f"comment_{criterion.pk}"] = score.comment if score else ""
            initial[f"version_{criterion.pk}"] = score.version if score else 0
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.scores = scores
        for criterion in criteria:
            self.fields[f"points_{criterion.pk}"] = ScorePointsField(
                criterion,
                label=_("Your points (0–%(max)s)") % {"max": _plain(criterion.max_points)},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Your comment"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=PlainTextarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.fields[f"version_{criterion.pk}"] = forms.IntegerField(
                label=_("Version of your score for %(code)s") % {"code": criterion.code},
                min_value=0,
                widget=PlainHiddenInput,
                error_messages={
                    "required": _("The page was incomplete. Reload it and enter your points again."),
                    "invalid": _("The page was incomplete. Reload it and enter your points again."),
                },
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            points_name = f"points_{criterion.pk}"
            if points_name in self.errors:
                continue
            points = cleaned.get(points_name)
            version = cleaned.get(f"version_{criterion.pk}")
            comment = (cleaned.get(f"comment_{criterion.pk}") or "").strip()
            if points is None and version:
                # The member saw a saved score and emptied the field.
                self.add_error(
                    points_name,
                    ValidationError(
                        _("Your score is already saved and cannot be removed; enter 0 to give no points."),
                        code="required",
                    ),
                )
            elif points is None and comment:
                self.add_error(
                    points_name,
                    ValidationError(_("Enter the points to save your comment."), code="required"),
                )
        return cleaned

    def prepare_for_display(self) -> None:
        """Mark the fields with errors, and put the cursor on the first of them, else on the first
        empty points field (where the member left off)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        names = [f"points_{criterion.pk}" for criterion in self.criteria]
        if self.is_bound:
            target = next((name for name in names if name in self.errors), None)
        else:
            target = next((name for name in names if self.initial.get(name) is None), None)
        if target is not None:
            self.fields[target].widget.attrs["autofocus"] = True

    def fields_of(self, criterion: Criterion) -> tuple:
        """The bound (points, comment, version) fields of one criterion."""
        return (
            self[f"points_{criterion.pk}"],
            self[f"comment_{criterion.pk}"],
            self[f"version_{criterion.pk}"],
        )

    def _entry(self, criterion: Criterion) -> ScoreEntry | None:
        points = self.cleaned_data[f"points_{criterion.pk}"]
        if points is None:
            return None
        return ScoreEntry(
            criterion=criterion,
            points=points,
            comment=self.cleaned_data[f"comment_{criterion.pk}"].strip(),
            version=self.cleaned_data[f"version_{criterion.pk}"],
        )

    def changed_entries(self) -> list[ScoreEntry]:
        """The filled-in criteria whose points or comment differ from the member's saved score."""
        entries = []
        for criterion in self.criteria:
            entry = self._entry(criterion)
            if entry is None:
                continue
            score = self.scores.get(criterion.pk)
            if score is None or score.points != entry.points or score.comment != entry.comment:
                entries.append(entry)
        return entries

    def filled_entries(self) -> list[ScoreEntry]:
        """Every filled-in criterion (used to confirm unchanged scores after a resubmission)."""
        return [entry for entry in map(self._entry, self.criteria) if entry is not None]

    def is_complete(self) -> bool:
        """True when every criterion has points."""
        return all(self.cleaned_data.get(f"points_{criterion.pk}") is not None for criterion in self.criteria)


class ReturnSubmissionForm(forms.Form):
    """The reason a scorer returns a self-assessment to its unit for supplements."""

    reason = forms.CharField(
        label=_("What the unit must supplement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason so the unit knows what to supplement.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

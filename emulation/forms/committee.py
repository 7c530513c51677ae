"""Forms of the committee secretary: scorers, bonuses and deductions, scoring settings, reopening."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from emulation.enums import AdjustmentKind, Aggregation
from emulation.forms.pledges import parse_number
from emulation.models import Submission
from emulation.services.scoring import committee_members
from units.models import Staff, Unit

# More scorers than this per self-assessment is a typing mistake, not a committee.
MAX_SCORERS_PER_SUBMISSION = 15
# The points column holds 6 digits with 2 decimals; the movement's limit is checked by the service.
MAX_POINTS = Decimal("10000")


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


def member_label(user) -> str:
    """A member as the secretary recognises it: full name, login, and the unit it works in."""
    staff = getattr(user, "staff", None)
    name = user.get_full_name() or (staff.full_name if staff is not None else "") or user.get_username()
    unit = staff.unit if staff is not None and staff.unit_id else None
    label = f"{name} ({user.get_username()})"
    return f"{label} – {unit.name}" if unit is not None else label


def members_with_conflict_flag(unit: Unit):
    """Active committee members, each with `has_conflict`: it works in the unit, above or below it.

    One query: the conflict comes from the member's staff record and the unit tree, the same rule
    as `units.permissions.has_conflict_of_interest`.
    """
    related = Unit.objects.related_to(unit)
    in_conflict = Staff.objects.filter(user=OuterRef("pk"), unit__in=related)
    return (
        committee_members()
        .select_related("staff__unit")
        .annotate(has_conflict=Exists(in_conflict))
        .order_by("last_name", "first_name", "username")
    )


class AssignScorerForm(forms.Form):
    """Choose a committee member to score a self-assessment.

    The list offers only members without a conflict of interest who are not yet assigned; the
    members in conflict are exposed as `conflicted` so the page can name them. A posted member in
    conflict (an old page, a crafted request) is refused with a message next to the field.
    """

    member = forms.ModelChoiceField(
        label=_("Committee member"),
        queryset=committee_members().none(),
        error_messages={
            "required": _("Choose the committee member who will score."),
            "invalid_choice": _("Choose one of the committee members in the list."),
        },
    )

    def __init__(self, *args, submission: Submission, assigned_ids: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.assigned_ids = assigned_ids
        queryset = members_with_conflict_flag(submission.unit)
        members = list(queryset)
        self.conflicted = [member for member in members if member.has_conflict]
        self.available = [
            member for member in members if not member.has_conflict and member.pk not in assigned_ids
        ]
        field = self.fields["member"]
        field.queryset = queryset
        # The choices come from the list already read: no second query to render the select.
        field.choices = [("", "—"), *[(member.pk, member_label(member)) for member in self.available]]
        self.helper = _helper()

    def clean_member(self):
        member = self.cleaned_data["member"]
        if member.has_conflict:
            raise ValidationError(
                _(
                    "%(name)s works in %(unit)s or in a unit above or below it, and cannot score this self-assessment. Choose another member."
                ),
                code="conflict_of_interest",
                params={
                    "name": member.get_full_name() or member.get_username(),
                    "unit": self.submission.unit.name,
                },
            )
        if member.pk in self.assigned_ids:
            raise ValidationError(
                _("%(name)s already scores this self-assessment."),
                code="already_assigned",
                params={"name": member.get_full_name() or member.get_username()},
            )
        return member


class AdjustmentForm(forms.Form):
    """A bonus or a deduction with its reason; the movement's limit is checked by the service."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AdjustmentKind.choices)
    points = forms.CharField(
        label=_("Points"),
        max_length=12,
        help_text=_("For example 2 or 2,5."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Enter the points.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the bonus or deduction.")},
    )

    def clean_points(self) -> Decimal:
        points = parse_number(self.cleaned_data["points"], whole=False)
        if points <= 0:
            raise ValidationError(
                _("Enter points above 0; choose “Deduction” to take points away."), code="min_value"
            )
        if points != points.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimals."), code="max_decimal_places")
        if points >= MAX_POINTS:
            raise ValidationError(_("This is far beyond any bonus or deduction."), code="max_value")
        return points

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "adj")
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Layout(
                Row(Column("kind", css_class="col-sm-6"), Column("points", css_class="col-sm-6")),
                Field("reason"),
            )
        )


class ScoringSettingsForm(forms.Form):
    """How the members' scores are combined; read-only once the period is finalised."""

    aggregation = forms.ChoiceField(label=_("How members' scores are combined"), choices=Aggregation.choices)
    normalise_scores = forms.BooleanField(
        label=_("Normalise each member's scores"),
        required=False,
        help_text=_(
            "Each member's scores are rescaled to the panel's mean and spread before they are combined, to even out lenient and strict scorers."
        ),
    )
    scorers_per_submission = forms.IntegerField(
        label=_("Scorers per self-assessment"),
        min_value=1,
        max_value=MAX_SCORERS_PER_SUBMISSION,
        error_messages={
            "min_value": _("At least one member must score each self-assessment."),
            "max_value": _("At most %(limit_value)s members can score one self-assessment."),
        },
    )

    def __init__(self, *args, period, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "aggregation": period.aggregation,
                "normalise_scores": period.normalise_scores,
                "scorers_per_submission": period.scorers_per_submission,
            },
        )
        kwargs.setdefault("prefix", "settings")
        super().__init__(*args, **kwargs)
        if period.is_finalised:
            for field in self.fields.values():
                field.disabled = True
        self.helper = _helper(
            Layout(
                Row(
                    Column("aggregation", css_class="col-md-6"),
                    Column("scorers_per_submission", css_class="col-md-6"),
                ),
                Field("normalise_scores"),
            )
        )


class ReopenPeriodForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason for reopening the period; it is kept in the history.")
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "reopen")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

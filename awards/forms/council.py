"""Forms of the council: a session with its seats, attendance, a ballot, an absent member's written vote."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.enums import NominationState, VoteChoice
from awards.models import Nomination
from awards.services.council import member_label, seat_candidates

FIRST_YEAR = 2000
User = get_user_model()


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return member_label(obj)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    year = forms.IntegerField(
        label=_("Year of the achievements voted on"),
        error_messages={"invalid": _("Enter a year such as 2025.")},
    )
    held_on = forms.DateField(
        label=_("Held on"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
    )
    members = MemberChoiceField(
        label=_("Members seated"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Committee members, the secretary and leaders. The vote thresholds count every member seated."
        ),
        error_messages={
            "required": _("Seat at least one council member."),
            "invalid_choice": _("Only committee members, the secretary and leaders can be seated."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = seat_candidates()
        today = timezone.localdate()
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": today.year})
        if not self.is_bound:
            self.initial.setdefault("year", today.year - 1)
            self.initial.setdefault("held_on", today)
        self.helper = _helper(
            Layout(
                Field("title"),
                Row(Column("year", css_class="col-md-6"), Column("held_on", css_class="col-md-6")),
                Field("members"),
            )
        )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not FIRST_YEAR <= year <= last:
            raise ValidationError(
                _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last},
                code="out_of_range",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        year, held_on = cleaned.get("year"), cleaned.get("held_on")
        if year and held_on and held_on.year < year:
            self.add_error("held_on", _("The council meets after the year it votes on, not before."))
        return cleaned


class AttendanceForm(forms.Form):
    present = MemberChoiceField(
        label=_("Present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": _("Only the members seated in this session can be marked present.")
        },
    )

    def __init__(self, *args, seats, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = User.objects.filter(
            pk__in=[seat.member_id for seat in seats]
        ).order_by("last_name", "first_name", "username")
        if not self.is_bound:
            self.initial["present"] = [seat.member_id for seat in seats if seat.attended]
        self.helper = _helper()


class AgendaItemForm(forms.Form):
    """A member's answer about one nomination of the session's agenda (a vote, a recusal): the
    nomination must be on this agenda and still before the council."""

    nomination = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, nominations=None, form_id: str = "", **kwargs) -> None:
        if form_id:
            kwargs.setdefault("auto_id", f"id_{form_id}_%s")
        super().__init__(*args, **kwargs)
        self.nominations = {nomination.pk: nomination for nomination in nominations or ()}
        self.helper = _helper()

    def clean_nomination(self) -> Nomination:
        nomination = self.nominations.get(self.cleaned_data["nomination"])
        if nomination is None or nomination.state != NominationState.COUNCIL:
            raise ValidationError(
                _("This nomination is not open for votes in this session."), code="invalid_choice"
            )
        return nomination


class VoteForm(AgendaItemForm):
    """One member's ballot on one nomination."""

    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose agree, disagree or abstain.")},
    )


class RecusalForm(AgendaItemForm):
    """A member stands aside from one nomination, saying why."""

    reason = forms.CharField(
        label=_("Why you stand aside"),
        max_length=1000,
        error_messages={"required": _("Write why you stand aside from this nomination.")},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError(_("Write why you stand aside from this nomination."), code="required")
        return reason


class WrittenVoteForm(forms.Form):
    """The secretary records the written ballot of a member who is absent."""

    member = forms.ModelChoiceField(
        label=_("Absent member"),
        queryset=User.objects.none(),
        empty_label="—",
        error_messages={
            "required": _("Choose the absent member."),
            "invalid_choice": _("Written votes are recorded for absent members of this session only."),
        },
    )
    nomination = forms.TypedChoiceField(
        label=_("Nomination"),
        coerce=int,
        error_messages={
            "required": _("Choose the nomination."),
            "invalid_choice": _("This nomination is not open for votes in this session."),
        },
    )
    choice = forms.ChoiceField(
        label=_("Written vote"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose agree, disagree or abstain.")},
    )

    def __init__(self, *args, seats, nominations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = User.objects.filter(
            pk__in=[seat.member_id for seat in seats if not seat.attended]
        ).order_by("last_name", "first_name", "username")
        self.fields["member"].label_from_instance = member_label
        self.nominations = {
            nomination.pk: nomination
            for nomination in nominations
            if nomination.state == NominationState.COUNCIL
        }
        self.fields["nomination"].choices = [
            ("", "—"),
            *(
                (pk, f"{nomination.subject} – {nomination.award_type.name}")
                for pk, nomination in self.nominations.items()
            ),
        ]
        self.helper = _helper(
            Layout(
                Row(Column("member", css_class="col-md-5"), Column("nomination", css_class="col-md-7")),
                Field("choice"),
            )
        )

    def clean_nomination(self) -> Nomination:
        return self.nominations[self.cleaned_data["nomination"]]

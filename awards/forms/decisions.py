"""Forms of the decisions: recording a signed decision, revoking an award."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from awards.enums import AwardLevel, NominationState
from awards.models import Decision, Nomination
from awards.services.decisions import (
    base_salary_for,
    decision_date_problem,
    normalise_number,
    number_taken,
)
from awards.services.nominations import AwardsError
from core.uploads import UploadRefused, check_uploaded_file

NUMBER_MAX = Decision._meta.get_field("number").max_length


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class NominationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.subject} – {obj.award_type.name} {obj.year}"


class DecisionForm(forms.Form):
    number = forms.CharField(
        label=_("Decision number"),
        max_length=NUMBER_MAX,
        help_text=_("As printed on the signed decision, e.g. 125/QĐ-CHQ."),
    )
    decided_on = forms.DateField(
        label=_("Date"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
    )
    signer = forms.CharField(label=_("Signed by"), max_length=255)
    level = forms.ChoiceField(label=_("Issued at"), choices=AwardLevel.choices)
    title = forms.CharField(label=_("About"), max_length=500)
    file = forms.FileField(
        label=_("Signed decision (PDF)"),
        allow_empty_file=True,  # the content check names the file in its message
        error_messages={
            "required": _("Attach the signed decision as a PDF."),
            "missing": _("Attach the signed decision as a PDF."),
        },
    )
    nominations = NominationsField(
        label=_("Approved nominations it covers"),
        queryset=Nomination.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the approved nominations the decision covers."),
            "invalid_choice": _("Only nominations approved by the council can be decided."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checked = None
        self.fields["file"].widget.attrs.update({"accept": ".pdf,application/pdf"})
        self.fields["nominations"].queryset = (
            Nomination.objects.filter(state=NominationState.APPROVED)
            .select_related("award_type", "staff", "unit", "session")
            .order_by("-year", "award_type__rank_order", "pk")
        )
        self.helper = _helper(
            Layout(
                Row(Column("number", css_class="col-md-6"), Column("decided_on", css_class="col-md-6")),
                Row(Column("signer", css_class="col-md-6"), Column("level", css_class="col-md-6")),
                Field("title"),
                Field("file"),
                Field("nominations"),
            )
        )

    def clean_number(self) -> str:
        number = normalise_number(self.cleaned_data["number"])
        if not number:
            raise ValidationError(_("Enter the decision number."), code="required")
        if len(number) > NUMBER_MAX:
            raise ValidationError(
                _("A decision number has at most %(max)s characters.") % {"max": NUMBER_MAX},
                code="max_length",
            )
        if number_taken(number):
            raise ValidationError(
                _("Decision number %(number)s is already recorded. Check the number on the signed decision.")
                % {"number": number},
                code="duplicate",
            )
        return number

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        problem = decision_date_problem(day)
        if problem:
            raise ValidationError(problem, code="future")
        try:
            base_salary_for(day)
        except AwardsError as error:
            raise ValidationError(str(error), code="no_base_salary") from None
        return day

    def clean(self):
        cleaned = super().clean()
        day, nominations = cleaned.get("decided_on"), cleaned.get("nominations")
        if day and nominations:
            held = [nomination.session.held_on for nomination in nominations if nomination.session_id]
            problem = decision_date_problem(day, held)
            if problem:
                self.add_error("decided_on", ValidationError(problem, code="before_council"))
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_uploaded_file(upload, max_bytes=settings.UPLOAD_MAX_MB * 1024 * 1024)
        except UploadRefused as error:
            raise ValidationError(str(error), code="bad_file") from None
        if self.checked.kind != "pdf":
            raise ValidationError(
                _("“%(name)s” is not a PDF. Scan or save the signed decision as PDF.")
                % {"name": self.checked.name},
                code="not_pdf",
            )
        return upload

    def clean_signer(self) -> str:
        return " ".join(self.cleaned_data["signer"].split())

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the award is revoked.")},
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs) -> None:
        if prefix_id:
            kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write why the award is revoked."), code="required")
        return reason

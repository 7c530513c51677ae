"""Forms of the nominations: the proposal, a dossier document, the secretary's actions, the filters."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.enums import DocumentKind, NominationState
from awards.models import AwardType, CouncilSession
from core.uploads import ACCEPT_ATTRIBUTE, UploadRefused, check_uploaded_file
from emulation.enums import Subject
from units.models import Staff, Unit

FIRST_YEAR = 2000
ACHIEVEMENTS_MAX = 5000
REASON_MAX = 2000


def _helper(layout: Layout | None = None) -> FormHelper:
    """The templates write the <form> tag and the buttons; crispy renders the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


def _year_bounds() -> tuple[int, int]:
    return FIRST_YEAR, timezone.localdate().year


class NominationForm(forms.Form):
    """Who is proposed (a staff member or a unit of the officer's subtree), for what and which year."""

    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose a staff member of your unit or of a unit below it.")},
    )
    unit = forms.ModelChoiceField(
        label=_("or the unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("Choose your unit or a unit below it.")},
    )
    award_type = forms.TypedChoiceField(
        label=_("Title or commendation proposed"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose an award of the catalogue.")},
    )
    year = forms.IntegerField(
        label=_("Year of the achievement"),
        error_messages={"invalid": _("Enter a year such as 2025.")},
    )
    achievements = forms.CharField(
        label=_("Achievements"),
        max_length=ACHIEVEMENTS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The main achievements of the year, as in the achievement report."),
        error_messages={"required": _("Describe the achievements.")},
    )

    def __init__(self, *args, home: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            Staff.objects.filter(unit__path__startswith=home.path)
            .select_related("unit")
            .order_by("full_name", "pk")
        )
        self.fields["staff"].label_from_instance = lambda staff: (
            f"{staff.full_name} ({staff.staff_code}) – {staff.unit.name}"
        )
        self.fields["unit"].queryset = Unit.objects.subtree(home).active().order_by("path")
        self.award_types = {
            award_type.pk: award_type
            for award_type in AwardType.objects.filter(is_active=True).order_by("rank_order", "code")
        }
        by_subject = {Subject.INDIVIDUAL: [], Subject.COLLECTIVE: []}
        for award_type in self.award_types.values():
            by_subject[award_type.subject].append((award_type.pk, award_type.name))
        self.fields["award_type"].choices = [
            ("", "—"),
            (_("For a staff member"), by_subject[Subject.INDIVIDUAL]),
            (_("For a unit"), by_subject[Subject.COLLECTIVE]),
        ]
        first, last = _year_bounds()
        self.fields["year"].widget.attrs.update({"min": first, "max": last})
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = last - 1
        self.helper = _helper(
            Layout(
                Row(Column("staff", css_class="col-md-6"), Column("unit", css_class="col-md-6")),
                Row(Column("award_type", css_class="col-md-8"), Column("year", css_class="col-md-4")),
                Field("achievements"),
            )
        )

    def clean_award_type(self) -> AwardType:
        return self.award_types[self.cleaned_data["award_type"]]

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        first, last = _year_bounds()
        if not first <= year <= last:
            raise ValidationError(
                _("Enter a year from %(first)s to %(last)s.") % {"first": first, "last": last},
                code="out_of_range",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        staff, unit = cleaned.get("staff"), cleaned.get("unit")
        if "staff" in self.errors or "unit" in self.errors:
            return cleaned
        if staff is None and unit is None:
            self.add_error("staff", _("Choose the staff member or the unit you propose."))
        elif staff is not None and unit is not None:
            self.add_error("unit", _("Choose either a staff member or a unit, not both."))
        award_type = cleaned.get("award_type")
        if award_type is not None and (staff or unit) and not (staff and unit):
            if staff is not None and award_type.subject != Subject.INDIVIDUAL:
                self.add_error("award_type", _("This award is for units; choose one for a staff member."))
            if unit is not None and award_type.subject != Subject.COLLECTIVE:
                self.add_error("award_type", _("This award is for persons; choose one for a unit."))
        return cleaned


class DocumentForm(forms.Form):
    """One file of the dossier, of one kind, checked by its content (core.uploads)."""

    kind = forms.ChoiceField(
        label=_("Document"),
        choices=DocumentKind.choices,
        error_messages={"invalid_choice": _("Choose which document of the dossier this file is.")},
    )
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the content check names the file in its message
        error_messages={"required": _("Choose a file to upload."), "missing": _("Choose a file to upload.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checked = None
        self.fields["file"].widget.attrs.update({"accept": ACCEPT_ATTRIBUTE})
        self.helper = _helper(
            Layout(Row(Column("kind", css_class="col-md-5"), Column("file", css_class="col-md-7")))
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_uploaded_file(upload, max_bytes=settings.UPLOAD_MAX_MB * 1024 * 1024)
        except UploadRefused as error:
            raise ValidationError(str(error), code="bad_file") from None
        return upload


class ReasonForm(forms.Form):
    """A reason the unit will read: what to supplement, or why the nomination is rejected."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reason; the unit reads it.")},
    )

    def __init__(self, *args, label=None, prefix_id: str = "", **kwargs) -> None:
        if prefix_id:
            kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        self.helper = _helper()

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write the reason; the unit reads it."), code="required")
        return reason


def weighed_reason_field(label) -> forms.CharField:
    """Why a nomination should go on although conditions the council may weigh are unmet
    (awards.services.law); the service asks for it only when such conditions exist."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed only when conditions of the law are not met; the council reads it."),
    )


class SubmitForm(forms.Form):
    """The officer sends the nomination; a reason when conditions the council may weigh are unmet."""

    reason = weighed_reason_field(_("Why the council should consider it although conditions are not met"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_submit_%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class SendToCouncilForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Council session"),
        queryset=CouncilSession.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the council session."),
            "invalid_choice": _("Choose an open council session for the year of the achievement."),
        },
    )
    reason = weighed_reason_field(_("Why the council should weigh it although conditions are not met"))

    def __init__(self, *args, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = CouncilSession.objects.filter(is_closed=False, year=year).order_by(
            "held_on", "pk"
        )
        self.helper = _helper()

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class ProposeFlagsForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year of the final ranking"), error_messages={"invalid": _("Enter a year such as 2025.")}
    )

    def __init__(self, *args, **kwargs) -> None:
        # It shares the nomination list with the filters, whose year is id_year: ids stay unique.
        kwargs.setdefault("auto_id", "flags_%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        first, last = _year_bounds()
        if not first <= year <= last:
            raise ValidationError(
                _("Enter a year from %(first)s to %(last)s.") % {"first": first, "last": last},
                code="out_of_range",
            )
        return year


class NominationFilterForm(forms.Form):
    """The secretary's list filters; anything unexpected is ignored, never an error page."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    award_type = forms.TypedChoiceField(label=_("Award"), coerce=int, required=False)
    unit = forms.TypedChoiceField(label=_("Proposed by (and units below)"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], award_types, units, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        all_label = _("All")
        self.fields["year"].choices = [("", all_label), *((year, year) for year in years)]
        self.fields["state"].choices = [("", all_label), *NominationState.choices]
        self.fields["award_type"].choices = [("", all_label), *((item.pk, item.name) for item in award_types)]
        self.fields["unit"].choices = [("", all_label), *((unit.pk, unit.name) for unit in units)]
        self.units = {unit.pk: unit for unit in units}

    def filters(self) -> dict:
        """The valid filters only (an invalid value is dropped)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in ("", None)
        }

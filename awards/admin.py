"""Django admin for the awards app (superusers only).

The catalogue, the rule sets and the yearly facts the eligibility engine reads (ratings,
disciplines, initiatives, open reviews, advanced models) are edited here, each saved change
audited (units.admin_audit). The workflow records (nominations with their dossiers, council
sessions, decisions, award records) are only viewed: they change through the application's
services, which check the law and keep the audit trail. Ballots are not in the admin at all: a
secret ballot is read by nobody, the superuser included; the minutes give the counts.
"""

from django.contrib import admin

from awards.forms.rule_sets import RuleSetAdminForm
from awards.models import (
    AwardRecord,
    AwardType,
    CouncilSeat,
    CouncilSession,
    Decision,
    Discipline,
    Exemplar,
    Initiative,
    Leave,
    Nomination,
    NominationDocument,
    Rating,
    ReviewFlag,
    RuleSet,
)
from units.admin_audit import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline


@admin.register(AwardType)
class AwardTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "subject", "kind", "level", "coefficient", "vote_threshold", "is_active"]
    list_filter = ["subject", "kind", "level", "is_active"]
    search_fields = ["code", "name"]


@admin.register(RuleSet)
class RuleSetAdmin(AuditedAdmin):
    """The parameters JSON and the dates are checked before saving (awards.forms.rule_sets)."""

    form = RuleSetAdminForm
    list_display = ["name", "effective_from", "effective_to"]


@admin.register(Rating)
class RatingAdmin(AuditedAdmin):
    list_display = ["year", "staff", "unit", "grade"]
    list_filter = ["year", "grade"]
    search_fields = ["staff__full_name", "staff__staff_code", "unit__name", "unit__code"]
    autocomplete_fields = ["staff", "unit"]
    list_select_related = ["staff", "unit"]


@admin.register(Discipline)
class DisciplineAdmin(AuditedAdmin):
    list_display = ["staff", "level", "starts_on", "ends_on"]
    list_filter = ["level"]
    search_fields = ["staff__full_name", "staff__staff_code"]
    autocomplete_fields = ["staff"]


@admin.register(Leave)
class LeaveAdmin(AuditedAdmin):
    """Months of leave per staff member, year and kind (maternity leave counts as worked)."""

    list_display = ["year", "staff", "kind", "months"]
    list_filter = ["year", "kind"]
    search_fields = ["staff__full_name", "staff__staff_code"]
    autocomplete_fields = ["staff"]
    list_select_related = ["staff"]


@admin.register(Initiative)
class InitiativeAdmin(AuditedAdmin):
    list_display = ["title", "level", "recognised_on", "unit"]
    list_filter = ["level", "is_science_work", "has_nationwide_effect"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "authors"]


@admin.register(ReviewFlag)
class ReviewFlagAdmin(AuditedAdmin):
    list_display = ["kind", "staff", "unit", "opened_on", "closed_on"]
    list_filter = ["kind"]
    autocomplete_fields = ["staff", "unit"]


@admin.register(Exemplar)
class ExemplarAdmin(AuditedAdmin):
    list_display = ["name", "stage", "discovered_on"]
    list_filter = ["stage"]
    autocomplete_fields = ["staff", "unit"]


class NominationDocumentInline(ReadOnlyInline):
    model = NominationDocument
    fields = ["kind", "original_name", "size", "uploaded_by", "uploaded_at"]


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ["award_type", "year", "staff", "unit", "state", "is_eligible"]
    list_filter = ["year", "state", "award_type"]
    search_fields = ["staff__full_name", "unit__name"]
    list_select_related = ["award_type", "staff", "unit"]
    inlines = [NominationDocumentInline]


class CouncilSeatInline(ReadOnlyInline):
    model = CouncilSeat
    fields = ["member", "attended"]


@admin.register(CouncilSession)
class CouncilSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_on", "year", "is_closed"]
    inlines = [CouncilSeatInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["number", "decided_on", "signer", "level"]
    search_fields = ["number", "title"]


@admin.register(AwardRecord)
class AwardRecordAdmin(ReadOnlyAdmin):
    list_display = ["award_type", "year", "staff", "unit", "decision", "amount", "is_revoked"]
    list_filter = ["year", "award_type", "is_revoked"]
    search_fields = ["staff__full_name", "unit__name", "decision__number"]
    list_select_related = ["award_type", "staff", "unit", "decision"]

"""Django admin for the awards reference data and records (superusers only)."""

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
    Vote,
)


@admin.register(AwardType)
class AwardTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "subject", "kind", "level", "coefficient", "vote_threshold", "is_active"]
    list_filter = ["subject", "kind", "level", "is_active"]
    search_fields = ["code", "name"]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    """The parameters JSON and the dates are checked before saving (awards.forms.rule_sets)."""

    form = RuleSetAdminForm
    list_display = ["name", "effective_from", "effective_to"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["year", "staff", "unit", "grade"]
    list_filter = ["year", "grade"]
    search_fields = ["staff__full_name", "staff__staff_code", "unit__name", "unit__code"]
    autocomplete_fields = ["staff", "unit"]
    list_select_related = ["staff", "unit"]


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["staff", "level", "starts_on", "ends_on"]
    list_filter = ["level"]
    search_fields = ["staff__full_name", "staff__staff_code"]
    autocomplete_fields = ["staff"]


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    """Months of leave per staff member, year and kind (maternity leave counts as worked)."""

    list_display = ["year", "staff", "kind", "months"]
    list_filter = ["year", "kind"]
    search_fields = ["staff__full_name", "staff__staff_code"]
    autocomplete_fields = ["staff"]
    list_select_related = ["staff"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "recognised_on", "unit"]
    list_filter = ["level", "is_science_work", "has_nationwide_effect"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "authors"]


@admin.register(ReviewFlag)
class ReviewFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "staff", "unit", "opened_on", "closed_on"]
    list_filter = ["kind"]
    autocomplete_fields = ["staff", "unit"]


class NominationDocumentInline(admin.TabularInline):
    model = NominationDocument
    extra = 0


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """The steps of a nomination go through the law check of the services (awards.services.law):
    its state, session and verdict cannot be changed here."""

    readonly_fields = ["state", "session", "eligibility", "is_eligible", "submitted_at"]
    list_display = ["award_type", "year", "staff", "unit", "state", "is_eligible"]
    list_filter = ["year", "state", "award_type"]
    search_fields = ["staff__full_name", "unit__name"]
    autocomplete_fields = ["staff", "unit", "proposing_unit"]
    inlines = [NominationDocumentInline]


class CouncilSeatInline(admin.TabularInline):
    model = CouncilSeat
    extra = 0


@admin.register(CouncilSession)
class CouncilSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "year", "is_closed"]
    inlines = [CouncilSeatInline]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Read-only: ballots are cast in the application and never edited."""

    list_display = ["session", "nomination", "member", "choice", "is_written"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "decided_on", "signer", "level"]
    search_fields = ["number", "title"]


@admin.register(AwardRecord)
class AwardRecordAdmin(admin.ModelAdmin):
    """Awards come only from a recorded decision (awards.services.decisions, which applies the law
    on the decision date): none is added here."""

    def has_add_permission(self, request):
        return False

    list_display = ["award_type", "year", "staff", "unit", "decision", "amount", "is_revoked"]
    list_filter = ["year", "award_type", "is_revoked"]
    search_fields = ["staff__full_name", "unit__name", "decision__number"]
    autocomplete_fields = ["staff", "unit"]


@admin.register(Exemplar)
class ExemplarAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "discovered_on"]
    list_filter = ["stage"]
    autocomplete_fields = ["staff", "unit"]

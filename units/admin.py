"""Django admin for the reference data of the units app (superusers only)."""

from django.contrib import admin

from units.models import Assignment, AuditEntry, Cluster, ClusterMembership, Staff, Unit, UnitLineage


class UnitLineageInline(admin.TabularInline):
    model = UnitLineage
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_legal_entity", "valid_from", "valid_to"]
    list_filter = ["kind", "is_legal_entity", "valid_to"]
    search_fields = ["code", "name", "short_name", "search_text"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    inlines = [UnitLineageInline]
    list_select_related = ["parent"]


class ClusterMembershipInline(admin.TabularInline):
    model = ClusterMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "kind", "code"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "code"]
    inlines = [ClusterMembershipInline]


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(admin.ModelAdmin):
    list_display = ["unit", "cluster", "year", "role"]
    list_filter = ["year", "role", "cluster__kind"]
    search_fields = ["unit__name", "unit__code", "cluster__name"]
    list_select_related = ["unit", "cluster"]
    autocomplete_fields = ["unit", "cluster"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["staff_code", "full_name", "unit", "position", "gender", "is_party_member", "is_leader"]
    list_filter = ["gender", "position", "is_party_member", "is_leader", "unit__kind"]
    search_fields = ["staff_code", "full_name", "search_text", "email"]
    autocomplete_fields = ["unit", "user"]
    list_select_related = ["unit"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["staff", "unit", "start_date", "end_date"]
    list_filter = ["end_date"]
    search_fields = ["staff__full_name", "staff__staff_code", "unit__name"]
    list_select_related = ["staff", "unit"]
    autocomplete_fields = ["staff", "unit"]


@admin.register(UnitLineage)
class UnitLineageAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on", "note"]
    search_fields = ["predecessor__name", "successor__name"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the services and never edited."""

    list_display = ["at", "action", "content_type", "object_id", "actor", "reason"]
    list_filter = ["action", "content_type"]
    search_fields = ["reason", "actor__username"]
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

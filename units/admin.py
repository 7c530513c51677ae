"""Django admin for the units app (superusers only), and the project's policy for the admins of
Django's own apps (users, groups, login attempts). Every admin is a viewer or an audited editor
(units.admin_audit); a change with a service goes through it."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from units.admin_audit import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from units.models import Assignment, AuditEntry, Cluster, ClusterMembership, Staff, Unit, UnitLineage
from units.services import assign_staff, move_unit, posting_problem, record_audit, record_lineage


class UnitLineageInline(ReadOnlyInline):
    """A unit's predecessors; a merge or split is recorded in "Unit lineage" (record_lineage)."""

    model = UnitLineage
    fk_name = "successor"
    fields = ["predecessor", "effective_on", "note"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    """A new parent moves the unit with its whole subtree (units.services.move_unit)."""

    list_display = ["code", "name", "kind", "parent", "is_legal_entity", "valid_from", "valid_to"]
    list_filter = ["kind", "is_legal_entity", "valid_to"]
    search_fields = ["code", "name", "short_name", "search_text"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    inlines = [UnitLineageInline]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            move_unit(obj, new_parent=obj.parent)
        else:
            super().save_model(request, obj, form, change)


class ClusterMembershipInline(admin.TabularInline):
    model = ClusterMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    """Members and their roles; the database allows one leader and one deputy per cluster."""

    list_display = ["name", "year", "kind", "code"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "code"]
    inlines = [ClusterMembershipInline]


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(AuditedAdmin):
    allow_delete = True  # a unit put in the wrong cluster is taken out; the entry keeps the row
    list_display = ["unit", "cluster", "year", "role"]
    list_filter = ["year", "role", "cluster__kind"]
    search_fields = ["unit__name", "unit__code", "cluster__name"]
    list_select_related = ["unit", "cluster"]
    autocomplete_fields = ["unit", "cluster"]


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["unit", "start_date", "end_date"]


class StaffAdminForm(forms.ModelForm):
    """A new posting (unit and first day) is made by units.services.assign_staff."""

    posting_unit = forms.ModelChoiceField(
        label=_("post to unit"),
        queryset=Unit.objects.order_by("path"),
        required=False,
        help_text=_("Closes the current posting the day before and opens this one."),
    )
    posting_from = forms.DateField(label=_("posted from"), required=False)

    class Meta:
        model = Staff
        fields = [
            "staff_code",
            "full_name",
            "gender",
            "date_of_birth",
            "is_party_member",
            "position",
            "is_leader",
            "email",
            "user",
        ]

    def clean(self):
        cleaned = super().clean()
        unit, start = cleaned.get("posting_unit"), cleaned.get("posting_from")
        if unit is not None and start is None:
            self.add_error("posting_from", _("Give the first day of the new posting."))
        if start is not None and unit is None:
            self.add_error("posting_unit", _("Choose the unit of the new posting."))
        if unit is not None and start is not None and unit.pk != self.instance.unit_id:
            problem = posting_problem(self.instance, start_date=start)
            if problem:
                self.add_error("posting_from", problem)
        return cleaned


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    form = StaffAdminForm
    list_display = ["staff_code", "full_name", "unit", "position", "gender", "is_party_member", "is_leader"]
    list_filter = ["gender", "position", "is_party_member", "is_leader", "unit__kind"]
    search_fields = ["staff_code", "full_name", "search_text", "email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [AssignmentInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        unit, start = form.cleaned_data.get("posting_unit"), form.cleaned_data.get("posting_from")
        if unit is not None and start is not None:
            assign_staff(obj, unit=unit, start_date=start)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Postings are made from the staff record (assign_staff), which keeps the current unit right."""

    list_display = ["staff", "unit", "start_date", "end_date"]
    list_filter = ["end_date"]
    search_fields = ["staff__full_name", "staff__staff_code", "unit__name"]
    list_select_related = ["staff", "unit"]


@admin.register(UnitLineage)
class UnitLineageAdmin(AuditedAdmin):
    """A merge or split is recorded once by units.services.record_lineage (it closes the
    predecessor the day before); a recorded link is not edited afterwards."""

    list_display = ["predecessor", "successor", "effective_on", "note"]
    search_fields = ["predecessor__name", "successor__name"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        (link,) = record_lineage(
            obj.successor, predecessors=[obj.predecessor], effective_on=obj.effective_on, note=obj.note
        )
        obj.pk = link.pk


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail is written by the services (and by these admins) and never edited."""

    list_display = ["at", "action", "content_type", "object_id", "actor", "reason"]
    list_filter = ["action", "content_type"]
    search_fields = ["reason", "actor__username"]
    list_select_related = ["actor", "content_type"]


# --- Django's own apps ------------------------------------------------------------------------------

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts and their roles (groups); a password set here is audited, never recorded."""

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record_audit(
                    self.get_object(request, id), action="admin.password_changed", actor=request.user
                )
        return response


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    """The four roles are created by a migration and named in code: not edited or deleted here."""


class AuditedAccessAttemptAdmin(AuditedAdmin, AccessAttemptAdmin):
    """A failed-login record; deleting it unlocks the account, and the deletion is audited."""

    allow_delete = True

    def has_change_permission(self, request, obj=None):
        return False


class AccessLogViewer(ReadOnlyAdmin, AccessLogAdmin):
    pass


class AccessFailureLogViewer(ReadOnlyAdmin, AccessFailureLogAdmin):
    pass


# django-axes registers its admins (before this app: INSTALLED_APPS order); ours replace them.
for _model, _model_admin in (
    (AccessAttempt, AuditedAccessAttemptAdmin),
    (AccessLog, AccessLogViewer),
    (AccessFailureLog, AccessFailureLogViewer),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _model_admin)

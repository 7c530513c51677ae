"""What every ModelAdmin of the project builds on: a viewer, or an editor that leaves an audit entry.

The Django admin is a door like any page (docs/security.md, "The Django admin"): it may not walk
around the services nor change anything unrecorded. Workflow records (nominations, council
sessions, decisions, award records, postings, the audit trail itself) get `ReadOnlyAdmin`: the
superuser reads them, nothing more. Reference data and yearly facts get `AuditedAdmin`: each
addition, change or deletion it saves (inline rows included) writes an `AuditEntry` through
`units.services.record_audit`, in the admin's own transaction, with the values before and after
(never a password). Deleting is off unless an admin says `allow_delete = True`. Where a service
exists for the change (moving a unit, posting a staff member, recording a merge), the admin's
`save_model` calls it.
"""

from __future__ import annotations

import datetime
import decimal

from django.contrib import admin
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from units.services import record_audit

ADMIN_ACTIONS = {
    "admin.created": _("Created in the administration"),
    "admin.changed": _("Changed in the administration"),
    "admin.deleted": _("Deleted in the administration"),
    "admin.password_changed": _("Password set in the administration"),
}
# Never copied into the audit trail.
SECRET_FIELDS = frozenset({"password", "password1", "password2", "usable_password"})


def plain(value):
    """A value as JSON can hold it: records by primary key, dates in ISO form, numbers as text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((plain(item) for item in value), key=str)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def form_changes(form, *, adding: bool) -> tuple[dict, dict]:
    """The fields a bound, valid form changes: (before, after); every field when adding."""
    names = [
        name
        for name in (form.fields if adding else form.changed_data)
        if name not in SECRET_FIELDS and name in form.cleaned_data
    ]
    before = {} if adding else {name: plain(form.initial.get(name)) for name in names}
    after = {name: plain(form.cleaned_data[name]) for name in names}
    return before, after


def stored_values(obj: models.Model) -> dict:
    """A record's own columns (what a deletion loses), secrets left out."""
    return {
        field.attname: plain(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in SECRET_FIELDS
    }


def audit_saved_forms(formset, *, actor) -> None:
    """Audit the rows an inline formset just saved: new ones, changed ones (before/after)."""
    for obj in formset.new_objects:
        record_audit(obj, action="admin.created", actor=actor, after=stored_values(obj))
    changed = {obj.pk for obj, _fields in formset.changed_objects}
    for form in formset.initial_forms:
        if form.instance.pk in changed:
            before, after = form_changes(form, adding=False)
            record_audit(form.instance, action="admin.changed", actor=actor, before=before, after=after)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A viewer: the superuser lists and opens the records; adding, changing and deleting are off."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent record, read-only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """An editor whose every saved change (inline rows included) lands in the audit trail."""

    allow_delete = False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = form_changes(form, adding=not change)
        if change and not after:
            return  # only inline rows changed: each has its own entry
        record_audit(
            form.instance,
            action="admin.changed" if change else "admin.created",
            actor=request.user,
            before=before,
            after=after,
        )

    def save_formset(self, request, form, formset, change):
        deleted = [
            (item.instance, item.instance.pk, stored_values(item.instance)) for item in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        audit_saved_forms(formset, actor=request.user)
        for obj, pk, values in deleted:
            if pk is not None:
                obj.pk = pk  # deleting cleared it; the entry names the row that was deleted
                record_audit(obj, action="admin.deleted", actor=request.user, before=values)

    def delete_model(self, request, obj):
        pk, values = obj.pk, stored_values(obj)
        super().delete_model(request, obj)
        obj.pk = pk
        record_audit(obj, action="admin.deleted", actor=request.user, before=values)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: one entry per row, in one transaction with the deletion.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

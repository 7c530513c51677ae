"""Import and export of units and staff: thin HTTP adapters over `units.importing`.

Import is two steps on one URL. Uploading a file checks it and shows every problem, or a summary
with a "Confirm import" button. The checked rows stay on the server, in the session under a
random token; the confirmation sends only the token, and the rows are checked again against the
database before they are applied in one transaction.

Export: GET /units/export/?format=xlsx|csv and /staff/export/?format=xlsx|csv (xlsx when the
parameter is missing). The staff export takes the staff list's filters (q, unit, gender,
position). Add template=1 for the header row only (the example file of the import pages).
"""

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from units import importing
from units.enums import Role
from units.forms.filters import StaffFilter
from units.forms.transfer import ImportConfirmForm, ImportFileForm
from units.importing import ExportFormat, ImportKind
from units.models import Staff, Unit
from units.permissions import require_role

# session[PENDING_KEY][kind] = {"token": ..., "rows": [...]}: one checked file per kind and session.
PENDING_KEY = "units_import_pending"

IMPORT_URLS = {ImportKind.UNITS: "units:unit-import", ImportKind.STAFF: "units:staff-import"}
EXPORT_URLS = {ImportKind.UNITS: "units:unit-export", ImportKind.STAFF: "units:staff-export"}
LIST_URLS = {ImportKind.UNITS: "units:unit-list", ImportKind.STAFF: "units:staff-list"}


@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, ImportKind.UNITS)


@require_http_methods(["GET", "POST"])
def staff_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, ImportKind.STAFF)


def _import_page(request: HttpRequest, kind: ImportKind) -> HttpResponse:
    require_role(request.user, Role.COMMITTEE_SECRETARY)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, kind)
    if request.method != "POST":
        return _render(request, kind, form=ImportFileForm())
    form = ImportFileForm(request.POST, request.FILES)
    _forget(request, kind)
    if not form.is_valid():
        return _render(request, kind, form=form, status=400)
    table = form.cleaned_data["table"]
    preview = importing.preview_import(kind, table)
    confirm_form = None
    if preview.is_clean:
        confirm_form = ImportConfirmForm(initial={"token": _keep(request, kind, table)})
    return _render(request, kind, form=ImportFileForm(), preview=preview, confirm_form=confirm_form)


def _confirm(request: HttpRequest, kind: ImportKind) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    table = _take(request, kind, form.cleaned_data["token"]) if form.is_valid() else None
    if table is None:
        messages.error(
            request,
            _(
                "This check is no longer available (it expired or was already imported). Upload the file again."
            ),
        )
        return redirect(IMPORT_URLS[kind])
    try:
        result = importing.run_import(kind, table)
    except importing.ImportRejected as exc:
        messages.error(
            request,
            _(
                "The data changed after the file was checked and some rows are no longer valid. Nothing "
                "was imported: correct the file and upload it again."
            ),
        )
        return _render(request, kind, form=ImportFileForm(), preview=exc.preview)
    except importing.ImportFailed as exc:
        messages.error(request, str(exc))
        return redirect(IMPORT_URLS[kind])
    messages.success(
        request,
        _("Import finished: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect(IMPORT_URLS[kind])


def _keep(request: HttpRequest, kind: ImportKind, table: importing.Table) -> str:
    token = secrets.token_urlsafe(24)
    pending = request.session.get(PENDING_KEY, {})
    pending[kind] = {"token": token, "rows": table.to_data()}
    request.session[PENDING_KEY] = pending
    return token


def _take(request: HttpRequest, kind: ImportKind, token: str) -> importing.Table | None:
    """The rows kept for this token, removed from the session (a confirmation runs once)."""
    pending = request.session.get(PENDING_KEY, {})
    kept = pending.get(kind)
    if not kept or not secrets.compare_digest(kept["token"], token):
        return None
    _forget(request, kind)
    return importing.Table.from_data(kept["rows"])


def _forget(request: HttpRequest, kind: ImportKind) -> None:
    pending = request.session.get(PENDING_KEY, {})
    if kind in pending:
        del pending[kind]
        request.session[PENDING_KEY] = pending


def _render(request, kind, *, form, preview=None, confirm_form=None, status=200) -> HttpResponse:
    columns = importing.columns_for(kind)
    choices = [
        {"column": column, "words": importing.allowed_words(column.key)}
        for column in columns
        if column.type == importing.CHOICE
    ]
    context = {
        "kind": kind,
        "title": _("Import units") if kind == ImportKind.UNITS else _("Import staff"),
        "columns": columns,
        "choices": choices,
        "yes_word": importing.YES,
        "no_word": importing.NO,
        "form": form,
        "preview": preview,
        "confirm_form": confirm_form,
        "list_url": reverse(LIST_URLS[kind]),
        "export_url": reverse(EXPORT_URLS[kind]),
        "max_rows": importing.MAX_DATA_ROWS,
    }
    return render(request, "units/import.html", context, status=status)


def _export_format(request: HttpRequest) -> str:
    value = request.GET.get("format", ExportFormat.XLSX)
    if value not in ExportFormat.values:
        raise Http404(_("There is no export in this format."))
    return value


def _download(export: importing.ExportFile) -> HttpResponse:
    disposition = content_disposition_header(as_attachment=True, filename=export.filename)
    return HttpResponse(
        export.content, content_type=export.content_type, headers={"Content-Disposition": disposition}
    )


@require_GET
def unit_export(request: HttpRequest) -> HttpResponse:
    file_format = _export_format(request)
    units = Unit.objects.visible_to(request.user)
    if request.GET.get("template"):
        units = units.none()
    return _download(importing.export_units(units, file_format=file_format))


@require_GET
def staff_export(request: HttpRequest) -> HttpResponse:
    file_format = _export_format(request)
    staff = Staff.objects.visible_to(request.user)
    if request.GET.get("template"):
        staff = staff.none()
    filtered = StaffFilter(request.GET, queryset=staff, user=request.user).qs
    return _download(importing.export_staff(filtered, file_format=file_format))

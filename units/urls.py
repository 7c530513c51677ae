"""URLs of the units app (namespace "units")."""

from django.urls import path

from units.views import pages, transfer

app_name = "units"

urlpatterns = [
    # /units/
    path("units/", pages.unit_list, name="unit-list"),
    path("units/<int:pk>/", pages.unit_detail, name="unit-detail"),
    path("units/<int:pk>/children/", pages.unit_children, name="unit-children"),
    # /clusters/
    path("clusters/", pages.cluster_list, name="cluster-list"),
    # /staff/
    path("staff/", pages.staff_list, name="staff-list"),
    path("staff/<int:pk>/", pages.staff_detail, name="staff-detail"),
    path("staff/unit-options/", pages.staff_unit_options, name="staff-unit-options"),
    # Import and export (units.views.transfer)
    path("units/import/", transfer.unit_import, name="unit-import"),
    path("units/export/", transfer.unit_export, name="unit-export"),
    path("staff/import/", transfer.staff_import, name="staff-import"),
    path("staff/export/", transfer.staff_export, name="staff-export"),
]

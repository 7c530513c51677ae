"""URLs of the emulation app (namespace "emulation")."""

from django.urls import path

from emulation.views import covenants, pledges

app_name = "emulation"

urlpatterns = [
    # /pledges/
    path("pledges/", pledges.pledge_list, name="pledge-list"),
    path("pledges/mine/", pledges.pledge_mine, name="pledge-mine"),
    path("pledges/<int:pk>/", pledges.pledge_detail, name="pledge-detail"),
    path("pledges/<int:pk>/edit/", pledges.pledge_edit, name="pledge-edit"),
    path("pledges/<int:pk>/print/", pledges.pledge_print, name="pledge-print"),
    path("pledges/<int:pk>/accept/", pledges.pledge_accept, name="pledge-accept"),
    path("pledges/<int:pk>/return/", pledges.pledge_return, name="pledge-return"),
    path("pledges/<int:pk>/reopen/", pledges.pledge_reopen, name="pledge-reopen"),
    # Movement, task areas, criteria, periods (emulation.views.setup)
    # Cluster covenants (emulation.views.covenants)
    path("covenants/", covenants.covenant_list, name="covenant-list"),
    path("covenants/<int:cluster>/<int:period>/", covenants.covenant_detail, name="covenant-detail"),
    path(
        "covenants/<int:cluster>/<int:period>/confirm/", covenants.covenant_confirm, name="covenant-confirm"
    ),
    # Self-assessment and evidence (emulation.views.submissions)
    # Committee scoring: queue and scoring page (emulation.views.scoring)
    # Secretary: submissions, scorers, adjustments, finalisation (emulation.views.committee)
    # Rankings (emulation.views.rankings)
    # Reminders (emulation.views.reminders)
]

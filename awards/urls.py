"""URLs of the awards app (namespace "awards")."""

from django.urls import path  # noqa: F401 - the sections below add their paths

app_name = "awards"

urlpatterns = [
    # Eligibility (awards.views.eligibility)
    # Nominations and dossiers (awards.views.nominations)
    # Council sessions and votes (awards.views.council)
    # Decisions, award records, history (awards.views.decisions)
    # Awards dashboard (awards.views.dashboard)
]

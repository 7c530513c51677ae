"""URLs of the awards app (namespace "awards")."""

from django.urls import path

from awards.views import council, dashboard, decisions, eligibility, nominations

app_name = "awards"

urlpatterns = [
    # Eligibility (awards.views.eligibility)
    path("awards/eligibility/", eligibility.eligibility_list, name="eligibility-list"),
    path("awards/eligibility/export/", eligibility.eligibility_export, name="eligibility-export"),
    # Nominations and dossiers (awards.views.nominations)
    path("awards/nominations/", nominations.nomination_list, name="nomination-list"),
    path("awards/nominations/mine/", nominations.nomination_mine, name="nomination-mine"),
    path("awards/nominations/new/", nominations.nomination_create, name="nomination-create"),
    path("awards/nominations/flags/", nominations.nomination_propose_flags, name="nomination-propose-flags"),
    path("awards/nominations/<int:pk>/", nominations.nomination_detail, name="nomination-detail"),
    path("awards/nominations/<int:pk>/edit/", nominations.nomination_edit, name="nomination-edit"),
    path(
        "awards/nominations/<int:pk>/documents/",
        nominations.nomination_document_upload,
        name="nomination-document-upload",
    ),
    path("awards/nominations/<int:pk>/submit/", nominations.nomination_submit, name="nomination-submit"),
    path("awards/nominations/<int:pk>/screen/", nominations.nomination_screen, name="nomination-screen"),
    path(
        "awards/nominations/<int:pk>/supplement/",
        nominations.nomination_supplement,
        name="nomination-supplement",
    ),
    path("awards/nominations/<int:pk>/send/", nominations.nomination_send, name="nomination-send"),
    path("awards/nominations/<int:pk>/reject/", nominations.nomination_reject, name="nomination-reject"),
    path("awards/dossier/<int:pk>/", nominations.nomination_document_file, name="nomination-document-file"),
    path(
        "awards/dossier/<int:pk>/delete/",
        nominations.nomination_document_delete,
        name="nomination-document-delete",
    ),
    # Council sessions and votes (awards.views.council)
    path("awards/council/", council.session_list, name="session-list"),
    path("awards/council/new/", council.session_create, name="session-create"),
    path("awards/council/<int:pk>/", council.session_detail, name="session-detail"),
    path("awards/council/<int:pk>/attendance/", council.session_attendance, name="session-attendance"),
    path("awards/council/<int:pk>/vote/", council.session_vote, name="session-vote"),
    path("awards/council/<int:pk>/recuse/", council.session_recuse, name="session-recuse"),
    path("awards/council/<int:pk>/written-vote/", council.session_written_vote, name="session-written-vote"),
    path("awards/council/<int:pk>/close/", council.session_close, name="session-close"),
    path("awards/council/<int:pk>/minutes/", council.session_minutes, name="session-minutes"),
    # Decisions, award records, history (awards.views.decisions)
    path("awards/decisions/", decisions.decision_list, name="decision-list"),
    path("awards/decisions/new/", decisions.decision_create, name="decision-create"),
    path("awards/decisions/<int:pk>/", decisions.decision_detail, name="decision-detail"),
    path("awards/decisions/<int:pk>/file/", decisions.decision_file, name="decision-file"),
    path("awards/records/<int:pk>/revoke/", decisions.award_revoke, name="award-revoke"),
    # Awards dashboard (awards.views.dashboard)
    path("awards/overview/", dashboard.awards_dashboard, name="dashboard"),
]

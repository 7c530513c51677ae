"""URLs of the emulation app (namespace "emulation")."""

from django.urls import path

from emulation.views import (
    committee,
    covenants,
    dashboard,
    pledges,
    rankings,
    reminders,
    scoring,
    setup,
    submissions,
)

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
    path("movements/", setup.movement_list, name="movement-list"),
    path("movements/<int:pk>/", setup.movement_detail, name="movement-detail"),
    path("movements/<int:pk>/edit/", setup.movement_edit, name="movement-edit"),
    path("task-areas/<int:pk>/edit/", setup.task_area_edit, name="task-area-edit"),
    path("task-areas/<int:pk>/criteria/new/", setup.criterion_create, name="criterion-create"),
    path("criteria/<int:pk>/edit/", setup.criterion_edit, name="criterion-edit"),
    path("criteria/<int:pk>/delete/", setup.criterion_delete, name="criterion-delete"),
    path("periods/", setup.period_list, name="period-list"),
    path("periods/new/", setup.period_create, name="period-create"),
    path("periods/<int:pk>/", setup.period_detail, name="period-detail"),
    path("periods/<int:pk>/edit/", setup.period_edit, name="period-edit"),
    # Cluster covenants (emulation.views.covenants)
    path("covenants/", covenants.covenant_list, name="covenant-list"),
    path("covenants/<int:cluster>/<int:period>/", covenants.covenant_detail, name="covenant-detail"),
    path(
        "covenants/<int:cluster>/<int:period>/confirm/", covenants.covenant_confirm, name="covenant-confirm"
    ),
    # Self-assessment and evidence (emulation.views.submissions)
    path("self-assessment/mine/", submissions.submission_mine, name="submission-mine"),
    path("self-assessments/<int:pk>/", submissions.submission_detail, name="submission-detail"),
    path("self-assessments/<int:pk>/edit/", submissions.submission_edit, name="submission-edit"),
    path("self-assessments/<int:pk>/evidence/", submissions.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", submissions.evidence_file, name="evidence-file"),
    path("evidence/<int:pk>/delete/", submissions.evidence_delete, name="evidence-delete"),
    # Committee scoring: queue and scoring page (emulation.views.scoring)
    path("scoring/", scoring.scoring_queue, name="scoring-queue"),
    path("scoring/<int:pk>/", scoring.scoring_form, name="scoring-form"),
    path("scoring/<int:pk>/return/", scoring.scoring_return, name="scoring-return"),
    # Secretary: submissions, scorers, adjustments, finalisation (emulation.views.committee)
    path("self-assessments/", committee.submission_list, name="submission-list"),
    path("self-assessments/<int:pk>/manage/", committee.submission_manage, name="submission-manage"),
    path(
        "self-assessments/<int:pk>/manage/scorers/add/",
        committee.submission_scorer_add,
        name="submission-scorer-add",
    ),
    path(
        "self-assessments/<int:pk>/manage/scorers/<int:assignment>/remove/",
        committee.submission_scorer_remove,
        name="submission-scorer-remove",
    ),
    path(
        "self-assessments/<int:pk>/manage/adjustments/add/",
        committee.submission_adjustment_add,
        name="submission-adjustment-add",
    ),
    path("periods/<int:pk>/scoring/", committee.period_scoring, name="period-scoring"),
    path(
        "periods/<int:pk>/scoring/settings/",
        committee.period_scoring_settings,
        name="period-scoring-settings",
    ),
    path("periods/<int:pk>/scoring/assign/", committee.period_scorers_assign, name="period-scorers-assign"),
    path("periods/<int:pk>/scoring/finalise/", committee.period_finalise, name="period-finalise"),
    path("periods/<int:pk>/scoring/reopen/", committee.period_reopen, name="period-reopen"),
    path("periods/<int:pk>/scores.xlsx", committee.period_scores_export, name="period-scores-export"),
    # Rankings (emulation.views.rankings)
    path("rankings/", rankings.ranking_list, name="ranking-list"),
    path("rankings/unit/<int:pk>/", rankings.ranking_unit, name="ranking-unit"),
    # Reminders (emulation.views.reminders)
    path("reminders/", reminders.reminder_list, name="reminder-list"),
    # Dashboards and reports (emulation.views.dashboard)
    path("dashboard/", dashboard.movement_dashboard, name="dashboard"),
    path("dashboard/clusters/<int:pk>/", dashboard.dashboard_cluster, name="dashboard-cluster"),
    path("dashboard/units/<int:pk>/", dashboard.dashboard_unit, name="dashboard-unit"),
    path("dashboard/progress/export/", dashboard.dashboard_progress_export, name="dashboard-progress-export"),
    path("dashboard/targets/export/", dashboard.dashboard_targets_export, name="dashboard-targets-export"),
    path("rankings/<int:pk>/export/", dashboard.ranking_export, name="ranking-export"),
    path("periods/<int:pk>/report/", dashboard.period_report, name="period-report"),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    """The movement: task areas, pledges, self-assessment, scoring, rankings and reminders."""

    name = "emulation"
    verbose_name = _("Emulation movement")

    def ready(self) -> None:
        from units.audit import register_actions  # noqa: PLC0415 - app registry must be ready

        register_actions(
            {
                "pledge.created": _("Pledge started"),
                "pledge.saved": _("Draft saved"),
                "pledge.submitted": _("Submitted"),
                "pledge.accepted": _("Accepted"),
                "pledge.returned": _("Returned to the unit"),
                "pledge.reopened": _("Reopened after the deadline"),
                "covenant.confirmed": _("Covenant confirmed"),
                "submission.evidence_added": _("Evidence file attached"),
                "submission.evidence_removed": _("Evidence file removed"),
                "movement.changed": _("Movement changed"),
                "task_area.changed": _("Task area changed"),
                "criterion.created": _("Criterion added"),
                "criterion.changed": _("Criterion changed"),
                "criterion.deleted": _("Criterion deleted"),
                "period.created": _("Period opened"),
                "period.changed": _("Period changed"),
                "ranking.compiled": _("Rankings compiled"),
                "submission.created": _("Self-assessment started"),
                "submission.saved": _("Self-assessment draft saved"),
                "submission.submitted": _("Self-assessment submitted"),
                "submission.returned": _("Returned for supplements"),
                "submission.scorer_assigned": _("Scorer assigned"),
                "submission.scorer_removed": _("Scorer removed"),
                "submission.scores_confirmed": _("Scores confirmed after the resubmission"),
                "submission.scored": _("Scoring completed"),
                "submission.adjusted": _("Bonus or deduction recorded"),
                "score.saved": _("Score saved"),
                "period.scorers_assigned": _("Scorers assigned automatically"),
                "period.scoring_settings": _("Scoring settings changed"),
                "period.finalised": _("Scores finalised"),
                "period.reopened": _("Finalisation undone"),
            }
        )

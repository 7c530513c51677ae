from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Awards: the legal catalogue, eligibility, nominations, council votes and decisions."""

    name = "awards"
    verbose_name = _("Commendation and awards")

    def ready(self) -> None:
        from units.audit import register_actions  # noqa: PLC0415 - app registry must be ready

        register_actions(
            {
                # Each part of the awards app adds its action codes here.
                "nomination.created": _("Nomination drafted"),
                "nomination.changed": _("Nomination changed"),
                "nomination.document_added": _("Dossier document added"),
                "nomination.document_removed": _("Dossier document removed"),
                "nomination.submitted": _("Nomination submitted"),
                "nomination.flag_proposed": _("Ministry flag proposed from the final ranking"),
                "nomination.screening": _("Screening started"),
                "nomination.needs_supplement": _("Returned for supplements"),
                "nomination.sent_to_council": _("Sent to the council"),
                "nomination.rejected": _("Rejected at screening"),
                "nomination.council_approved": _("Approved by the council"),
                "nomination.council_rejected": _("Not approved by the council"),
                "nomination.decided": _("Award decided"),
                "council.created": _("Council session created"),
                "council.attendance": _("Attendance recorded"),
                "council.vote_cast": _("Vote cast"),
                "council.written_vote": _("Written vote of an absent member recorded"),
                "council.closed": _("Session closed"),
                "decision.recorded": _("Decision recorded"),
                "award.revoked": _("Award revoked"),
            }
        )
        from awards.views.decisions import (  # noqa: PLC0415 - app registry must be ready
            staff_award_history,
            unit_award_history,
        )
        from units.panels import Panel, register_panel  # noqa: PLC0415 - app registry must be ready

        register_panel("unit", Panel("awards/_award_history.html", unit_award_history, order=50))
        register_panel("staff", Panel("awards/_award_history.html", staff_award_history, order=50))

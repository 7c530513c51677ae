"""Evidence files of a self-assessment: attaching and removing them while the unit may edit.

The file itself is checked by content before it gets here (`core.uploads`); these
functions decide whether the submission may still change, write the row and the file together,
and record both actions in the submission's audit trail.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import CheckedFile
from emulation.enums import SUBMISSION_EDITABLE_STATES
from emulation.models import Criterion, Evidence, Submission
from emulation.services.errors import ClosedForChangesError, EmulationError
from emulation.services.scoring import is_open_for_unit
from units.services import record_audit


def _ensure_unit_may_edit(submission: Submission, today: datetime.date) -> None:
    if submission.state not in SUBMISSION_EDITABLE_STATES:
        raise ClosedForChangesError(
            _("This self-assessment is %(state)s; its evidence can no longer be changed.")
            % {"state": submission.get_state_display()}
        )
    if not is_open_for_unit(submission, today):
        raise ClosedForChangesError(
            _("Evidence can be added or removed from %(start)s to %(end)s.")
            % {
                "start": submission.period.self_assessment_opens.strftime("%d/%m/%Y"),
                "end": submission.period.self_assessment_closes.strftime("%d/%m/%Y"),
            }
        )


def add_evidence(
    submission: Submission,
    *,
    actor,
    upload,
    criterion: Criterion | None,
    checked: CheckedFile,
    today: datetime.date | None = None,
) -> Evidence:
    """Attach a checked file to the submission, for one criterion or (None) for the whole of it.

    Side effects: writes the file under MEDIA_ROOT/evidence/ (a random name, never the user's)
    and an audit entry. When anything fails the row is not written and the file is removed, so a
    refusal leaves nothing behind. The same file twice for the same criterion is refused.
    """
    stored_name = ""
    try:
        with transaction.atomic():
            submission = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
            _ensure_unit_may_edit(submission, today or timezone.localdate())
            if criterion is not None and criterion.task_area.movement_id != submission.period.movement_id:
                raise EmulationError(_("This criterion does not belong to the period's movement."))
            twin = submission.evidence.filter(sha256=checked.sha256, criterion=criterion).first()
            if twin is not None:
                raise EmulationError(
                    _("“%(name)s” is already attached here (as “%(existing)s”).")
                    % {"name": checked.name, "existing": twin.original_name}
                )
            evidence = Evidence(
                submission=submission,
                criterion=criterion,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            # upload_to ignores this name and builds a random path from the checksum and the time.
            evidence.file.save(checked.name, upload, save=False)
            stored_name = evidence.file.name
            evidence.save()
            record_audit(
                submission,
                action="submission.evidence_added",
                actor=actor,
                after={
                    "file": evidence.original_name,
                    "criterion": criterion.code if criterion is not None else None,
                    "sha256": evidence.sha256,
                    "size": evidence.size,
                },
            )
    except BaseException:
        if stored_name:
            Evidence._meta.get_field("file").storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, actor, today: datetime.date | None = None) -> None:
    """Detach a file from its submission while the unit may edit it.

    Side effects: deletes the row, records an audit entry on the submission (with the file's
    name and checksum) and deletes the stored file once the transaction has committed.
    """
    submission = (
        Submission.objects.select_for_update().select_related("period").get(pk=evidence.submission_id)
    )
    _ensure_unit_may_edit(submission, today or timezone.localdate())
    evidence = Evidence.objects.select_related("criterion").filter(pk=evidence.pk).first()
    if evidence is None:
        raise EmulationError(_("This file was already removed."))
    stored_name = evidence.file.name
    storage = evidence.file.storage
    record_audit(
        submission,
        action="submission.evidence_removed",
        actor=actor,
        before={
            "file": evidence.original_name,
            "criterion": evidence.criterion.code if evidence.criterion is not None else None,
            "sha256": evidence.sha256,
        },
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))

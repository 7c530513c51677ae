"""Reminder emails before and after every deadline (docs/design.md section 6), decided once, sent once.

A run has two steps, both safe to repeat at any time and from several processes at once:

1. `plan_reminders(today)` decides what is due today and writes one `ReminderLog` row per
   reminder, in the transaction that decides; the row's unique constraint makes a rerun add
   nothing.
2. `send_due_reminders()` sends every row not yet sent, each in its own short locked
   transaction, so two workers never send the same row; a failed send is kept on the row and
   tried again, up to `MAX_ATTEMPTS`.

Modules: `due` (the deadlines, the stage due on a day, who owes what; read only), `planning`
(deciding and writing the rows, the dry-run preview), `sending` (the emails, the exactly-once
argument and its one residual window, and `run_reminders`, the daily job). The names callers
use are re-exported here.
"""

from emulation.services.reminders.due import (
    ALL_SUBJECT,
    EMAIL_LANGUAGE,
    MAX_ATTEMPTS,
    OVERDUE_WINDOW_DAYS,
    PLEDGE_DONE_STATES,
    SUBMISSION_DONE_STATES,
    Deadline,
    DuePlan,
    DueReminder,
    Person,
    deadlines_of,
    due_reminders,
    open_assignments,
    reminder_offsets,
    stage_due,
    stage_for_offset,
    stage_label,
    units_owing,
)
from emulation.services.reminders.planning import (
    PlanResult,
    PreviewLine,
    link_for,
    plan_reminders,
    preview_reminders,
)
from emulation.services.reminders.sending import (
    CONSECUTIVE_FAILURE_LIMIT,
    SendResult,
    build_message,
    is_transient,
    message_id,
    run_reminders,
    send_due_reminders,
)

__all__ = [
    "ALL_SUBJECT",
    "CONSECUTIVE_FAILURE_LIMIT",
    "EMAIL_LANGUAGE",
    "MAX_ATTEMPTS",
    "OVERDUE_WINDOW_DAYS",
    "PLEDGE_DONE_STATES",
    "SUBMISSION_DONE_STATES",
    "Deadline",
    "DuePlan",
    "DueReminder",
    "Person",
    "PlanResult",
    "PreviewLine",
    "SendResult",
    "build_message",
    "deadlines_of",
    "due_reminders",
    "is_transient",
    "link_for",
    "message_id",
    "open_assignments",
    "plan_reminders",
    "preview_reminders",
    "reminder_offsets",
    "run_reminders",
    "send_due_reminders",
    "stage_due",
    "stage_for_offset",
    "stage_label",
    "units_owing",
]

"""The reminders page: everyone sees the reminders sent to them; the secretary sees every one."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from emulation.enums import ReminderKind, ReminderStage
from emulation.models import Period, ReminderLog
from emulation.services.reminders import MAX_ATTEMPTS, reminder_offsets, stage_for_offset, stage_label
from units.permissions import is_secretary

REMINDER_PAGE_SIZE = 50
STATUS_FILTERS = {
    "sent": Q(sent_at__isnull=False),
    "pending": Q(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS),
    "failed": Q(sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS),
}


def _stage_choices() -> list[tuple[str, str]]:
    stages = [stage_for_offset(days) for days in reminder_offsets()]
    stages += [stage for stage in ReminderStage.values if stage not in stages]
    return [(stage, stage_label(stage)) for stage in stages]


def reminder_list(request: HttpRequest) -> HttpResponse:
    """The user's own reminders; for the secretary, a period's reminders with filters."""
    secretary = is_secretary(request.user)
    context: dict = {"is_secretary": secretary, "max_attempts": MAX_ATTEMPTS}
    if secretary:
        periods = list(Period.objects.latest_first())
        period = next(
            (p for p in periods if str(p.pk) == request.GET.get("period")), periods[0] if periods else None
        )
        reminders = ReminderLog.objects.filter(period=period).select_related("unit", "recipient")
        context["counts"] = reminders.aggregate(
            total=Count("pk"),
            **{name: Count("pk", filter=condition) for name, condition in STATUS_FILTERS.items()},
        )
        stages = _stage_choices()
        selected = {
            "stage": request.GET.get("stage", ""),
            "kind": request.GET.get("kind", ""),
            "status": request.GET.get("status", ""),
        }
        if selected["stage"] in dict(stages):
            reminders = reminders.filter(stage=selected["stage"])
        if selected["kind"] in ReminderKind.values:
            reminders = reminders.filter(kind=selected["kind"])
        if selected["status"] in STATUS_FILTERS:
            reminders = reminders.filter(STATUS_FILTERS[selected["status"]])
        context |= {
            "periods": periods,
            "period": period,
            "stages": stages,
            "kinds": ReminderKind.choices,
            "statuses": [("sent", _("Sent")), ("pending", _("Waiting to be sent")), ("failed", _("Failed"))],
            "selected": selected,
        }
    else:
        reminders = ReminderLog.objects.filter(recipient=request.user).select_related("unit", "period")
    page = Paginator(reminders.order_by("-created_at", "-pk"), REMINDER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for reminder in page:
        reminder.stage_label = stage_label(reminder.stage)
    query = request.GET.copy()
    query.pop("page", None)
    context |= {"page": page, "query_string": query.urlencode()}
    return render(request, "emulation/reminder_list.html", context)

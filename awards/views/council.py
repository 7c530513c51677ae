"""Council pages: sessions, attendance, the secret ballot, closing and the printable minutes.

What each person sees while a session is open: a member its own ballots only; the secretary the
attendance, the quorum and how many ballots each nomination has received, never a choice. Once
the session is closed everyone who may open it sees the counts per nomination, never who voted
what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.enums import NominationState, VoteChoice
from awards.forms.council import AttendanceForm, RecusalForm, SessionForm, VoteForm, WrittenVoteForm
from awards.models import CouncilSeat, CouncilSession, Nomination, Vote
from awards.permissions import (
    can_open_council,
    can_read_nomination,
    get_session_for_user,
    require_secretary,
    sessions_visible_to,
)
from awards.services import law
from awards.services.council import (
    cast_vote,
    close_session,
    create_session,
    quorum_of,
    record_attendance,
    record_recusal,
    record_written_vote,
    session_params,
    standing_aside,
    stored_results,
)
from awards.services.nominations import AwardsError
from awards.views.steps import carry_out
from units.models import AuditEntry
from units.permissions import is_secretary

SESSION_PAGE_SIZE = 30


def _require_council_role(request: HttpRequest) -> None:
    if not can_open_council(request.user):
        raise PermissionDenied(_("The council pages are for council members, the secretary and leaders."))


def session_list(request: HttpRequest) -> HttpResponse:
    _require_council_role(request)
    sessions = (
        sessions_visible_to(request.user)
        .annotate(
            member_count=Count("seats", distinct=True), nomination_count=Count("nominations", distinct=True)
        )
        .order_by("-held_on", "-pk")
    )
    page = Paginator(sessions, SESSION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # fetched in the view, not while rendering
    return render(
        request,
        "awards/session_list.html",
        {"page": page, "query_string": "", "is_secretary": is_secretary(request.user)},
    )


def session_create(request: HttpRequest) -> HttpResponse:
    require_secretary(request.user)
    form = SessionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = create_session(
                    title=data["title"].strip(),
                    year=data["year"],
                    held_on=data["held_on"],
                    members=data["members"],
                    actor=request.user,
                )
            except AwardsError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Council session created. Send screened nominations to it."))
                return redirect(session)
        status = 400
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
    return render(request, "awards/session_form.html", {"form": form}, status=status)


@dataclass
class AgendaRow:
    """One nomination on the agenda, as the viewer may see it."""

    nomination: Nomination
    ballots: int
    my_choice: str | None = None
    my_choice_label: str = ""
    conflict: bool = False
    can_open: bool = False
    vote_form: VoteForm | None = None
    recusal_form: RecusalForm | None = None
    result: dict | None = None
    check: law.StepCheck | None = None  # the verdict as of the day the council meets
    aside: int = 0  # members who do not vote on it (conflict or recusal)


def _seats(session: CouncilSession) -> list[CouncilSeat]:
    return list(
        session.seats.select_related("member").order_by(
            "member__last_name", "member__first_name", "member__username"
        )
    )


def _agenda(session: CouncilSession) -> list[Nomination]:
    return list(
        session.nominations.select_related("award_type", "staff__unit", "unit", "proposing_unit").order_by(
            "award_type__rank_order", "pk"
        )
    )


def session_detail(
    request: HttpRequest, pk: int, *, written_form: WrittenVoteForm | None = None, status: int = 200
):
    session = get_session_for_user(request.user, pk)
    user = request.user
    seats = _seats(session)
    nominations = _agenda(session)
    quorum = quorum_of(seats, session_params(session))
    my_seat = next((seat for seat in seats if seat.member_id == user.pk), None)
    my_votes = (
        dict(Vote.objects.filter(session=session, member=user).values_list("nomination_id", "choice"))
        if my_seat is not None
        else {}
    )
    ballots = dict(
        session.votes.order_by()
        .values("nomination_id")
        .annotate(n=Count("pk"))
        .values_list("nomination_id", "n")
    )
    results = {item["nomination"]: item for item in stored_results(session) or []}
    labels = dict(VoteChoice.choices)
    aside = standing_aside(session, seats, nominations)
    checks = law.judge_steps(nominations, step=law.BALLOT, on=session.held_on) if nominations else {}
    rows = []
    for nomination in nominations:
        row = AgendaRow(
            nomination=nomination,
            ballots=ballots.get(nomination.pk, 0),
            result=results.get(nomination.pk),
            check=checks.get(nomination.pk),
            aside=len(aside[nomination.pk]),
            # Every nomination on the agenda belongs to this session: seated means seated here.
            can_open=can_read_nomination(user, nomination, seated=my_seat is not None),
        )
        if my_seat is not None:
            row.my_choice = my_votes.get(nomination.pk)
            row.my_choice_label = labels.get(row.my_choice, "")
            row.conflict = user.pk in aside[nomination.pk]
            if (
                not session.is_closed
                and my_seat.attended
                and row.my_choice is None
                and not row.conflict
                and nomination.state == NominationState.COUNCIL
                and not row.check.blocked
            ):
                row.vote_form = VoteForm(
                    initial={"nomination": nomination.pk}, form_id=f"vote-{nomination.pk}"
                )
            if (
                not session.is_closed
                and row.my_choice is None
                and not row.conflict
                and nomination.state == NominationState.COUNCIL
            ):
                row.recusal_form = RecusalForm(
                    initial={"nomination": nomination.pk}, form_id=f"recuse-{nomination.pk}"
                )
        rows.append(row)
    secretary = is_secretary(user)
    context = {
        "session": session,
        "seats": seats,
        "quorum": quorum,
        "rows": rows,
        "my_seat": my_seat,
        "is_secretary": secretary,
        "audit_entries": AuditEntry.objects.for_record(session)[:50] if secretary else [],
    }
    if secretary and not session.is_closed:
        context["attendance_form"] = AttendanceForm(seats=seats)
        context["written_form"] = written_form or WrittenVoteForm(seats=seats, nominations=nominations)
    return render(request, "awards/session_detail.html", context, status=status)


@require_POST
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    require_secretary(request.user)
    form = AttendanceForm(request.POST, seats=list(session.seats.all()))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(session)
    present_ids = {user.pk for user in form.cleaned_data["present"]}
    return carry_out(
        request,
        session,
        lambda: record_attendance(session, present_ids=present_ids, actor=request.user),
        _("Attendance recorded."),
    )


def _member_step(request: HttpRequest, pk: int, form_class, step, done: str) -> HttpResponse:
    """A seated member's step on one nomination of the agenda (a vote, a recusal): the form names
    the nomination and its answer; `step(session, cleaned_data)` calls the service."""
    session = get_session_for_user(request.user, pk)
    form = form_class(request.POST, nominations=_agenda(session))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(session)
    return carry_out(request, session, lambda: step(session, form.cleaned_data), done)


@require_POST
def session_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_step(
        request,
        pk,
        VoteForm,
        lambda session, data: cast_vote(
            session, nomination=data["nomination"], member=request.user, choice=data["choice"]
        ),
        _("Your vote was recorded. It stays secret until the session closes."),
    )


@require_POST
def session_recuse(request: HttpRequest, pk: int) -> HttpResponse:
    """A seated member stands aside from a nomination, with its reason."""
    return _member_step(
        request,
        pk,
        RecusalForm,
        lambda session, data: record_recusal(
            session,
            nomination=data["nomination"],
            member=request.user,
            reason=data["reason"],
            actor=request.user,
        ),
        _("You stand aside from this nomination; the reason is recorded."),
    )


@require_POST
def session_written_vote(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    require_secretary(request.user)
    form = WrittenVoteForm(request.POST, seats=list(session.seats.all()), nominations=_agenda(session))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved. Correct the fields marked below."))
        return session_detail(request, pk, written_form=form, status=400)
    return carry_out(
        request,
        session,
        lambda: record_written_vote(
            session,
            nomination=form.cleaned_data["nomination"],
            member=form.cleaned_data["member"],
            choice=form.cleaned_data["choice"],
            actor=request.user,
        ),
        _("The written vote was recorded."),
    )


@require_POST
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    require_secretary(request.user)
    try:
        results = close_session(session, actor=request.user)
    except AwardsError as error:
        messages.error(request, str(error))
        return redirect(session)
    approved = sum(1 for result in results if result["passed"])
    messages.success(
        request,
        _(
            "The session is closed: %(approved)s of %(total)s nominations approved. The minutes are ready to print."
        )
        % {"approved": approved, "total": len(results)},
    )
    return redirect(session)


def session_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable minutes: attendance, and per nomination the counts, the threshold and the result."""
    session = get_session_for_user(request.user, pk)
    seats = _seats(session)
    context = {
        "session": session,
        "present": [seat for seat in seats if seat.attended],
        "absent": [seat for seat in seats if not seat.attended],
        "members": len(seats),
        "results": stored_results(session),
    }
    return render(request, "awards/session_minutes.html", context)

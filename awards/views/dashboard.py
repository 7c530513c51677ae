"""The leaders' awards dashboard: titles per year and per cluster, nominations, rewards, models."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from awards.dashboard import awards_overview
from units.enums import Role
from units.permissions import require_role


def _requested_year(request: HttpRequest) -> int | None:
    """The year asked for in ?year=, or None when absent or not a year (the latest is shown)."""
    value = request.GET.get("year", "").strip()
    return int(value) if value.isdigit() and len(value) == 4 else None


def awards_dashboard(request: HttpRequest) -> HttpResponse:
    """Leaders, the committee secretary and administrators only; others get 403."""
    require_role(request.user, Role.LEADER, Role.COMMITTEE_SECRETARY)
    overview = awards_overview(_requested_year(request))
    return render(
        request,
        "awards/dashboard.html",
        {"overview": overview, "chart_data": overview.chart_data()},
    )

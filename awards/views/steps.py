"""Running one step of a workflow from a button: the service's refusal or the done message, then back."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from awards.services.nominations import AwardsError


def carry_out(request: HttpRequest, back_to: Model, action: Callable[[], object], done: str) -> HttpResponse:
    """Run `action`; show its AwardsError (the user's message) or `done`; go back to `back_to`'s page."""
    try:
        action()
    except AwardsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(back_to)

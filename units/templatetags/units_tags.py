"""Template helpers shared by every app's templates."""

from django import template

from units.audit import action_label

register = template.Library()


@register.filter
def audit_action(action: str):
    """The readable name of an audit action code ("pledge.submitted" -> "Submitted")."""
    return action_label(action)

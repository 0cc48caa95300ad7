"""Small display helpers for the templates: due dates, states, hashes."""

from django import template
from django.utils import timezone

register = template.Library()

# Styles by state value, for the states every machine shares by name; others are "primary".
_STATE_STYLE = {
    "draft": "secondary",
    "registered": "success",
    "issued": "success",
    "withdrawn": "dark",
    "rejected": "danger",
    "deregistered": "danger",
    "request_incomplete": "warning",
    "issuance_incomplete": "warning",
}


def _state_labels():
    """Every registered machine's state labels (pacm.engine.machines: the tag names no app).

    Later machines first, so the activity's labels win over a period's for a value both share."""
    from pacm.engine.machines import machines

    labels = {}
    for machine in reversed(machines()):
        labels.update(dict(machine.states.choices))
    return labels


@register.filter
def state_label(value):
    """The human label of an activity or monitoring-period state value."""
    return _state_labels().get(value, value)


@register.filter
def state_style(value):
    return _STATE_STYLE.get(value, "primary")


@register.filter
def days_left(due_at):
    """Whole calendar days from today to the due date (negative once overdue), or None."""
    if not due_at:
        return None
    return (timezone.localdate(due_at) - timezone.localdate()).days


@register.inclusion_tag("includes/due.html")
def due(due_at):
    """A badge: 'N days left', 'due today' or 'N days overdue'."""
    days = days_left(due_at)
    return {"due_at": due_at, "days": days, "overdue": -days if days is not None and days < 0 else 0}


@register.filter
def short_hash(value, length=12):
    return (value or "")[: int(length)]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


_PAYLOAD_SHOWN_APART = {"documents", "transition", "sha256"}


@register.filter
def payload_items(payload):
    """An event payload's simple fields, without those the timeline shows on their own."""
    items = []
    for key, value in (payload or {}).items():
        if key in _PAYLOAD_SHOWN_APART or value in (None, "", [], {}):
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        items.append((key.replace("_", " "), value))
    return items


@register.filter
def role_label(value):
    """'dna' -> 'Host Party DNA'; the timer and unknown roles are shown as they are."""
    from pacm.parties.models import Organisation
    from pacm.parties.roles import ORG_KIND_ROLE_REVERSE, Role

    try:
        return Organisation.Kind(ORG_KIND_ROLE_REVERSE[Role(value)]).label
    except (KeyError, ValueError):
        return value
